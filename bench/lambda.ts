// Lambda: warm invoke latency. Sequential Invoke calls through Slipway's gateway (rest-json,
// as the SDKs send them) to a warm Node function, against two baselines in the same run: the
// same handler called directly in this process, and the same handler in a warm child process
// behind a bare node:http server (one local HTTP hop, the floor for out-of-process execution).
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { zipSync } from 'fflate';
import { startSlipway } from './lib/servers.js';
import { median } from './lib/stats.js';

const N = Number(process.env.BENCH_LAMBDA_INVOKES ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HANDLER = 'async (event) => ({ statusCode: 200, body: JSON.stringify({ id: event.id, ok: true }) })';
const EVENT = JSON.stringify({ id: 42, path: '/users', headers: { accept: 'application/json' } });
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`status ${res.statusCode}: ${Buffer.concat(chunks).toString()}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Per-call latencies in ms, sequential. */
async function measure(call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 50; i++) await call();
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await call();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** The same handler in a warm child process behind a bare HTTP server. */
async function startChild(): Promise<{ url: string; stop: () => void }> {
  const script = `const handler = ${HANDLER};
    const server = require('node:http').createServer((req, res) => { const c = []; req.on('data', (d) => c.push(d)); req.on('end', async () => {
      const out = JSON.stringify(await handler(JSON.parse(Buffer.concat(c).toString())));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out); }); });
    server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url, stop: () => child.kill() };
}

export async function benchLambda(): Promise<string[]> {
  const s = await startSlipway();
  const child = await startChild();
  const client = new LambdaClient({ endpoint: s.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const zip = Buffer.from(zipSync({ 'index.js': Buffer.from(`exports.handler = ${HANDLER};\n`) }));
  await client.send(new CreateFunctionCommand({ FunctionName: 'bench', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: zip } }));
  client.destroy();
  const auth = { authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000', 'x-amz-date': '20240101T000000Z' };
  const handler = (0, eval)(HANDLER) as (e: unknown) => Promise<unknown>;
  const runs = { slipway: [] as number[][], child: [] as number[][], direct: [] as number[][] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      runs.slipway.push(await measure(() => post(`${s.url}/2015-03-31/functions/bench/invocations`, EVENT, auth)));
      runs.child.push(await measure(() => post(child.url, EVENT)));
      runs.direct.push(await measure(async () => JSON.stringify(await handler(JSON.parse(EVENT)))));
    }
  } finally {
    child.stop();
    await s.stop();
  }
  const stat = (xs: number[][], p: number) => median(xs.map((x) => pct(x, p)));
  const fmt = (xs: number[][]) => `${stat(xs, 0.5).toFixed(2)} / ${stat(xs, 0.99).toFixed(2)} ms`;
  const added = stat(runs.slipway, 0.5) - stat(runs.child, 0.5);
  return [
    `| Lambda warm Invoke (Node, sequential, median of ${ROUNDS} × ${N}): p50 / p99 | ${fmt(runs.slipway)} | ${fmt(runs.child)} (same handler in a warm child behind bare node:http); ${fmt(runs.direct)} (called in-process) | added p50 over the child ${added.toFixed(2)} ms |`,
    `| … invocations per second, one client | ${(1000 / stat(runs.slipway, 0.5)).toFixed(0)} | ${(1000 / stat(runs.child, 0.5)).toFixed(0)} (child) | — |`,
  ];
}
