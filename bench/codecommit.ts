// Issue 5: CodeCommit's git hosting. Clone and push of a repository with 10,000 files and
// 1,000 commits over Slipway's smart HTTP endpoint, against git working on a bare repository's
// path on disk in the same run (push: into a new bare repository; clone: of the very bare
// repository Slipway serves); and push-to-event latency (receive-pack done to PutEvents).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PUSH_RECEIVED } from '../src/services/codecommit/index.js';
import { SERVICES } from '../src/services/registry.js';
import type { ServiceDefinition } from '../src/services/service.js';
import { Slipway } from '../src/slipway.js';
import { median } from './lib/stats.js';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 1_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PUSHES = 20;

const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };

function git(cwd: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { cwd, env: gitEnv, maxBuffer: 1 << 26 }, (e, _out, err) => (e ? reject(new Error(`git ${args.join(' ')}: ${err}`)) : resolve()));
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Deterministic file text of about 400 bytes. */
function content(file: number, version: number): string {
  let s = '';
  let x = (file * 2654435761 + version * 40503) >>> 0;
  for (let line = 0; line < 8; line++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += `line ${line} of file ${file} version ${version}: ${x.toString(36).repeat(4)}\n`;
  }
  return s;
}

/** A fast-import stream: one commit adding FILES files, then commits changing 10 files each. */
function history(): string {
  const parts: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const path = (f: number) => `src/d${String(Math.floor(f / 100)).padStart(3, '0')}/file${f}.txt`;
  const version = new Array<number>(FILES).fill(0);
  for (let c = 0; c < COMMITS; c++) {
    parts.push(`commit refs/heads/main\nmark :${c + 1}\ncommitter Bench <bench@example.com> ${1_700_000_000 + c * 60} +0000\n${data(`commit ${c}`)}`);
    if (c > 0) parts.push(`from :${c}\n`);
    const changed = c === 0 ? [...Array(FILES).keys()] : Array.from({ length: 10 }, (_v, i) => (c * 37 + i * 1009) % FILES);
    for (const f of changed) {
      if (c > 0) version[f]++;
      parts.push(`M 100644 inline ${path(f)}\n${data(content(f, version[f]))}`);
    }
  }
  return parts.join('');
}

/** EventBridge stand-in that records when each event arrived, and when pushes were received. */
function recorder() {
  const events: { at: number; detail: Record<string, unknown> }[] = [];
  const pushes: number[] = [];
  const def: ServiceDefinition = {
    name: 'events',
    create(deps) {
      deps.bus.on<{ at: number }>(PUSH_RECEIVED, (p) => pushes.push(p.at));
      return {
        provider: {
          async PutEvents(input: { Entries: { Detail?: string }[] }) {
            for (const e of input.Entries) events.push({ at: performance.now(), detail: JSON.parse(e.Detail ?? '{}') });
            return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) };
          },
        },
      };
    },
  };
  return { def, events, pushes };
}

