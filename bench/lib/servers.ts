import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = join(import.meta.dirname, '..', '..');
export const CLI = join(root, 'dist/cli/main.js');

export interface Running {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 answer. */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * On a 2-core machine the load generator and the server fight for CPU, and whichever
 * allocates more (and so runs more GC threads) loses twice. Each gets a core of its own:
 * servers run on the last CPU, this process (and its load generator) on the others.
 */
const SERVER_CPU = cpus().length - 1;
const canPin = cpus().length > 1 && spawnSync('taskset', ['-V']).status === 0;
if (canPin) spawnSync('taskset', ['-a', '-p', '-c', `0-${SERVER_CPU - 1}`, String(process.pid)]);
export const pinning = canPin ? `server on CPU ${SERVER_CPU}, load generator on CPU 0${SERVER_CPU > 1 ? `-${SERVER_CPU - 1}` : ''}` : 'not pinned';

/** Runs a command pinned to the servers' CPU (when pinning is possible). */
export function spawnPinned(cmd: string, args: string[]): ChildProcess {
  return canPin ? spawn('taskset', ['-c', String(SERVER_CPU), cmd, ...args], { stdio: 'ignore' }) : spawn(cmd, args, { stdio: 'ignore' });
}

/** Spawns a server process and waits until `probe` answers 200; the process prints its URL. */
async function spawnServer(args: string[], urlPattern: RegExp, probePath: string, cleanup = () => {}): Promise<Running> {
  const began = performance.now();
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of the server when it stops.
  if (process.env.BENCH_PROFILE) args = [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, ...args];
  const [cmd, argv] = canPin ? ['taskset', ['-c', String(SERVER_CPU), process.execPath, ...args]] : [process.execPath, args];
  const child: ChildProcess = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SLIPWAY_LOG_LEVEL: 'warn' } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = urlPattern.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  for (;;) {
    const res = await fetch(`${url}${probePath}`).catch(() => undefined);
    if (res?.status === 200) {
      await res.arrayBuffer();
      break;
    }
  }
  const startMs = performance.now() - began;
  return {
    url,
    pid: child.pid!,
    startMs,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      cleanup();
    },
  };
}

export function startSlipway(extraArgs: string[] = []): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  return spawnServer([CLI, 'start', '--port', '0', '--data-dir', dataDir, ...extraArgs], /ready on (http:\/\/\S+) in /, '/_slipway/health', () =>
    rmSync(dataDir, { recursive: true, force: true }),
  );
}

/** The baseline: a bare node:http server answering a fixed JSON body. */
export function startBareServer(): Promise<Running> {
  const script = `
    const body = JSON.stringify({ UserId: '000000000000', Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root' });
    const server = require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': require('node:crypto').randomUUID(), 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 65000;
    server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));`;
  return spawnServer(['-e', script], /listening on (http:\/\/\S+)/, '/');
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/**
 * A baseline for object storage: a bare node:http server that streams each PUT body into a
 * file named after the path (hashed) and streams the file back on GET.
 */
export function startFileServer(): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-fileserver-'));
  const script = `
    const fs = require('node:fs'); const path = require('node:path'); const crypto = require('node:crypto');
    const dir = ${JSON.stringify(dir)};
    const file = (p) => path.join(dir, crypto.createHash('sha1').update(p).digest('hex'));
    const server = require('node:http').createServer((req, res) => {
      if (req.method === 'PUT') {
        req.pipe(fs.createWriteStream(file(req.url))).on('finish', () => { res.writeHead(200, { 'content-length': 0 }); res.end(); });
      } else if (req.method === 'GET' && req.url !== '/') {
        const f = file(req.url);
        fs.stat(f, (err, st) => {
          if (err) { res.writeHead(404, { 'content-length': 0 }); return res.end(); }
          res.writeHead(200, { 'content-length': st.size });
          fs.createReadStream(f).pipe(res);
        });
      } else { req.resume(); res.writeHead(200, { 'content-length': 0 }); res.end(); }
    });
    server.keepAliveTimeout = 65000;
    server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));`;
  return spawnServer(['-e', script], /listening on (http:\/\/\S+)/, '/', () => rmSync(dir, { recursive: true, force: true }));
}

/** Peak resident memory of a process so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
