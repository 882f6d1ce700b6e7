// Issue 3: S3's data path. Small objects: PutObject then GetObject of 4 KiB at concurrency 32.
// Large objects: a 1 GiB multipart upload and its download. The baseline is a bare node:http
// server that writes each body to a local file and reads it back, and plain file streams for
// the 1 GiB round trip, measured in the same run.
import autocannon from 'autocannon';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { cpuMs, startFileServer, startSlipway, peakRssMb, type Running } from './lib/servers.js';
import { median } from './lib/stats.js';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SMALL = Buffer.alloc(4096, 'x');
const MiB = 1024 * 1024;
const BIG_PART = 64 * MiB;
const BIG_PARTS = Number(process.env.BENCH_BIG_PARTS ?? 16);

const s3Headers = {
  authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000',
  'x-amz-date': '20240101T000000Z',
  'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
};

interface Rate {
  rps: number;
  p99: number;
  /** Server CPU per request, in microseconds: steadier than rates on a shared machine. */
  cpuUs: number;
}

/** PUTs distinct keys for `SECONDS`, then GETs them back; returns both rates and checks every answer was 2xx. */
async function smallObjects(server: Running, prefix: string): Promise<{ put: Rate; get: Rate }> {
  const url = server.url;
  let n = 0;
  let cpu = cpuMs(server.pid);
  const put = await autocannon({
    url, connections: CONNECTIONS, duration: SECONDS,
    requests: [{ method: 'PUT', headers: s3Headers, body: SMALL, setupRequest: (r) => ({ ...r, path: `/${prefix}/k${n++}` }) }],
  });
  const putCpu = cpuMs(server.pid) - cpu;
  let m = 0;
  const written = Math.max(1, put.requests.total);
  cpu = cpuMs(server.pid);
  const get = await autocannon({
    url, connections: CONNECTIONS, duration: SECONDS,
    requests: [{ method: 'GET', headers: s3Headers, setupRequest: (r) => ({ ...r, path: `/${prefix}/k${m++ % written}` }) }],
  });
  const getCpu = cpuMs(server.pid) - cpu;
  for (const r of [put, get]) if (r.non2xx || r.errors || r.timeouts) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  const rate = (r: typeof put, ms: number): Rate => ({ rps: r.requests.average, p99: r.latency.p99, cpuUs: (ms * 1000) / Math.max(1, r.requests.total) });
  return { put: rate(put, putCpu), get: rate(get, getCpu) };
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function call(url: string, method: string, path: string, body?: Buffer | string, sink?: Writable): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...s3Headers };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request({ host: u.hostname, port: u.port, method, path, headers, agent }, (res) => {
      if (sink) {
        pipeline(res, sink).then(() => resolve({ status: res.statusCode ?? 0, text: '' }), reject);
        return;
      }
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => (res.statusCode ?? 500) < 300 ? resolve({ status: res.statusCode!, text }) : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function counter(): Writable & { bytes: number } {
  const w = new Writable({ write(chunk: Buffer, _e, done) { w.bytes += chunk.length; done(); } }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}

/** 1 GiB through Slipway: CreateMultipartUpload, 16 × 64 MiB UploadPart (4 at once), Complete, then one GET. */
async function bigThroughSlipway(url: string, part: Buffer): Promise<{ upMs: number; downMs: number }> {
  const began = performance.now();
  const created = await call(url, 'POST', '/bench/big.bin?uploads');
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)![1];
  const etags: string[] = [];
  let next = 1;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next <= BIG_PARTS) {
      const n = next++;
      const u = new URL(url);
      etags[n] = await new Promise<string>((resolve, reject) => {
        const req = request({ host: u.hostname, port: u.port, method: 'PUT', path: `/bench/big.bin?partNumber=${n}&uploadId=${encodeURIComponent(uploadId)}`, headers: { ...s3Headers, 'content-length': String(part.length) }, agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(String(res.headers.etag)) : reject(new Error(`UploadPart ${n}: ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(part);
      });
    }
  }));
  const xml = `<CompleteMultipartUpload>${etags.slice(1).map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  await call(url, 'POST', `/bench/big.bin?uploadId=${encodeURIComponent(uploadId)}`, xml);
  const upMs = performance.now() - began;
  const t = performance.now();
  const sink = counter();
  await call(url, 'GET', '/bench/big.bin', undefined, sink);
  if (sink.bytes !== part.length * BIG_PARTS) throw new Error(`downloaded ${sink.bytes} bytes`);
  return { upMs, downMs: performance.now() - t };
}

/** The same bytes written to a local file from memory and read back, with plain streams. */
async function bigThroughFiles(part: Buffer): Promise<{ upMs: number; downMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-files-'));
  try {
    const began = performance.now();
    await pipeline(Readable.from((function* () { for (let i = 0; i < BIG_PARTS; i++) yield part; })()), createWriteStream(join(dir, 'big.bin')));
    const upMs = performance.now() - began;
    const t = performance.now();
    const sink = counter();
    await pipeline(createReadStream(join(dir, 'big.bin')), sink);
    return { upMs, downMs: performance.now() - t };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withServers<T>(fn: (slip: Running, files: Running) => Promise<T>): Promise<T> {
  const slip = await startSlipway();
  const files = await startFileServer();
  try {
    await call(slip.url, 'PUT', '/bench');
    return await fn(slip, files);
  } finally {
    await slip.stop();
    await files.stop();
  }
}

export async function benchS3(): Promise<string[]> {
  const rows: string[] = [];
  const small = await withServers(async (slip, files) => {
    const out: { slip: { put: Rate; get: Rate }; files: { put: Rate; get: Rate } }[] = [];
    for (let i = 0; i < ROUNDS; i++) out.push({ slip: await smallObjects(slip, `bench/r${i}`), files: await smallObjects(files, `bench/r${i}`) });
    return out;
  });
  for (const op of ['put', 'get'] as const) {
    const pick = (side: 'slip' | 'files', f: (r: Rate) => number) => median(small.map((r) => f(r[side][op])));
    const s = pick('slip', (r) => r.rps);
    const b = pick('files', (r) => r.rps);
    const name = op === 'put' ? 'PutObject' : 'GetObject';
    const what = op === 'put' ? 'node:http writing each body to a file' : 'node:http streaming the file';
    rows.push(`| S3 ${name} 4 KiB, ${CONNECTIONS} connections: requests/s, p99 (median of ${ROUNDS} × ${SECONDS} s) | ${s.toFixed(0)}, ${pick('slip', (r) => r.p99)} ms | ${b.toFixed(0)}, ${pick('files', (r) => r.p99)} ms (${what}) | several thousand/s; ratio ${((s / b) * 100).toFixed(0)}% |`);
    rows.push(`| … server CPU per ${name} | ${pick('slip', (r) => r.cpuUs).toFixed(0)} µs | ${pick('files', (r) => r.cpuUs).toFixed(0)} µs | — |`);
  }

  const part = Buffer.alloc(BIG_PART);
  for (let i = 0; i < part.length; i += 4) part.writeUInt32LE((i * 2654435761) >>> 0, i);
  const big = await withServers(async (slip) => {
    const runs: { slip: { upMs: number; downMs: number }; files: { upMs: number; downMs: number } }[] = [];
    for (let i = 0; i < 3; i++) runs.push({ slip: await bigThroughSlipway(slip.url, part), files: await bigThroughFiles(part) });
    return { runs, rss: peakRssMb(slip.pid) };
  });
  const gib = (BIG_PART * BIG_PARTS) / 1024 ** 3;
  const up = median(big.runs.map((r) => r.slip.upMs));
  const down = median(big.runs.map((r) => r.slip.downMs));
  const fup = median(big.runs.map((r) => r.files.upMs));
  const fdown = median(big.runs.map((r) => r.files.downMs));
  rows.push(`| S3 ${gib} GiB multipart upload (${BIG_PARTS} × 64 MiB parts, 4 at once), median of 3 | ${(up / 1000).toFixed(2)} s | ${(fup / 1000).toFixed(2)} s (write the file) | — |`);
  rows.push(`| S3 ${gib} GiB GetObject download, median of 3 | ${(down / 1000).toFixed(2)} s | ${(fdown / 1000).toFixed(2)} s (read the file) | — |`);
  rows.push(`| S3 ${gib} GiB round trip (upload + download) | ${((up + down) / 1000).toFixed(2)} s | ${((fup + fdown) / 1000).toFixed(2)} s | within 2x: ${((up + down) / (fup + fdown)).toFixed(2)}x |`);
  rows.push(`| Slipway peak resident memory over the ${gib} GiB transfers | ${big.rss.toFixed(0)} MB | — | far below the object size |`);
  return rows;
}