/** A new repository: its clone URL, and its bare repository's directory on disk. */
async function createRepo(slipway: Slipway, name: string): Promise<{ url: string; dir: string }> {
  const out = await slipway.aws.call<{ repositoryMetadata: { cloneUrlHttp: string; repositoryId: string } }>('codecommit', 'CreateRepository', { repositoryName: name }, { accountId: '000000000000', region: 'us-east-1' });
  const dir = join(slipway.config.dataDir, 'services', 'codecommit', 'repositories', `${out.repositoryMetadata.repositoryId}.git`);
  return { url: out.repositoryMetadata.cloneUrlHttp, dir };
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

export async function benchCodecommit(): Promise<string[]> {
  // git on both sides uses every CPU; the harness's pinning would starve the baseline's receive-pack.
  spawnSync('taskset', ['-a', '-p', '-c', `0-${cpus().length - 1}`, String(process.pid)]);
  const root = mkdtempSync(join(tmpdir(), 'slipway-bench-cc-'));
  const rec = recorder();
  const slipway = await Slipway.start({ host: '127.0.0.1', port: 0, logLevel: 'error', dataDir: join(root, 'slipway'), services: [...SERVICES, rec.def] });
  const rows: string[] = [];
  try {
    const source = join(root, 'source.git');
    await git(root, ['init', '-q', '--bare', source]);
    const generated = await timed(() => git(source, ['fast-import', '--quiet'], history()));
    const pushSlip: number[] = [];
    const pushBase: number[] = [];
    const cloneSlip: number[] = [];
    const cloneBase: number[] = [];
    const cloneFile: number[] = [];
    let slipUrl = '';
    for (let r = 0; r < ROUNDS; r++) {
      const created = await createRepo(slipway, `bench-${r}`);
      slipUrl = created.url;
      const bare = join(root, `baseline-${r}.git`);
      await git(root, ['init', '-q', '--bare', '--initial-branch=main', bare]);
      // Alternate which goes first, so that caches and machine noise favour neither.
      const pushes = [async () => pushBase.push(await timed(() => git(source, ['push', '-q', bare, 'main']))), async () => pushSlip.push(await timed(() => git(source, ['push', '-q', slipUrl, 'main'])))];
      for (const step of r % 2 ? pushes.reverse() : pushes) await step();
      // Slipway repacks a pushed repository with a bitmap in the background; let it finish.
      await slipway.settled();
      const dest = (n: string) => join(root, `clone-${n}-${r}`);
      const clones = [
        // The baseline clones the very repository Slipway serves, from its path on disk.
        async () => cloneBase.push(await timed(() => git(root, ['clone', '-q', created.dir, dest('base')]))),
        async () => cloneSlip.push(await timed(() => git(root, ['clone', '-q', slipUrl, dest('slip')]))),
        async () => cloneFile.push(await timed(() => git(root, ['clone', '-q', `file://${created.dir}`, dest('file')]))),
      ];
      for (const step of r % 2 ? clones.reverse() : clones) await step();
      // Every clone must have checked out the work tree, or the comparison would be unfair.
      for (const n of ['base', 'slip', 'file']) if (!existsSync(join(dest(n), 'src/d099/file9999.txt')) && FILES === 10_000) throw new Error(`clone ${n} has no work tree`);
      for (const n of ['base', 'slip', 'file']) rmSync(dest(n), { recursive: true, force: true });
    }
    rows.push(`| Repository: ${FILES.toLocaleString('en')} files, ${COMMITS.toLocaleString('en')} commits (fast-import in ${ms(generated)}) | | | |`);
    rows.push(`| git push of the whole history (median of ${ROUNDS}) | ${ms(median(pushSlip))} over HTTP | ${ms(median(pushBase))} (push to a new bare repo's path) | ${ratio(median(pushSlip), median(pushBase))} (target ≤ 1.5x) |`);
    rows.push(`| git clone (median of ${ROUNDS}) | ${ms(median(cloneSlip))} over HTTP | ${ms(median(cloneBase))} (clone of the same bare repo from its path) | ${ratio(median(cloneSlip), median(cloneBase))} (target ≤ 1.5x) |`);
    rows.push(`| … the same clone with git's pack protocol on disk (file://) | ${ms(median(cloneSlip))} | ${ms(median(cloneFile))} | ${ratio(median(cloneSlip), median(cloneFile))} |`);
    rows.push(...(await pushToEvent(root, slipUrl, rec)));
  } finally {
    await slipway.close();
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

/** Small pushes, one commit each: from receive-pack's end (push accepted) to PutEvents. */
async function pushToEvent(root: string, url: string, rec: ReturnType<typeof recorder>): Promise<string[]> {
  const work = join(root, 'latency');
  await git(root, ['clone', '-q', '--depth', '1', url, work]);
  const latencies: number[] = [];
  const beforeExit: number[] = [];
  for (let i = 0; i < PUSHES; i++) {
    await git(work, ['-c', 'user.name=b', '-c', 'user.email=b@e', 'commit', '-q', '--allow-empty', '-m', `push ${i}`]);
    const seen = rec.events.length;
    await new Promise<void>((resolve, reject) => {
      const child = spawn('git', ['push', '-q', 'origin', 'HEAD:main'], { cwd: work, env: gitEnv, stdio: 'ignore' });
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`push exited ${code}`))));
    });
    const exited = performance.now();
    while (rec.events.length === seen) await new Promise((r) => setImmediate(r));
    const event = rec.events[seen].at;
    latencies.push(event - rec.pushes[rec.pushes.length - 1]);
    beforeExit.push(exited - event);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return [
    `| Push-to-event latency: receive-pack done → PutEvents (median / max of ${PUSHES}) | ${median(latencies).toFixed(1)} / ${sorted[sorted.length - 1].toFixed(1)} ms | — | < 50 ms |`,
    `| … the event arrived before \`git push\` returned, by (median) | ${median(beforeExit).toFixed(1)} ms | — | — |`,
  ];
}
