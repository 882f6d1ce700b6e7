// Issue 4 (SNS and SQS): message throughput. Clients cycle SendMessage -> ReceiveMessage ->
// DeleteMessage through Slipway's HTTP API (AWS JSON 1.0, as the SDKs speak it); the baseline
// does the same insert, select-and-update and delete directly with better-sqlite3, with the
// same pragmas and a commit per step, in this process.
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSlipway } from './lib/servers.js';
import { median } from './lib/stats.js';

const CLIENTS = Number(process.env.BENCH_SQS_CLIENTS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BODY = JSON.stringify({ orderId: 42, items: ['a', 'b'], note: 'x'.repeat(200) });

interface Round {
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU time the server (or the baseline loop) spent per message, in µs: less noisy than rates on a shared machine. */
  cpuPerMessage: number;
}

/** utime + stime of a process, in µs (clock ticks are 10 ms on Linux). */
function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

function call(url: string, operation: string, input: object): Promise<Record<string, unknown>> {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent,
      headers: {
        'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}`, 'content-length': Buffer.byteLength(body),
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000',
        'x-amz-date': '20240101T000000Z',
      },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text) as Record<string, unknown>) : reject(new Error(`${operation}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CLIENTS loops of send, receive and delete against one queue for `seconds`; counts deleted messages. */
async function slipwayRound(url: string, queueUrl: string, seconds: number, pid: number): Promise<Round> {
  const cpu0 = processCpu(pid);
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await call(url, 'SendMessage', { QueueUrl: queueUrl, MessageBody: BODY });
      const got = await call(url, 'ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: 1 });
      const message = (got.Messages as { ReceiptHandle: string }[] | undefined)?.[0];
      if (!message) continue;
      await call(url, 'DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle });
      latencies.push(performance.now() - t0);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  return summary(done, seconds, latencies, processCpu(pid) - cpu0);
}

/** The same three steps directly on SQLite: insert, select the oldest visible and hide it, delete. */
function baselineRound(db: BetterSqlite3.Database, seconds: number): Round {
  const insert = db.prepare('INSERT INTO m (queue_id, message_id, body, md5_body, sender_id, sent_at, visible_at) VALUES (1, ?, ?, ?, ?, ?, ?)');
  const pick = db.prepare('SELECT * FROM m WHERE queue_id = 1 AND visible_at <= ? ORDER BY visible_at, seq LIMIT 1');
  const hide = db.prepare('UPDATE m SET visible_at = ?, receive_count = receive_count + 1, receipt = ? WHERE seq = ?');
  const remove = db.prepare('DELETE FROM m WHERE seq = ?');
  const send = db.transaction((id: string) => insert.run(id, BODY, 'md5', '000000000000', Date.now(), Date.now()));
  const receive = db.transaction(() => {
    const row = pick.get(Date.now()) as { seq: number } | undefined;
    if (row) hide.run(Date.now() + 30_000, 'token', row.seq);
    return row;
  });
  const cpu0 = process.cpuUsage();
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  while (performance.now() < deadline) {
    const t0 = performance.now();
    send(String(done));
    const row = receive();
    if (row) remove.run(row.seq);
    latencies.push(performance.now() - t0);
    done++;
  }
  const cpu = process.cpuUsage(cpu0);
  return summary(done, seconds, latencies, cpu.user + cpu.system);
}

function openBaseline(dir: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE m (seq INTEGER PRIMARY KEY AUTOINCREMENT, queue_id INTEGER NOT NULL, message_id TEXT NOT NULL, body TEXT NOT NULL,
             md5_body TEXT NOT NULL, attributes TEXT, sender_id TEXT NOT NULL, sent_at INTEGER NOT NULL, visible_at INTEGER NOT NULL,
             receive_count INTEGER NOT NULL DEFAULT 0, receipt TEXT);
           CREATE INDEX m_visible ON m (queue_id, visible_at, seq);`);
  return db;
}

function summary(count: number, seconds: number, latencies: number[], cpuMicros: number): Round {
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { perSecond: count / seconds, p50: at(0.5), p99: at(0.99), cpuPerMessage: cpuMicros / Math.max(1, count) };
}

export async function benchSqs(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sqs-bench-'));
  const db = openBaseline(dir);
  const server = await startSlipway();
  const slip: Round[] = [];
  const base: Round[] = [];
  try {
    const { QueueUrl } = (await call(server.url, 'CreateQueue', { QueueName: 'bench' })) as { QueueUrl: string };
    await slipwayRound(server.url, QueueUrl, 2, server.pid);
    baselineRound(db, 1);
    for (let i = 0; i < ROUNDS; i++) {
      slip.push(await slipwayRound(server.url, QueueUrl, SECONDS, server.pid));
      base.push(baselineRound(db, SECONDS));
    }
  } finally {
    await server.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    agent.destroy();
  }
  const s = median(slip.map((r) => r.perSecond));
  const b = median(base.map((r) => r.perSecond));
  const ms = (v: number) => v.toFixed(v < 1 ? 3 : 1);
  return [
    `| SQS SendMessage + ReceiveMessage + DeleteMessage, ${CLIENTS} clients: messages/s through the cycle (median of ${ROUNDS} × ${SECONDS} s) | ${s.toFixed(0)} | ${b.toFixed(0)} (better-sqlite3 directly: same insert, select+update, delete, a commit each) | ${(s / b * 100).toFixed(1)}% of direct SQLite |`,
    `| … CPU per message (server process; baseline loop) | ${median(slip.map((r) => r.cpuPerMessage)).toFixed(0)} µs | ${median(base.map((r) => r.cpuPerMessage)).toFixed(0)} µs | — |`,
    `| … cycle latency p50 / p99 (three requests) | ${ms(median(slip.map((r) => r.p50)))} / ${ms(median(slip.map((r) => r.p99)))} ms | ${ms(median(base.map((r) => r.p50)))} / ${ms(median(base.map((r) => r.p99)))} ms | — |`,
  ];
}
