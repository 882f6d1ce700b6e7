import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchGetBuildsCommand, CodeBuildClient, CreateProjectCommand, StartBuildCommand, StopBuildCommand, type Build } from '@aws-sdk/client-codebuild';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { spawnSlipway } from '../../helpers/process.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { phase, waitForBuild } from './support.js';

const ENV = { type: 'LINUX_CONTAINER' as const, image: 'aws/codebuild/standard:5.0', computeType: 'BUILD_GENERAL1_SMALL' as const };
const spec = (cmd: string) => `version: 0.2\nphases:\n  build:\n    commands:\n      - ${cmd}\n`;

async function project(cb: CodeBuildClient, name = 'ctl') {
  await cb.send(new CreateProjectCommand({ name, source: { type: 'NO_SOURCE', buildspec: spec('"true"') }, artifacts: { type: 'NO_ARTIFACTS' }, environment: ENV, serviceRole: 'arn:aws:iam::000000000000:role/r' }));
}

/** Polls until the build reaches `phaseType` (its commands are running). */
async function reach(cb: CodeBuildClient, id: string, phaseType: string): Promise<Build> {
  for (let i = 0; i < 2000; i++) {
    const b = (await cb.send(new BatchGetBuildsCommand({ ids: [id] }))).builds![0];
    if (b.currentPhase === phaseType) return b;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`build ${id} never reached ${phaseType}`);
}

const running = (marker: string) => {
  try {
    return execFileSync('pgrep', ['-f', marker]).toString().trim().length > 0;
  } catch {
    return false;
  }
};

