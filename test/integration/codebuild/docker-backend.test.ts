import { BatchGetBuildsCommand, CodeBuildClient, CreateProjectCommand, StartBuildCommand, StopBuildCommand, type StartBuildCommandInput } from '@aws-sdk/client-codebuild';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSlipway } from '../../helpers/process.js';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { containersNamed, dockerUnavailable, importTestImage, privilegedRefused, removeImage } from './docker-image.js';
import { buildLog, getBytes, inlineProject, phase, waitForBuild } from './support.js';

const IMAGE = `slipway-test/codebuild-${process.pid}:1`;
const MARKER = `only-in-the-image-${process.pid}`;
const unavailable = await dockerUnavailable();
if (unavailable) console.warn(`Docker backend tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== '')('the Docker backend: builds run in a container of the project image', () => {
  let sw: TestSlipway;
  let cb: CodeBuildClient;
  const clock = new ManualClock(Date.now());

  const start = async (buildspec: string, extra: Partial<StartBuildCommandInput> = {}) =>
    (await cb.send(new StartBuildCommand({ projectName: 'docker', buildspecOverride: buildspec, ...extra }))).build!;

  /** Waits (polling, as a user would) until the build's command runs in its container. */
  const inContainer = async (id: string) => {
    for (;;) {
      const b = (await cb.send(new BatchGetBuildsCommand({ ids: [id] }))).builds![0];
      if (b.currentPhase === 'BUILD' && (await containersNamed(b.id!.split(':')[1])).length > 0) return;
      if (b.buildComplete) throw new Error(`build ended ${b.buildStatus} before its container ran`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const gone = async (uuid: string) => {
    for (let i = 0; i < 400; i++) {
      if ((await containersNamed(uuid)).length === 0) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };

  beforeAll(async () => {
    await importTestImage(IMAGE, MARKER);
    sw = await startSlipway({ clock });
    cb = new CodeBuildClient(sdkConfig(sw.url));
    await new S3Client({ ...sdkConfig(sw.url), forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: 'docker-artifacts' }));
    await cb.send(new CreateProjectCommand(inlineProject('docker', {
      artifacts: { type: 'S3', location: 'docker-artifacts', packaging: 'NONE' },
      environment: { type: 'LINUX_CONTAINER', image: IMAGE, computeType: 'BUILD_GENERAL1_SMALL' },
    })));
  }, 120_000);
  afterAll(async () => {
    await sw?.close();
    await removeImage(IMAGE);
  });

  it('runs the buildspec in the image, at AWS paths, with run-as, and uploads the artifacts; the container is gone after', async () => {
    const started = await start([
      'version: 0.2',
      'phases:',
      '  install:',
      '    commands:',
      '      - \'test -f /.dockerenv && echo "in a container: $(cat /slipway-test-image)"\'',
      '  build:',
      '    run-as: builder',
      '    commands:',
      '      - echo "as=$(id -un) home=$HOME src=$CODEBUILD_SRC_DIR pwd=$PWD"',
      '      - echo "bytes from the container" > out.txt',
      'artifacts:',
      '  files:',
      '    - out.txt',
    ].join('\n'));
    const b = await waitForBuild(cb, started.id!);
    const log = await buildLog(sw.url, sdkConfig(sw.url), b);
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(log[0]).toMatch(/^\[Container\] \S+ \S+ Running on Slipway CodeBuild with the Docker backend\. Running in container slipway-codebuild-/);
    expect(log[1]).toContain(`Image ${IMAGE} (BUILD_GENERAL1_SMALL): the local Docker image of that name`);
    expect(log).toContain(`in a container: ${MARKER}`);
    expect(log.some((l) => /^as=builder home=\/home\/builder src=\/codebuild\/output\/src\d+\/src pwd=\/codebuild\/output\/src\d+\/src$/.test(l))).toBe(true);
    const s3 = new S3Client({ ...sdkConfig(sw.url), forcePathStyle: true });
    expect(Buffer.from(await getBytes(s3, 'docker-artifacts', 'docker/out.txt')).toString()).toBe('bytes from the container\n');
    // The container goes with the build's teardown, just after the outcome is reported.
    expect(await gone(b.id!.split(':')[1])).toBe(true);
  });

  it('StopBuild removes the container, and so does a timeout', async () => {
    const stopMe = await start('version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 600\n');
    await inContainer(stopMe.id!);
    const stopped = (await cb.send(new StopBuildCommand({ id: stopMe.id! }))).build!;
    expect(stopped.buildStatus).toBe('STOPPED');
    expect(phase(stopped, 'BUILD')?.phaseStatus).toBe('STOPPED');
    expect(await containersNamed(stopMe.id!.split(':')[1])).toEqual([]);

    const slow = await start('version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 600\n', { timeoutInMinutesOverride: 5 });
    await inContainer(slow.id!);
    clock.advance(5 * 60_000);
    const timedOut = await waitForBuild(cb, slow.id!);
    expect(timedOut.buildStatus).toBe('TIMED_OUT');
    expect(await containersNamed(slow.id!.split(':')[1])).toEqual([]);
  });

  it('removes the container of a build cut off by a crash when Slipway starts again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-docker-crash-'));
    try {
      const first = await spawnSlipway(['--port', '0', '--data-dir', dataDir]);
      const cb1 = new CodeBuildClient(sdkConfig(first.url));
      await cb1.send(new CreateProjectCommand({ name: 'crash', source: { type: 'NO_SOURCE', buildspec: 'version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 600\n' }, artifacts: { type: 'NO_ARTIFACTS' }, environment: { type: 'LINUX_CONTAINER', image: IMAGE, computeType: 'BUILD_GENERAL1_SMALL' }, serviceRole: 'arn:aws:iam::000000000000:role/r' }));
      const id = (await cb1.send(new StartBuildCommand({ projectName: 'crash' }))).build!.id!;
      const uuid = id.split(':')[1];
      while ((await containersNamed(uuid)).length === 0) await new Promise((r) => setTimeout(r, 50));
      first.child.kill('SIGKILL');
      await first.exited;
      expect(await containersNamed(uuid)).toHaveLength(1); // the crash left it running
      const second = await spawnSlipway(['--port', '0', '--data-dir', dataDir]);
      try {
        const b = (await new CodeBuildClient(sdkConfig(second.url)).send(new BatchGetBuildsCommand({ ids: [id] }))).builds![0];
        expect(b.buildStatus).toBe('FAULT');
        expect(await containersNamed(uuid)).toEqual([]);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('maps privilegedMode to a privileged container (all capabilities)', async (t) => {
    const refused = await privilegedRefused(IMAGE);
    if (refused) {
      console.warn(`privilegedMode test skipped: this engine cannot start privileged containers (${refused})`);
      t.skip();
    }
    const caps = async (privilegedModeOverride: boolean) => {
      const s = await start('version: 0.2\nphases:\n  build:\n    commands:\n      - grep CapEff /proc/self/status\n', { privilegedModeOverride });
      const b = await waitForBuild(cb, s.id!);
      return (await buildLog(sw.url, sdkConfig(sw.url), b)).find((l) => l.startsWith('CapEff:'));
    };
    const [plain, privileged] = [await caps(false), await caps(true)];
    expect(plain).toBeDefined();
    expect(privileged).toBeDefined();
    expect(BigInt(`0x${privileged!.split(/\s+/)[1]}`)).toBeGreaterThan(BigInt(`0x${plain!.split(/\s+/)[1]}`));
  });

  it('runs locally, and says why, when the engine does not have the image', async () => {
    const s = await start('version: 0.2\nphases:\n  build:\n    commands:\n      - test ! -f /slipway-test-image && echo "on the host"\n', { imageOverride: 'aws/codebuild/standard:7.0' });
    const b = await waitForBuild(cb, s.id!);
    const log = await buildLog(sw.url, sdkConfig(sw.url), b);
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(log[0]).toMatch(/Running on Slipway CodeBuild with the local (bubblewrap|process) backend/);
    expect(log[1]).toMatch(/Image aws\/codebuild\/standard:7\.0 \(BUILD_GENERAL1_SMALL\): the Docker engine at \S+ has no image of that name, so this name means "this machine's own tools"/);
    expect(log).toContain('on the host');
  });
});
