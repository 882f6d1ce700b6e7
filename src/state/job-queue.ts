import type { Statement } from 'better-sqlite3';
import type { Clock, Timer } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Database } from './database.js';

export interface EnqueueOptions {
  /** AWS time to wait before the first attempt (scaled by the clock's time scale). */
  delayMs?: number;
  /** Attempts before the job is given up; defaults to the queue's setting. */
  maxAttempts?: number;
}

export interface QueueOptions<T> {
  /** Jobs of this queue running at once. */
  concurrency?: number;
  maxAttempts?: number;
  /** AWS time to wait before attempt n + 1 after attempt n failed. */
  backoffMs?: (attempt: number) => number;
  /** Called once when the last attempt failed (dead-letter it, record the failure). */
  onExhausted?: (payload: T, error: unknown) => Promise<void> | void;
}

export type JobHandler<T> = (payload: T, attempt: number) => Promise<void>;

interface Row {
  id: number;
  queue: string;
  payload: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
}

interface Queue {
  handler: JobHandler<unknown>;
  options: Required<Omit<QueueOptions<unknown>, 'onExhausted'>> & Pick<QueueOptions<unknown>, 'onExhausted'>;
  running: number;
  /** Due jobs may be waiting in the table (enqueued while the queue was full, or left from before a start). */
  waiting: boolean;
}

const DEFAULT_BACKOFF = (attempt: number) => Math.min(60_000, 1000 * 2 ** (attempt - 1));

/**
 * Durable background work: a job is committed to SQLite when enqueued and deleted only
 * after its handler succeeds (jobs finishing in the same turn in one transaction), so work
 * survives a crash and runs at least once. Failed
 * attempts retry with backoff until `maxAttempts`, then `onExhausted` runs. Delays are AWS
 * time: a time scale of 60 runs a one-minute delay in one second.
 */
