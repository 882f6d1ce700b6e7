import {
  BatchGetBuildBatchesCommand,
  BatchGetBuildsCommand,
  CodeBuildClient,
  CreateProjectCommand,
  DeleteBuildBatchCommand,
  ListBuildBatchesCommand,
  ListBuildBatchesForProjectCommand,
  RetryBuildBatchCommand,
  StartBuildBatchCommand,
  StopBuildBatchCommand,
  type Build,
  type BuildBatch,
  type BuildGroup,
} from '@aws-sdk/client-codebuild';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSlipway } from '../../helpers/process.js';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { buildLog, getBytes, inlineProject } from './support.js';

const phases = (commands: string[]) => ['phases:', '  build:', '    commands:', ...commands.map((c) => `      - ${JSON.stringify(c)}`)];

describe('build batches: build-list, build-matrix and build-graph run real builds', () => {
  let sw: TestSlipway;
  let cb: CodeBuildClient;

  const waitBatch = async (id: string): Promise<BuildBatch> => {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const b = (await cb.send(new BatchGetBuildBatchesCommand({ ids: [id] }))).buildBatches![0];
      if (b.complete) return b;
      if (Date.now() > deadline) throw new Error(`batch ${id} did not complete: ${b.currentPhase}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const start = async (spec: string[]) => (await cb.send(new StartBuildBatchCommand({ projectName: 'batchy', buildspecOverride: ['version: 0.2', ...spec].join('\n') }))).buildBatch!;
  const builds = async (batch: BuildBatch): Promise<Record<string, Build>> => {
    const ids = batch.buildGroups!.flatMap((g) => (g.currentBuildSummary ? [g.currentBuildSummary.arn!] : []));
    const got = (await cb.send(new BatchGetBuildsCommand({ ids }))).builds!;
    return Object.fromEntries(batch.buildGroups!.filter((g) => g.currentBuildSummary).map((g) => [g.identifier!, got.find((b) => b.arn === g.currentBuildSummary!.arn)!]));
  };
  const logOf = async (b: Build) => buildLog(sw.url, sdkConfig(sw.url), b);

  beforeAll(async () => {
    sw = await startSlipway();
    cb = new CodeBuildClient(sdkConfig(sw.url));
    await cb.send(new CreateProjectCommand(inlineProject('batchy', {
      buildBatchConfig: { serviceRole: 'arn:aws:iam::000000000000:role/CodeBuildBatchRole', restrictions: { maximumBuildsAllowed: 10 } },
    })));
  });
  afterAll(() => sw.close());

  it('runs a build-graph in dependency order, each build with its identifier and variables (started with the aws CLI)', async () => {
    const spec = [
      'version: 0.2',
      'batch:',
      '  build-graph:',
      '    - identifier: compile',
      '      env:',
      '        variables:',
      '          STEP: one',
      '    - identifier: package',
      '      depend-on:',
      '        - compile',
      '      env:',
      '        variables:',
      '          STEP: two',
      ...phases(['echo "I am $CODEBUILD_BATCH_BUILD_IDENTIFIER step=$STEP"']),
    ].join('\n');
    const cli = awsCli(sw.env);
    const out = (await cli('codebuild', 'start-build-batch', '--project-name', 'batchy', '--buildspec-override', spec)).json<{ buildBatch: { id: string } }>();
    const batch = await waitBatch(out.buildBatch.id);
    expect(batch.buildBatchStatus).toBe('SUCCEEDED');
    expect(batch.phases!.map((p) => p.phaseType)).toEqual(['SUBMITTED', 'DOWNLOAD_BATCHSPEC', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(batch.buildGroups!.map((g) => [g.identifier, g.dependsOn, g.currentBuildSummary?.buildStatus])).toEqual([
      ['compile', [], 'SUCCEEDED'],
      ['package', ['compile'], 'SUCCEEDED'],
    ]);
    const b = await builds(batch);
    expect(await logOf(b.compile)).toContain('I am compile step=one');
    expect(await logOf(b.package)).toContain('I am package step=two');
    expect(b.package.startTime!.getTime()).toBeGreaterThanOrEqual(b.compile.endTime!.getTime());
    expect(b.package.buildBatchArn).toBe(batch.arn);
  });

  it('multiplies out a dynamic build-matrix, one build per combination (the same idempotency token starting it once)', async () => {
    const matrix = [
      'batch:',
      '  build-matrix:',
      '    static:',
      '      env:',
      '        variables:',
      '          COMMON: shared',
      '    dynamic:',
      '      env:',
      '        variables:',
      '          FLAVOR:',
      '            - vanilla',
      '            - mint',
      '          SIZE:',
      '            - s',
      '            - l',
      ...phases(['echo "flavor=$FLAVOR size=$SIZE common=$COMMON"']),
    ].join('\n');
    const once = { projectName: 'batchy', buildspecOverride: `version: 0.2\n${matrix}`, idempotencyToken: 'matrix-once' };
    const started = (await cb.send(new StartBuildBatchCommand(once))).buildBatch!;
    expect((await cb.send(new StartBuildBatchCommand(once))).buildBatch!.id).toBe(started.id);
    const batch = await waitBatch(started.id!);
    expect(batch.buildBatchStatus).toBe('SUCCEEDED');
    const b = await builds(batch);
    const lines = (await Promise.all(Object.values(b).map(logOf))).flat().filter((l) => l.startsWith('flavor='));
    expect(lines.sort()).toEqual(['flavor=mint size=l common=shared', 'flavor=mint size=s common=shared', 'flavor=vanilla size=l common=shared', 'flavor=vanilla size=s common=shared']);
  });

  it('combines the builds\' artifacts in one location, each under its identifier (combineArtifacts)', async () => {
    const s3 = new S3Client({ ...sdkConfig(sw.url), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'batch-out' }));
    const started = await cb.send(new StartBuildBatchCommand({
      projectName: 'batchy',
      artifactsOverride: { type: 'S3', location: 'batch-out', packaging: 'NONE' },
      buildBatchConfigOverride: { combineArtifacts: true },
      buildspecOverride: ['version: 0.2', 'batch:', '  build-list:', '    - identifier: linux', '    - identifier: mac', ...phases(['echo "made by $CODEBUILD_BATCH_BUILD_IDENTIFIER" > out.txt']), 'artifacts:', '  files:', '    - out.txt'].join('\n'),
    }));
    const batch = await waitBatch(started.buildBatch!.id!);
    expect(batch.buildBatchStatus).toBe('SUCCEEDED');
    expect(batch.phases!.map((p) => p.phaseType)).toContain('COMBINE_ARTIFACTS');
    for (const id of ['linux', 'mac']) expect(Buffer.from(await getBytes(s3, 'batch-out', `batchy/${id}/out.txt`)).toString()).toBe(`made by ${id}\n`);
  });

  it('fails the batch when a build fails: fast-fail stops the others, and a graph never starts what depended on it', async () => {
    const fast = await waitBatch((await start([
      'batch:',
      '  fast-fail: true',
      '  build-list:',
      '    - identifier: broken',
      '      env:',
      '        variables:',
      '          WHAT: broken',
      '    - identifier: slow',
      '      env:',
      '        variables:',
      '          WHAT: slow',
      ...phases(['if [ "$WHAT" = broken ]; then exit 3; fi; sleep 600']),
    ])).id!);
    expect(fast.buildBatchStatus).toBe('FAILED');
    expect(Object.fromEntries(fast.buildGroups!.map((g) => [g.identifier, g.currentBuildSummary?.buildStatus]))).toEqual({ broken: 'FAILED', slow: 'STOPPED' });

    const graph = await waitBatch((await start([
      'batch:',
      '  build-graph:',
      '    - identifier: first',
      '    - identifier: after',
      '      depend-on: [first]',
      '    - identifier: optional',
      '      ignore-failure: true',
      ...phases(['if [ "$CODEBUILD_BATCH_BUILD_IDENTIFIER" != after ]; then exit 1; fi']),
    ])).id!);
    expect(graph.buildBatchStatus).toBe('FAILED');
    expect(graph.phases!.at(-1)).toMatchObject({ phaseType: 'FAILED', phaseStatus: 'FAILED' });
    expect(Object.fromEntries(graph.buildGroups!.map((g) => [g.identifier, g.currentBuildSummary?.buildStatus]))).toEqual({ first: 'FAILED', after: undefined, optional: 'FAILED' });
  });

  it('retries the failed builds only (RETRY_FAILED_BUILDS) and keeps the replaced ones as prior builds', async () => {
    const ssm = new SSMClient(sdkConfig(sw.url));
    await ssm.send(new PutParameterCommand({ Name: '/batch/switch', Value: 'off', Type: 'String' }));
    const spec = [
      'env:',
      '  parameter-store:',
      '    SWITCH: /batch/switch',
      'batch:',
      '  build-list:',
      '    - identifier: steady',
      '    - identifier: flaky',
      ...phases(['echo "run of $CODEBUILD_BATCH_BUILD_IDENTIFIER"', 'if [ "$CODEBUILD_BATCH_BUILD_IDENTIFIER" = flaky ]; then test "$SWITCH" = on; fi']),
    ];
    const first = await waitBatch((await start(spec)).id!);
    expect(first.buildBatchStatus).toBe('FAILED');
    const steady = first.buildGroups!.find((g) => g.identifier === 'steady')!.currentBuildSummary!.arn;
    await ssm.send(new PutParameterCommand({ Name: '/batch/switch', Value: 'on', Type: 'String', Overwrite: true }));
    await cb.send(new RetryBuildBatchCommand({ id: first.id, retryType: 'RETRY_FAILED_BUILDS' }));
    const again = await waitBatch(first.id!);
    expect(again.buildBatchStatus).toBe('SUCCEEDED');
    const groups: Record<string, BuildGroup> = Object.fromEntries(again.buildGroups!.map((g) => [g.identifier!, g]));
    expect(groups.steady.currentBuildSummary!.arn).toBe(steady);
    expect(groups.steady.priorBuildSummaryList).toEqual([]);
    expect(groups.flaky.priorBuildSummaryList!.map((s) => s.buildStatus)).toEqual(['FAILED']);
    expect(await logOf((await builds(again)).flaky)).toContain('run of flaky');
  });

  it('stops a batch, lists batches, and deletes a batch with its builds; a batch without a batch section fails', async () => {
    const running = await start(['batch:', '  build-list:', '    - identifier: sleeper', ...phases(['sleep 600'])]);
    for (;;) {
      const b = (await cb.send(new BatchGetBuildBatchesCommand({ ids: [running.id!] }))).buildBatches![0];
      if (b.buildGroups?.[0]?.currentBuildSummary) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const stopped = (await cb.send(new StopBuildBatchCommand({ id: running.id! }))).buildBatch!;
    const done = stopped.complete ? stopped : await waitBatch(running.id!);
    expect(done.buildBatchStatus).toBe('STOPPED');
    expect(done.buildGroups![0].currentBuildSummary!.buildStatus).toBe('STOPPED');

    const forProject = (await cb.send(new ListBuildBatchesForProjectCommand({ projectName: 'batchy' }))).ids!;
    expect(forProject[0]).toBe(running.id);
    expect((await cb.send(new ListBuildBatchesCommand({ filter: { status: 'STOPPED' } }))).ids).toEqual([running.id]);

    const buildArn = done.buildGroups![0].currentBuildSummary!.arn!;
    const deleted = await cb.send(new DeleteBuildBatchCommand({ id: running.id! }));
    expect(deleted.buildsDeleted).toEqual([buildArn.split('build/')[1]]);
    expect((await cb.send(new BatchGetBuildsCommand({ ids: [buildArn] }))).buildsNotFound).toEqual([buildArn]);
    expect((await cb.send(new BatchGetBuildBatchesCommand({ ids: [running.id!] }))).buildBatchesNotFound).toEqual([running.id]);

    const bad = await waitBatch((await start(phases(['true']))).id!);
    expect(bad.buildBatchStatus).toBe('FAILED');
    expect(bad.phases!.find((p) => p.phaseType === 'DOWNLOAD_BATCHSPEC')).toMatchObject({ phaseStatus: 'FAILED', contexts: [{ statusCode: 'YAML_FILE_ERROR', message: expect.stringContaining('no batch section') }] });
  });
});

describe('build batches survive a restart', () => {
  it('goes on after a crash: the build cut off ends FAULT, what depended on it never runs, the batch ends FAILED', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-batch-restart-'));
    try {
      const first = await spawnSlipway(['--port', '0', '--data-dir', dataDir]);
      const cb = new CodeBuildClient(sdkConfig(first.url));
      await cb.send(new CreateProjectCommand(inlineProject('crashy')));
      const spec = ['version: 0.2', 'batch:', '  build-graph:', '    - identifier: long', '    - identifier: after', '      depend-on: [long]', ...phases(['sleep 3021'])].join('\n');
      const id = (await cb.send(new StartBuildBatchCommand({ projectName: 'crashy', buildspecOverride: spec }))).buildBatch!.id!;
      for (;;) {
        const g = (await cb.send(new BatchGetBuildBatchesCommand({ ids: [id] }))).buildBatches![0].buildGroups?.[0]?.currentBuildSummary;
        if (g && (await cb.send(new BatchGetBuildsCommand({ ids: [g.arn!] }))).builds![0].currentPhase === 'BUILD') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      first.child.kill('SIGKILL');
      await first.exited;
      const second = await spawnSlipway(['--port', '0', '--data-dir', dataDir]);
      try {
        const cb2 = new CodeBuildClient(sdkConfig(second.url));
        let batch: BuildBatch;
        for (;;) {
          batch = (await cb2.send(new BatchGetBuildBatchesCommand({ ids: [id] }))).buildBatches![0];
          if (batch.complete) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(batch.buildBatchStatus).toBe('FAILED');
        expect(Object.fromEntries(batch.buildGroups!.map((g) => [g.identifier, g.currentBuildSummary?.buildStatus]))).toEqual({ long: 'FAULT', after: undefined });
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
