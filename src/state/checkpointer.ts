import type BetterSqlite3 from 'better-sqlite3';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** WAL size at which checkpointing moves to its thread (SQLite's own default: 1,000 pages). */
const START_BYTES = 4 * 1024 * 1024;
/** Real-time period of the WAL size check before the thread runs, and of the thread's own check. */
const CHECK_MS = 500;
const POLL_MS = 100;

export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

// The thread has its own connection: it checkpoints whenever another connection committed
// (data_version moved), so the copy into the database file and its fsync never block the
// main thread. Plain CommonJS, run with `eval`, so it needs no loader for TypeScript.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 0');
let seen = -1;
const run = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
const tick = () => {
  try {
    const v = db.pragma('data_version', { simple: true });
    if (v !== seen) { seen = v; run(); }
  } catch (e) { parentPort.postMessage({ error: String(e) }); }
};
const timer = setInterval(tick, workerData.pollMs);
parentPort.on('message', (m) => {
  if (m === 'close') { clearInterval(timer); db.close(); parentPort.close(); return; }
  try { parentPort.postMessage({ id: m, result: run() }); } catch (e) { parentPort.postMessage({ id: m, error: String(e) }); }
});
`;

/**
 * Keeps WAL checkpoints off the main thread. A checkpoint copies the log into the database
 * file and fsyncs it, which stalls whatever runs on the thread that commits (tens of
 * milliseconds on a busy disk). SQLite's automatic checkpoint is turned off on the main
 * connection; once the log outgrows what SQLite would have let it grow to, a worker thread
 * with its own connection checkpoints after every change. Small databases (most tests) never
 * start the thread. If the thread fails, automatic checkpoints come back on.
 */
export class Checkpointer {
  private worker: Worker | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly waiting = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly sql: BetterSqlite3.Database,
  ) {
    sql.pragma('wal_autocheckpoint = 0');
    this.timer = setInterval(() => this.check(), CHECK_MS).unref();
  }

  /** True once checkpoints run on their own thread. */
  get threaded(): boolean {
    return this.worker !== undefined;
  }

  /** Checkpoints now on the worker thread (starting it if needed); resolves with SQLite's counts. */
  checkpoint(): Promise<CheckpointResult> {
    const worker = this.start();
    if (!worker) return Promise.resolve((this.sql.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[])[0]);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage(id);
    });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.worker?.postMessage('close');
    this.worker = undefined;
    for (const w of this.waiting.values()) w.reject(new Error('database closed'));
    this.waiting.clear();
  }

  private check(): void {
    if (this.worker || this.closed) return;
    let size = 0;
    try {
      size = statSync(`${this.file}-wal`).size;
    } catch {
      return;
    }
    if (size >= START_BYTES) this.start();
  }

  private start(): Worker | undefined {
    if (this.worker || this.closed) return this.worker;
    clearInterval(this.timer);
    try {
      const module = createRequire(import.meta.url).resolve('better-sqlite3');
      const worker = new Worker(WORKER, { eval: true, workerData: { file: this.file, module, pollMs: POLL_MS } });
      worker.unref();
      worker.on('message', (m: { id?: number; result?: CheckpointResult; error?: string }) => this.answer(m));
      worker.on('error', (e) => this.fallBack(e));
      this.worker = worker;
    } catch (e) {
      this.fallBack(e);
    }
    return this.worker;
  }

  private answer(m: { id?: number; result?: CheckpointResult; error?: string }): void {
    const w = m.id === undefined ? undefined : this.waiting.get(m.id);
    if (m.id !== undefined) this.waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else if (m.result) w?.resolve(m.result);
  }

  /** The thread cannot run: SQLite checkpoints on the main connection again, as by default. */
  private fallBack(error: unknown): void {
    this.worker = undefined;
    this.closed = true;
    clearInterval(this.timer);
    if (this.sql.open) this.sql.pragma('wal_autocheckpoint = 1000');
    for (const w of this.waiting.values()) w.reject(error instanceof Error ? error : new Error(String(error)));
    this.waiting.clear();
  }
}
