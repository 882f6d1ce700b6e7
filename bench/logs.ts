// Issue 4: CloudWatch Logs ingestion and query speed. PutLogEvents in batches of 1,000 against
// inserting the same batches straight into SQLite; Logs Insights and FilterLogEvents over a
// million events against `grep -c` over the same events as a text file.
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, GetQueryResultsCommand, StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { SignatureV4 } from '@smithy/signature-v4';
import BetterSqlite3 from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuMs, startSlipway } from './lib/servers.js';
import { median } from './lib/stats.js';

const TOTAL = Number(process.env.BENCH_LOG_EVENTS ?? 1_000_000);
const INGEST = Math.min(TOTAL, 200_000);
const BATCH = 1000;
const STREAMS = 4;
const RUNS = 5;
const GROUP = '/bench/app';
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'INFO', 'INFO', 'DEBUG', 'INFO', 'ERROR'];

/** Deterministic, varied log lines of about 100 bytes; one in ten says ERROR, one in 10,000 deadlock. */
function message(n: number): string {
  const level = LEVELS[n % LEVELS.length];
  const line = `${level} [req-${(n * 2654435761) % 1_000_000}] GET /api/items/${n % 977} status=${level === 'ERROR' ? 500 : 200} latency=${(n * 7) % 900}ms user=u${n % 1000}`;
  return n % 10_000 === 5_000 ? `${line} deadlock detected` : line;
}

interface Batch {
  stream: string;
  events: { timestamp: number; message: string }[];
}

function batches(from: number, to: number, t0: number, spacing: number): Batch[] {
  const out: Batch[] = [];
  for (let b = from; b < to; b += BATCH) {
    const events = [];
    for (let n = b; n < Math.min(to, b + BATCH); n++) events.push({ timestamp: Math.floor(t0 + n * spacing), message: message(n) });
    out.push({ stream: `s${(b / BATCH) % STREAMS}`, events });
  }
  return out;
}

/**
 * PutLogEvents as a log shipper sends it: the body serialized once, then POSTed on a
 * keep-alive connection, one request in flight per stream. (The SDK's own serialization
 * of 1,000 events costs more CPU than Slipway's handling of them, so it is done before
 * the clock starts.)
 */
async function send(url: string, all: Batch[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: STREAMS });
  const bodies = all.map((b) => ({ stream: b.stream, body: JSON.stringify({ logGroupName: GROUP, logStreamName: b.stream, logEvents: b.events }) }));
  await Promise.all(Array.from({ length: STREAMS }, async (_, s) => {
    for (const b of bodies.filter((x) => x.stream === `s${s}`)) await post(url, agent, b.body);
  }));
  agent.destroy();
}

function post(url: string, agent: Agent, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent,
      headers: {
        'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.PutLogEvents', 'x-amz-date': '20240101T000000Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0000',
      },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => (res.statusCode === 200 && !text.includes('rejected') ? resolve() : reject(new Error(`PutLogEvents answered ${res.statusCode}: ${text}`))));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** One JSON 1.1 call over a keep-alive connection, without an SDK; answers the body text. */
function call(url: string, agent: Agent, target: string, body: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent,
      headers: {
        'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${target}`, 'x-amz-date': '20240101T000000Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0000',
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`${target} answered ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** SHA-256 and HMAC for the signer, from node:crypto. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: unknown) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as Uint8Array));
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/**
 * A plain client: each call signed with SigV4, sent with `fetch`, its body read as text and
 * `JSON.parse`d. Reports the time spent in `JSON.parse` apart, so the rest of a search is
 * the server and the HTTP transfer.
 */
function plainClient(url: string): { call: (target: string, body: object) => Promise<Record<string, unknown>>; parseMs: () => number } {
  const signer = new SignatureV4({ service: 'logs', region: 'us-east-1', sha256: NodeSha256, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const { hostname, port } = new URL(url);
  let parsing = 0;
  return {
    parseMs: () => parsing,
    async call(target, input) {
      const body = JSON.stringify(input);
      const headers = { host: `${hostname}:${port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${target}` };
      const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname, port: Number(port), path: '/', headers, body });
      const res = await fetch(url, { method: 'POST', headers: signed.headers, body });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${target} answered ${res.status}: ${text.slice(0, 200)}`);
      const began = performance.now();
      const doc = JSON.parse(text) as Record<string, unknown>;
      parsing += performance.now() - began;
      return doc;
    },
  };
}

/** Every page of a FilterLogEvents search with the plain client; answers the events counted. */
async function filterPlain(client: ReturnType<typeof plainClient>, filterPattern: string, pages?: string[]): Promise<number> {
  let n = 0;
  let nextToken: string | undefined;
  do {
    const page = await client.call('FilterLogEvents', { logGroupName: GROUP, filterPattern, nextToken });
    n += (page.events as unknown[]).length;
    pages?.push(JSON.stringify(page));
    nextToken = page.nextToken as string | undefined;
  } while (nextToken);
  return n;
}