describe('stopping, timing out, queueing and crash recovery', () => {
  const open: TestSlipway[] = [];
  afterAll(async () => {
    for (const s of open) await s.close();
    delete process.env.SLIPWAY_CODEBUILD_CONCURRENCY;
  });

  it('StopBuild kills the whole process tree and ends the build STOPPED', async () => {
    const sw = await startSlipway();
    open.push(sw);
    const cb = new CodeBuildClient(sdkConfig(sw.url));
    await project(cb);
    const id = (await cb.send(new StartBuildCommand({ projectName: 'ctl', buildspecOverride: spec('(sleep 3017 &) ; sleep 3018') }))).build!.id!;
    await reach(cb, id, 'BUILD');
    for (let i = 0; i < 200 && !running('sleep 3018'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(running('sleep 3017')).toBe(true);
    const stopped = (await cb.send(new StopBuildCommand({ id }))).build!;
    expect(stopped.buildStatus).toBe('STOPPED');
    expect(phase(stopped, 'BUILD')).toMatchObject({ phaseStatus: 'STOPPED' });
    expect(phase(stopped, 'POST_BUILD')).toBeUndefined();
    expect(running('sleep 3017')).toBe(false);
    expect(running('sleep 3018')).toBe(false);
  });

  it('streams the log to CloudWatch Logs while the build runs', async () => {
    const sw = await startSlipway();
    open.push(sw);
    const cb = new CodeBuildClient(sdkConfig(sw.url));
    await project(cb, 'live');
    const id = (await cb.send(new StartBuildCommand({ projectName: 'live', buildspecOverride: spec('echo early-line; sleep 3021') }))).build!.id!;
    const inBuild = await reach(cb, id, 'BUILD');
    const logs = new CloudWatchLogsClient(sdkConfig(sw.url));
    let seen: string[] = [];
    for (let i = 0; i < 400 && !seen.includes('early-line'); i++) {
      await new Promise((r) => setTimeout(r, 10));
      seen = ((await logs.send(new GetLogEventsCommand({ logGroupName: inBuild.logs!.groupName!, logStreamName: inBuild.logs!.streamName!, startFromHead: true }))).events ?? []).map((e) => e.message!);
    }
    expect(seen).toContain('early-line');
    expect((await cb.send(new BatchGetBuildsCommand({ ids: [id] }))).builds![0].buildComplete).toBe(false);
    await cb.send(new StopBuildCommand({ id }));
  });

  it('times a build out after timeoutInMinutes of (injected) clock time, and a queued build after its queued timeout', async () => {
    process.env.SLIPWAY_CODEBUILD_CONCURRENCY = '1';
    const clock = new ManualClock(Date.now());
    const sw = await startSlipway({ clock });
    open.push(sw);
    const cb = new CodeBuildClient(sdkConfig(sw.url));
    await project(cb);
    const first = (await cb.send(new StartBuildCommand({ projectName: 'ctl', buildspecOverride: spec('sleep 3019'), timeoutInMinutesOverride: 10 }))).build!.id!;
    const queued = (await cb.send(new StartBuildCommand({ projectName: 'ctl', queuedTimeoutInMinutesOverride: 5 }))).build!.id!;
    await reach(cb, first, 'BUILD');
    expect((await cb.send(new BatchGetBuildsCommand({ ids: [queued] }))).builds![0].currentPhase).toBe('QUEUED');
    clock.advance(5 * 60_000);
    const q = await waitForBuild(cb, queued);
    expect(q.buildStatus).toBe('TIMED_OUT');
    expect(phase(q, 'QUEUED')).toMatchObject({ phaseStatus: 'TIMED_OUT', durationInSeconds: 300 });
    clock.advance(5 * 60_000);
    const b = await waitForBuild(cb, first);
    expect(b.buildStatus).toBe('TIMED_OUT');
    expect(phase(b, 'BUILD')).toMatchObject({ phaseStatus: 'TIMED_OUT', contexts: [{ statusCode: 'BUILD_TIMED_OUT', message: 'Build has timed out. 600 secs' }] });
    expect(running('sleep 3019')).toBe(false);
  });

  it('runs builds beyond the concurrency limit in order after waiting in QUEUED', async () => {
    process.env.SLIPWAY_CODEBUILD_CONCURRENCY = '1';
    const sw = await startSlipway();
    open.push(sw);
    const cb = new CodeBuildClient(sdkConfig(sw.url));
    await project(cb);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await cb.send(new StartBuildCommand({ projectName: 'ctl', buildspecOverride: spec('sleep 0.2') }))).build!.id!);
    const builds = [];
    for (const id of ids) builds.push(await waitForBuild(cb, id));
    expect(builds.map((b) => b.buildStatus)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // Each build left QUEUED only once the one before it had finished its commands.
    for (let i = 1; i < 3; i++) expect(phase(builds[i], 'QUEUED')!.endTime!.getTime()).toBeGreaterThanOrEqual(phase(builds[i - 1], 'BUILD')!.endTime!.getTime());
  });

  it('ends background processes with the build, so they never hold the next build back', async () => {
    process.env.SLIPWAY_CODEBUILD_CONCURRENCY = '1';
    const sw = await startSlipway();
    open.push(sw);
    const cb = new CodeBuildClient(sdkConfig(sw.url));
    await project(cb, 'bg');
    const spec2 = 'version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 3033 &\n      - echo started\n';
    const ids = [];
    for (let i = 0; i < 2; i++) ids.push((await cb.send(new StartBuildCommand({ projectName: 'bg', buildspecOverride: spec2 }))).build!.id!);
    for (const id of ids) expect((await waitForBuild(cb, id)).buildStatus).toBe('SUCCEEDED');
    for (let i = 0; i < 200 && running('sleep 3033'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(running('sleep 3033')).toBe(false);
  });

  it('ends a build cut off by a crash FAULT with a clear reason after restart, and runs the builds that were queued', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cb-crash-'));
    try {
      const first = await spawnSlipway(['--port', '0', '--data-dir', dataDir], { SLIPWAY_CODEBUILD_CONCURRENCY: '1' });
      const cb = new CodeBuildClient(sdkConfig(first.url));
      await project(cb);
      const id = (await cb.send(new StartBuildCommand({ projectName: 'ctl', buildspecOverride: spec('sleep 3020') }))).build!.id!;
      const queued = (await cb.send(new StartBuildCommand({ projectName: 'ctl', buildspecOverride: spec('echo after-restart') }))).build!.id!;
      await reach(cb, id, 'BUILD');
      first.child.kill('SIGKILL');
      await first.exited;
      const second = await spawnSlipway(['--port', '0', '--data-dir', dataDir]);
      try {
        const cb2 = new CodeBuildClient(sdkConfig(second.url));
        const b = (await cb2.send(new BatchGetBuildsCommand({ ids: [id] }))).builds![0];
        expect(b.buildStatus).toBe('FAULT');
        expect(b.buildComplete).toBe(true);
        expect(phase(b, 'BUILD')).toMatchObject({ phaseStatus: 'FAULT', contexts: [{ statusCode: 'BUILD_INTERRUPTED', message: 'Slipway stopped while this build was running; the build was not resumed' }] });
        // The build still waiting in QUEUED was not lost: it runs after the restart.
        const q = await waitForBuild(cb2, queued);
        expect(q.buildStatus).toBe('SUCCEEDED');
        expect(phase(q, 'QUEUED')!.phaseStatus).toBe('SUCCEEDED');
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
      for (let i = 0; i < 200 && running('sleep 3020'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(running('sleep 3020')).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
