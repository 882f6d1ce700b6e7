// Issue 6: CodeBuild's platform overhead. For a buildspec of trivial commands: StartBuild to the
// first command running, and the build's total time minus what its commands take when a shell
// runs them directly (the baseline, measured in the same run); then 20 builds started at once on
// this machine's cores, each checked for its own correct output.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BatchGetBuildsCommand, CodeBuildClient, CreateProjectCommand, StartBuildCommand, type Build } from '@aws-sdk/client-codebuild';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { detectSandbox } from '../src/runtime/sandbox.js';
import { Slipway } from '../src/slipway.js';
import { median } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
/** A local Docker image name here measures the Docker backend; the default runs on the local sandbox. */
const IMAGE = process.env.BENCH_CODEBUILD_IMAGE ?? 'aws/codebuild/standard:7.0';
const CONCURRENT = 20;
const COMMANDS = ['echo "first $(date +%s%N)"', 'X=hello', 'test "$X" = hello', 'echo "done $CODEBUILD_BUILD_NUMBER"'];
const SPEC = `version: 0.2\nphases:\n  build:\n    commands:\n${COMMANDS.map((c) => `      - ${JSON.stringify(c)}`).join('\n')}\n`;
const config = (url: string) => ({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

/** Wall-clock epoch milliseconds with sub-millisecond precision (comparable with `date +%s%N`). */
const epochMs = () => performance.timeOrigin + performance.now();

/** The baseline: the same commands run directly by one bash; ms from spawn to the first command, and in total. */
function direct(): Promise<{ first: number; total: number }> {
  return new Promise((resolve) => {
    const t0 = epochMs();
    const child = spawn('bash', ['-c', COMMANDS.map((c) => c.replace('$CODEBUILD_BUILD_NUMBER', '1')).join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => resolve({ first: Number(/first (\d+)/.exec(out)![1]) / 1e6 - t0, total: epochMs() - t0 }));
  });
}

async function waitAll(cb: CodeBuildClient, ids: string[]): Promise<Build[]> {
  for (;;) {
    const builds = (await cb.send(new BatchGetBuildsCommand({ ids }))).builds!;
    if (builds.every((b) => b.buildComplete)) return ids.map((id) => builds.find((b) => b.id === id)!);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function logOf(url: string, b: Build): Promise<string[]> {
  const out = await new CloudWatchLogsClient(config(url)).send(new GetLogEventsCommand({ logGroupName: b.logs!.groupName!, logStreamName: b.logs!.streamName!, startFromHead: true }));
  return (out.events ?? []).map((e) => e.message ?? '');
}

export async function benchCodebuild(): Promise<string[]> {
  // Builds are processes of their own: let them use every core, as they would in use.
  spawnSync('taskset', ['-a', '-p', '-c', `0-${cpus().length - 1}`, String(process.pid)]);
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-codebuild-'));
  const slipway = await Slipway.start({ host: '127.0.0.1', port: 0, logLevel: 'error', dataDir });
  const cb = new CodeBuildClient(config(slipway.url));
  try {
    await cb.send(new CreateProjectCommand({ name: 'bench', source: { type: 'NO_SOURCE', buildspec: SPEC }, artifacts: { type: 'NO_ARTIFACTS' }, environment: { type: 'LINUX_CONTAINER', image: IMAGE, computeType: 'BUILD_GENERAL1_SMALL' }, serviceRole: 'arn:aws:iam::000000000000:role/bench' }));
    const firsts: number[] = [];
    const totals: number[] = [];
    const baseFirst: number[] = [];
    const baseTotal: number[] = [];
    let backend = detectSandbox().kind as string;
    for (let i = 0; i < ROUNDS + 1; i++) {
      const base = await direct();
      const t0 = epochMs();
      const id = (await cb.send(new StartBuildCommand({ projectName: 'bench' }))).build!.id!;
      const [b] = await waitAll(cb, [id]);
      const log = await logOf(slipway.url, b);
      if (b.buildStatus !== 'SUCCEEDED' || !log.includes(`done ${b.buildNumber}`)) throw new Error(`build ${id} ${b.buildStatus}: ${log.join('\n')}`);
      if (i === 0) {
        backend = /with the (Docker|local \w+) backend/.exec(log[0] ?? '')?.[1] ?? backend;
        continue; // warm-up
      }
      firsts.push(Number(/^first (\d+)$/m.exec(log.join('\n'))![1]) / 1e6 - t0);
      totals.push(b.endTime!.getTime() - t0);
      baseFirst.push(base.first);
      baseTotal.push(base.total);
    }
    const overhead = median(totals) - median(baseTotal);

    const t0 = performance.now();
    const ids = await Promise.all(Array.from({ length: CONCURRENT }, () => cb.send(new StartBuildCommand({ projectName: 'bench' })).then((o) => o.build!.id!)));
    const builds = await waitAll(cb, ids);
    const wall = performance.now() - t0;
    let correct = 0;
    for (const b of builds) if (b.buildStatus === 'SUCCEEDED' && (await logOf(slipway.url, b)).includes(`done ${b.buildNumber}`)) correct++;
    return [
      `| Build of 4 trivial commands (${backend} backend): StartBuild → first command running (median of ${ROUNDS}) | ${median(firsts).toFixed(1)} ms | ${median(baseFirst).toFixed(1)} ms (bash spawned → first command) | < 100 ms |`,
      `| … StartBuild → build complete (median of ${ROUNDS}) | ${median(totals).toFixed(1)} ms | ${median(baseTotal).toFixed(1)} ms (the commands run by one bash) | — |`,
      `| … platform overhead: total minus the commands' own time | ${overhead.toFixed(1)} ms | — | < 200 ms |`,
      `| ${CONCURRENT} builds started at once (${slipway ? cpus().length : 0} cores, concurrency limit ${Math.max(1, cpus().length)}) | ${correct}/${CONCURRENT} SUCCEEDED with their own output, ${wall.toFixed(0)} ms wall | — | all complete correctly |`,
    ];
  } finally {
    await slipway.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