/** A server that answers each request with the next of the given bodies, round and round: the SDK client's own cost. */
async function replay(bodies: string[]): Promise<{ url: string; server: Server }> {
  let i = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(bodies[i++ % bodies.length]);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/** The same batches, each in one transaction, straight into a table like Slipway's. */
function directInsert(all: Batch[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'logs-baseline-'));
  const db = new BetterSqlite3(join(dir, 'db.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE ev (id INTEGER PRIMARY KEY, group_id INTEGER, stream_id INTEGER, ts INTEGER, ingest INTEGER, bytes INTEGER, message TEXT);
    CREATE INDEX ev_s ON ev (stream_id, ts); CREATE INDEX ev_g ON ev (group_id, ts, bytes);`);
  const ins = db.prepare('INSERT INTO ev (group_id, stream_id, ts, ingest, bytes, message) VALUES (?, ?, ?, ?, ?, ?)');
  const tx = db.transaction((b: Batch) => {
    for (const e of b.events) ins.run(1, Number(b.stream.slice(1)), e.timestamp, 0, Buffer.byteLength(e.message), e.message);
  });
  const began = performance.now();
  for (const b of all) tx(b);
  const ms = performance.now() - began;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const began = performance.now();
  await fn();
  return performance.now() - began;
}

async function insights(client: CloudWatchLogsClient, queryString: string, start: number, end: number): Promise<void> {
  const { queryId } = await client.send(new StartQueryCommand({ logGroupName: GROUP, startTime: Math.floor(start / 1000), endTime: Math.ceil(end / 1000), queryString }));
  for (;;) {
    const r = await client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status === 'Complete') return;
    if (r.status !== 'Running' && r.status !== 'Scheduled') throw new Error(`query ended ${r.status}`);
    await new Promise((res) => setTimeout(res, 2));
  }
}

async function filterAll(client: CloudWatchLogsClient, filterPattern: string): Promise<number> {
  let n = 0;
  let nextToken: string | undefined;
  do {
    const r = await client.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern, nextToken }));
    n += r.events?.length ?? 0;
    nextToken = r.nextToken;
  } while (nextToken);
  return n;
}

export async function benchLogs(): Promise<string[]> {
  const rows: string[] = [];
  const loadAtStart = loadavg()[0];
  const s = await startSlipway();
  const client = new CloudWatchLogsClient({ endpoint: s.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'logs-bench-'));
  try {
    await client.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    for (let i = 0; i < STREAMS; i++) await client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: `s${i}` }));
    // Spread the events over the last ten hours, inside what PutLogEvents accepts.
    const t0 = Date.now() - 10 * 3_600_000;
    const spacing = (10 * 3_600_000) / TOTAL;
    const first = batches(0, INGEST, t0, spacing);
    await send(s.url, first.slice(0, 8));
    const ingestMs = await timed(() => send(s.url, first.slice(8)));
    const ingested = first.slice(8).reduce((n, b) => n + b.events.length, 0);
    const directMs = directInsert(first.slice(8));
    rows.push(`| PutLogEvents, batches of ${BATCH} over HTTP (${STREAMS} streams, one request in flight each): events/s | ${fmt(ingested / ingestMs * 1000)} | ${fmt(ingested / directMs * 1000)} (same batches inserted directly into SQLite) | ≥ 100,000 |`);
    for (let from = INGEST; from < TOTAL; from += 100_000) await send(s.url, batches(from, Math.min(TOTAL, from + 100_000), t0, spacing));

    const file = join(dir, 'events.txt');
    writeFileSync(file, Array.from({ length: TOTAL }, (_, n) => message(n)).join('\n') + '\n');
    const grep = async (term: string) => {
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < RUNS; i++) times.push(await timed(async () => { count = Number(execFileSync('grep', ['-c', term, file]).toString()); }));
      return { ms: median(times), count, term };
    };
    const errors = await grep('ERROR');
    const deadlocks = await grep('deadlock');
    const end = Date.now();
    let last = 0;
    // BENCH_LOGS_ONLY=<text>: only the measures whose label contains it (for profiling one of them).
    const only = process.env.BENCH_LOGS_ONLY;
    const measure = async (label: string, base: { ms: number; count: number; term: string }, fn: () => Promise<unknown>) => {
      if (only && !label.includes(only)) return;
      // The first run also reads the search blocks from SQLite into memory (where the first
      // query after a start finds them); the median is of the runs after it.
      const first = await timed(fn);
      const times: number[] = [];
      // The server's CPU time (user + system) over the runs: steadier than wall time on a shared machine.
      const cpu0 = cpuMs(s.pid);
      for (let i = 0; i < RUNS; i++) times.push(await timed(fn));
      const cpu = (cpuMs(s.pid) - cpu0) / RUNS;
      const ms = median(times);
      last = ms;
      rows.push(`| ${label} over ${fmt(TOTAL)} events (median of ${RUNS}) | ${ms.toFixed(0)} ms (first run ${first.toFixed(0)} ms; server CPU ${cpu.toFixed(0)} ms a run) | ${base.ms.toFixed(0)} ms (\`grep -c ${base.term}\`, ${fmt(base.count)} matches) | ratio ${(ms / base.ms).toFixed(1)}x (target ≤ 5x and < 2 s) |`);
    };
    await measure('Logs Insights `stats count(*) by bin(5m)`, StartQuery to Complete with results', errors, () => insights(client, 'stats count(*) by bin(5m)', t0, end));
    await measure('Logs Insights `filter @message like /ERROR/` (10,000 rows returned)', errors, () => insights(client, 'filter @message like /ERROR/', t0, end));
    await measure('Logs Insights seed query (`filter @message like /ERROR/ \\| stats count() as error_count by bin(5m)`)', errors, () => insights(client, 'fields @timestamp, @message, @duration | filter @message like /ERROR/ | stats count() as error_count by bin(5m)', t0, end));
    let matched = 0;
    await measure('FilterLogEvents `deadlock` (rare term), every page', deadlocks, async () => { matched = await filterAll(client, 'deadlock'); });
    if (!only && matched !== deadlocks.count) throw new Error(`FilterLogEvents found ${matched} events, grep ${deadlocks.count}`);
    await measure('FilterLogEvents `ERROR` (10% of events), every page of 10,000', errors, async () => { matched = await filterAll(client, 'ERROR'); });
    if (!only && matched !== errors.count) throw new Error(`FilterLogEvents found ${matched} events, grep ${errors.count}`);
    // Where the time of the large answers goes: the same pages read by a plain client (its
    // JSON.parse timed apart: the rest is the server and HTTP), and the SDK reading the same
    // bytes from a server that only replays them (no search, no encoding).
    if (only && !only.startsWith('…')) return rows;
    const plain = plainClient(s.url);
    const parsed: number[] = [];
    await measure('… the same pages read by a plain client (SigV4-signed `fetch`, `JSON.parse`), every page', errors, async () => {
      const before = plain.parseMs();
      matched = await filterPlain(plain, 'ERROR');
      parsed.push(plain.parseMs() - before);
    });
    if (!only && matched !== errors.count) throw new Error(`FilterLogEvents found ${matched} events, grep ${errors.count}`);
    const parseMs = median(parsed.slice(1));
    rows.push(`| … of which the plain client's \`JSON.parse\` of the pages (median of ${RUNS}) | ${parseMs.toFixed(0)} ms | | ${(parseMs / errors.ms).toFixed(1)}x of grep | — |`);
    rows.push(`| … the rest: server and HTTP (the plain client's time less its \`JSON.parse\`) | ${(last - parseMs).toFixed(0)} ms | ${errors.ms.toFixed(0)} ms | ratio ${((last - parseMs) / errors.ms).toFixed(1)}x | — |`);
    const pages: string[] = [];
    await filterPlain(plain, 'ERROR', pages);
    const mb = pages.reduce((n, p) => n + Buffer.byteLength(p), 0) / 1e6;
    const replayed = await replay(pages);
    const sdk = new CloudWatchLogsClient({ endpoint: replayed.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    await measure(`… the SDK client alone: the same ${pages.length} pages (${mb.toFixed(1)} MB) replayed by a bare server`, errors, async () => { matched = await filterAll(sdk, 'ERROR'); });
    replayed.server.close();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { queryId } = await client.send(new StartQueryCommand({ logGroupName: GROUP, startTime: Math.floor(t0 / 1000), endTime: Math.ceil(end / 1000), queryString: 'filter @message like /ERROR/' }));
    let results = '';
    while (!results.includes('"Complete"')) results = await call(s.url, agent, 'GetQueryResults', { queryId });
    const replayedResults = await replay([`{"queryId":"q"}`, results]);
    const sdkResults = new CloudWatchLogsClient({ endpoint: replayedResults.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    await measure(`… Insights \`filter @message like /ERROR/\`: the SDK client alone, StartQuery and its results (${(results.length / 1e6).toFixed(1)} MB) replayed`, errors, () => insights(sdkResults, 'filter @message like /ERROR/', t0, end));
    replayedResults.server.close();
    agent.destroy();
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push(`| Load average (1 min) at the start and end of the run, on ${cpus().length} CPUs | ${loadAtStart.toFixed(1)} → ${loadavg()[0].toFixed(1)} | | | |`);
  return rows;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
