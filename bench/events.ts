// Issue 4: EventBridge routing. PutEvents over HTTP to a rule with an SQS target, paced at
// 1,000 events/s; latency runs from the moment a request is sent to the moment the (fake)
// SQS target in the Slipway process receives the message. Slipway runs in its own process
// (pinned to its own CPU, as in the gateway benchmark). Baseline, same run and pace: the same
// routing (pattern match over the rules, the target's input, the target call) done by direct
// function calls, without HTTP or the durable job queue.
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { EventPattern } from '../src/services/common/event-pattern/index.js';
import { targetInput } from '../src/services/events/input-transform.js';
import { pinning } from './lib/servers.js';
import { median } from './lib/stats.js';

const RATE = 1000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RULES = 20;
const AUTH = 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/events/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000';
const now = () => performance.timeOrigin + performance.now();

/** When each event (by sequence number) reached its target, in absolute ms. */
let received = new Map<number, number>();

const patternFor = (i: number) => JSON.stringify({ source: [`shop.service${i}`], 'detail-type': ['Order Placed'], detail: { status: ['confirmed'] } });
const detail = (seq: number) => JSON.stringify({ status: 'confirmed', seq, items: [{ sku: 'a', qty: 1 }] });

interface Server {
  url: string;
  /** The receipts since the last take, and the server's CPU time (µs) over the same span. */
  take(): Promise<{ receipts: Map<number, number>; cpuMicros: number }>;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const script = new URL('./lib/events-server.ts', import.meta.url).pathname;
  // Pinned like the gateway benchmark's servers: `taskset -c <last cpu> node --import tsx <script>`.
  const pinned = pinning.startsWith('server on CPU') && process.env.BENCH_NO_PIN === undefined;
  const child: ChildProcess = fork(script, [], {
    execPath: pinned ? 'taskset' : process.execPath,
    execArgv: [...(pinned ? ['-c', String(cpus().length - 1), process.execPath] : []), ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROFILE] : []), '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(type: string) => new Promise<T>((resolve) => child.on('message', function on(m: { type: string }) {
    if (m.type !== type) return;
    child.off('message', on);
    resolve(m as T);
  }));
  const { url } = await next<{ url: string }>('ready');
  return {
    url: `${url}/`,
    async take() {
      const got = next<{ receipts: [number, number][]; cpuMicros: number }>('receipts');
      child.send({ type: 'take' });
      const { receipts, cpuMicros } = await got;
      return { receipts: new Map(receipts), cpuMicros };
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}
// A keep-alive pool, as an SDK client keeps: new connections per request would measure TCP set-up.
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function call(url: string, target: string, body: object): Promise<unknown> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSEvents.${target}`, authorization: AUTH, 'x-amz-date': '20240101T000000Z', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${target} answered ${res.statusCode}: ${text}`))));
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

/** Runs `send(seq)` paced at RATE per second for SECONDS; returns when each was sent (absolute ms). */
async function paced(send: (seq: number) => void): Promise<Map<number, number>> {
  const sent = new Map<number, number>();
  const total = RATE * SECONDS;
  const start = performance.now();
  let seq = 0;
  while (seq < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * RATE) / 1000) + 1);
    for (; seq < due; seq++) {
      sent.set(seq, now());
      send(seq);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return sent;
}

function latencies(sent: Map<number, number>, cpuMicros = 0): { p50: number; p99: number; max: number; lost: number; cpuPerEvent: number } {
  const l = [...sent].flatMap(([seq, t]) => (received.has(seq) ? [received.get(seq)! - t] : [])).sort((a, b) => a - b);
  const at = (q: number) => l[Math.min(l.length - 1, Math.floor(q * l.length))];
  return { p50: at(0.5), p99: at(0.99), max: l[l.length - 1], lost: sent.size - l.length, cpuPerEvent: cpuMicros / sent.size };
}

async function slipwayRound(server: Server) {
  await server.take(); // the server's CPU count starts with this round
  const inFlight: Promise<unknown>[] = [];
  const sent = await paced((seq) => {
    inFlight.push(call(server.url, 'PutEvents', { Entries: [{ Source: `shop.service${RULES - 1}`, DetailType: 'Order Placed', Detail: detail(seq) }] }));
  });
  await Promise.all(inFlight);
  const taken = await server.take();
  received = taken.receipts;
  return latencies(sent, taken.cpuMicros);
}

/** The same routing with direct calls: match every rule, build the event and its input, hand it to the target. */
async function baselineRound() {
  received = new Map();
  const rules = Array.from({ length: RULES }, (_, i) => EventPattern.compile(patternFor(i)));
  const target = (body: string) => received.set((JSON.parse(body) as { detail: { seq: number } }).detail.seq, now());
  const sent = await paced((seq) => {
    const event = { version: '0', id: String(seq), 'detail-type': 'Order Placed', source: `shop.service${RULES - 1}`, account: '000000000000', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: JSON.parse(detail(seq)) as unknown };
    for (const rule of rules) if (rule.matches(event)) target(targetInput({}, { event, ruleArn: 'r', ruleName: 'r', ingestionTime: event.time }));
  });
  return latencies(sent);
}

export async function benchEvents(): Promise<string[]> {
  const server = await startServer();
  const slip: ReturnType<typeof latencies>[] = [];
  const base: ReturnType<typeof latencies>[] = [];
  try {
    for (let i = 0; i < RULES; i++) {
      await call(server.url, 'PutRule', { Name: `orders-${i}`, EventPattern: patternFor(i) });
      await call(server.url, 'PutTargets', { Rule: `orders-${i}`, Targets: [{ Id: 'q', Arn: `arn:aws:sqs:us-east-1:000000000000:orders-${i}` }] });
    }
    await slipwayRound(server); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      slip.push(await slipwayRound(server));
      base.push(await baselineRound());
    }
  } finally {
    await server.stop();
  }
  const fmt = (xs: ReturnType<typeof latencies>[]) => `${median(xs.map((x) => x.p50)).toFixed(2)} / ${median(xs.map((x) => x.p99)).toFixed(2)} / ${median(xs.map((x) => x.max)).toFixed(1)} ms`;
  const lost = slip.reduce((n, x) => n + x.lost, 0);
  const cpu = median(slip.map((x) => x.cpuPerEvent));
  return [
    `| EventBridge PutEvents → rule (1 of ${RULES} matching) → SQS target at ${RATE} events/s, end-to-end latency p50 / p99 / max (median of ${ROUNDS} × ${SECONDS} s) | ${fmt(slip)} | ${fmt(base)} (direct calls: match, input, target) | p99 < 50 ms |`,
    `| … events not delivered | ${lost} of ${ROUNDS * RATE * SECONDS} | — | 0 |`,
    `| … Slipway process CPU per event (HTTP, PutEvents, routing, job commit and delivery) | ${cpu.toFixed(0)} µs (${(cpu * RATE / 10_000).toFixed(0)}% of a core at ${RATE}/s) | — | — |`,
  ];
}