export class JobQueue {
  private readonly queues = new Map<string, Queue>();
  private readonly inFlight = new Set<number>();
  private readonly active = new Set<Promise<void>>();
  private readonly insert: Statement;
  private readonly due: Statement;
  private readonly next: Statement;
  private readonly remove: Statement;
  private readonly retry: Statement;
  private timer: Timer | undefined;
  /** The run_at the timer was armed for: once it has passed, the next pump looks in every queue. */
  private armedAt: number | undefined;
  private running = false;
  /** Jobs that succeeded, deleted together in one transaction on the next turn of the event loop. */
  private finished: { id: number; deleted: () => void }[] = [];

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    db.migrate(
      'jobs-v1',
      `CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, payload TEXT NOT NULL,
         run_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL, last_error TEXT);
       CREATE INDEX jobs_due ON jobs (run_at, id);`,
    );
    db.migrate('jobs-v2', 'CREATE INDEX jobs_queue_due ON jobs (queue, run_at, id)');
    this.insert = db.sql.prepare('INSERT INTO jobs (queue, payload, run_at, max_attempts) VALUES (?, ?, ?, ?)');
    this.due = db.sql.prepare('SELECT id, queue, payload, run_at, attempts, max_attempts FROM jobs WHERE queue = ? AND run_at <= ? ORDER BY run_at, id LIMIT ?');
    // Only future jobs set the timer: due ones are running or wait for a running one to finish
    // (each finish pumps again), and counting them would re-arm a 1 ms timer until they end.
    this.next = db.sql.prepare('SELECT MIN(run_at) AS at FROM jobs WHERE run_at > ?');
    this.remove = db.sql.prepare('DELETE FROM jobs WHERE id = ?');
    this.retry = db.sql.prepare('UPDATE jobs SET attempts = ?, run_at = ?, last_error = ? WHERE id = ?');
  }

  /** Declares a queue and returns the function that adds jobs to it. */
  define<T>(name: string, handler: JobHandler<T>, options: QueueOptions<T> = {}): (payload: T, opts?: EnqueueOptions) => void {
    if (this.queues.has(name)) throw new Error(`job queue ${name} is defined twice`);
    this.queues.set(name, {
      handler: handler as JobHandler<unknown>,
      options: {
        concurrency: options.concurrency ?? 8,
        maxAttempts: options.maxAttempts ?? 10,
        backoffMs: options.backoffMs ?? DEFAULT_BACKOFF,
        onExhausted: options.onExhausted as QueueOptions<unknown>['onExhausted'],
      },
      running: 0,
      waiting: true,
    });
    return (payload, opts = {}) => {
      const q = this.queues.get(name)!;
      const now = this.clock.now();
      const runAt = now + this.real(opts.delayMs ?? 0);
      const row = { id: 0, queue: name, payload: JSON.stringify(payload), run_at: runAt, attempts: 0, max_attempts: opts.maxAttempts ?? q.options.maxAttempts };
      row.id = Number(this.insert.run(name, row.payload, runAt, row.max_attempts).lastInsertRowid);
      if (!this.running) return;
      if (runAt > now) return this.schedule(now);
      // A job due now starts at once, without reading it back, when its queue has a free slot
      // and no older job waiting; otherwise the queue is read in order.
      if (!q.waiting && q.running < q.options.concurrency) return this.launch(row, q);
      q.waiting = true;
      this.pump();
    };
  }

  /** Starts running due jobs, including those left over from before a restart. */
  start(): void {
    this.running = true;
    this.pump(true);
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await Promise.allSettled([...this.active]);
  }

  /** Resolves when no job is due or running (tests: let delivery settle). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  private real(awsMs: number): number {
    return awsMs / this.clock.timeScale;
  }

  /** Starts due jobs; `all` also looks in queues not known to have any waiting (timer, start). */
  private pump(all = false): void {
    if (!this.running) return;
    const now = this.clock.now();
    // A delayed job fell due, but another pump may come first (a late timer) and re-arm the
    // timer: it must still look in every queue, or the due job waits for unrelated work.
    if (this.armedAt !== undefined && now >= this.armedAt) {
      all = true;
      this.armedAt = undefined;
    }
    // Per queue, read only as many due rows as it has running plus free slots: a backlog in
    // one queue then costs nothing per pump and cannot hide another queue's due jobs.
    for (const [name, q] of this.queues) {
      const free = q.options.concurrency - q.running;
      if (free <= 0 || !(all || q.waiting)) continue;
      const limit = q.running + free;
      const rows = this.due.all(name, now, limit) as Row[];
      // Fewer rows than asked for means every due job is running or about to be.
      q.waiting = rows.length >= limit;
      for (const row of rows) {
        if (this.inFlight.has(row.id)) continue;
        if (q.running >= q.options.concurrency) {
          q.waiting = true;
          break;
        }
        this.launch(row, q);
      }
    }
    this.schedule(now);
  }

  private launch(row: Row, q: Queue): void {
    this.inFlight.add(row.id);
    q.running++;
    const attempt = row.attempts + 1;
    const done = (async () => {
      try {
        await q.handler(JSON.parse(row.payload), attempt);
        // The row goes with others that finished in the same turn: one commit for all of them.
        // It stays in flight until then, so it is never started twice.
        await new Promise<void>((deleted) => this.finish(row.id, deleted));
      } catch (e) {
        await this.failed(row, q, attempt, e);
      } finally {
        this.inFlight.delete(row.id);
        q.running--;
      }
    })();
    this.active.add(done);
    void done.then(() => {
      this.active.delete(done);
      this.pump();
    });
  }

  private finish(id: number, deleted: () => void): void {
    this.finished.push({ id, deleted });
    if (this.finished.length === 1) setImmediate(() => this.removeFinished());
  }

  private removeFinished(): void {
    const batch = this.finished;
    this.finished = [];
    try {
      this.db.transaction(() => {
        for (const f of batch) this.remove.run(f.id);
      });
    } catch (e) {
      // The database went away (closed without stopping the queue): the jobs run again on the next start.
      this.log.warn('finished jobs not removed', { jobs: batch.length, error: errorMessage(e) });
    }
    for (const f of batch) f.deleted();
  }

  private async failed(row: Row, q: Queue, attempt: number, error: unknown): Promise<void> {
    if (attempt >= row.max_attempts) {
      this.remove.run(row.id);
      this.log.warn('job gave up', { queue: row.queue, attempts: attempt, error: errorMessage(error) });
      try {
        await q.options.onExhausted?.(JSON.parse(row.payload), error);
      } catch (e) {
        this.log.error('job exhaustion handler failed', { queue: row.queue, error: errorMessage(e) });
      }
      return;
    }
    this.retry.run(attempt, this.clock.now() + this.real(q.options.backoffMs(attempt)), errorMessage(error), row.id);
    q.waiting = true;
  }

  /** Arms the timer for the first job due after `now` (the time the caller last looked for due jobs). */
  private schedule(now = this.clock.now()): void {
    // An enqueue may come after the armed time passed but before the (late) timer fired:
    // that due job still needs a pump of every queue, so keep a timer for it.
    const overdue = this.armedAt !== undefined && now >= this.armedAt;
    this.timer?.cancel();
    this.timer = undefined;
    this.armedAt = undefined;
    if (!this.running) return;
    const at = overdue ? now : (this.next.get(now) as { at: number | null }).at;
    if (at === null) return;
    this.armedAt = at;
    const wait = Math.max(0, at - this.clock.now());
    // setTimer takes AWS time; the due time is already real, so undo the scaling.
    this.timer = this.clock.setTimer(Math.max(1, wait) * this.clock.timeScale, () => this.pump(true));
  }
}
