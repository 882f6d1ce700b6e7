import {
  CodePipelineClient, CreateCustomActionTypeCommand, CreatePipelineCommand, ListPipelineExecutionsCommand, PollForJobsCommand, PutActionRevisionCommand, PutJobSuccessResultCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { CodeCommitClient, CreateRepositoryCommand, PutFileCommand } from '@aws-sdk/client-codecommit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway } from '../../helpers/slipway.js';
import { gitOk } from '../codecommit/support.js';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { WORKER_TYPE, bucket, execution, objectBytes, objectText, putZip, start, workerPipeline, type Env } from './support.js';

function codeCommitPipeline(name: string, extra: Partial<PipelineDeclaration>, poll?: string): PipelineDeclaration {
  return {
    name,
    roleArn: 'arn:aws:iam::000000000000:role/CodePipelineRole',
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeCommit', version: '1' }, configuration: { RepositoryName: 'app', BranchName: 'main', ...(poll ? { PollForSourceChanges: poll } : {}) }, outputArtifacts: [{ name: 'Src' }], namespace: 'SourceVariables' }] },
      { name: 'Deploy', actions: [{ name: 'Site', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { BucketName: 'site', Extract: 'true', ObjectKey: '#{SourceVariables.CommitId}' }, inputArtifacts: [{ name: 'Src' }] }] },
    ],
    ...extra,
  };
}

describe('CodePipeline source polling, V2 triggers and restarts', () => {
  let env: Env;
  afterAll(() => env?.sw.close());

  it('polls a CodeCommit branch every AWS minute, and V2 push triggers filter on branches and file paths', async () => {
    env = await start();
    for (const b of ['artifacts', 'site']) await bucket(env.s3, b);
    const cc = new CodeCommitClient(sdkConfig(env.sw.url));
    await cc.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    let parent = (await cc.send(new PutFileCommand({ repositoryName: 'app', branchName: 'main', filePath: 'README.md', fileContent: Buffer.from('v1') }))).commitId;
    await env.cp.send(new CreatePipelineCommand({ pipeline: codeCommitPipeline('polled', {}) }));
    const triggers = [{ providerType: 'CodeStarSourceConnection' as const, gitConfiguration: { sourceActionName: 'Source', push: [{ branches: { includes: ['main', 'release/**'] }, filePaths: { includes: ['src/**'], excludes: ['**/*.md'] } }] } }];
    await env.cp.send(new CreatePipelineCommand({ pipeline: codeCommitPipeline('triggered', { pipelineType: 'V2', triggers }) }));
    await env.sw.slipway.settled();
    const runs = async (name: string) => (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries!;
    expect((await runs('polled')).map((r) => r.trigger?.triggerType)).toEqual(['CreatePipeline']);

    parent = (await cc.send(new PutFileCommand({ repositoryName: 'app', branchName: 'main', parentCommitId: parent, filePath: 'README.md', fileContent: Buffer.from('v2') }))).commitId;
    await env.sw.slipway.settled();
    expect(await runs('polled')).toHaveLength(1);
    env.clock.advance(61_000);
    await env.sw.slipway.settled();
    const polled = await runs('polled');
    expect(polled.map((r) => r.trigger?.triggerType)).toEqual(['PollForSourceChanges', 'CreatePipeline']);
    expect(polled[0]).toMatchObject({ status: 'Succeeded', sourceRevisions: [{ revisionId: parent }] });
    env.clock.advance(61_000);
    await env.sw.slipway.settled();
    expect(await runs('polled')).toHaveLength(2);

    // Triggers act on git pushes: a README change is filtered out, a src change on main starts the pipeline.
    const dir = join(env.sw.dataDir, 'trig');
    await gitOk(env.sw.dataDir, ['clone', '-q', `${env.sw.url}/v1/repos/app`, dir]);
    writeFileSync(join(dir, 'README.md'), 'docs only');
    await gitOk(dir, ['commit', '-qam', 'docs']);
    await gitOk(dir, ['push', '-q', 'origin', 'main']);
    await env.sw.slipway.settled();
    expect((await runs('triggered')).map((r) => r.trigger?.triggerType)).toEqual(['CreatePipeline']);
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'app.js'), 'code');
    await gitOk(dir, ['add', '.']);
    await gitOk(dir, ['commit', '-qm', 'code']);
    await gitOk(dir, ['push', '-q', 'origin', 'main']);
    const head = await gitOk(dir, ['rev-parse', 'HEAD']);
    await env.sw.slipway.settled();
    const triggered = await runs('triggered');
    expect(triggered.map((r) => r.trigger?.triggerType)).toEqual(['WebhookV2', 'CreatePipeline']);
    expect(triggered[0]).toMatchObject({ status: 'Succeeded', sourceRevisions: [{ revisionId: head }] });
    await gitOk(dir, ['checkout', '-qb', 'feature/x']);
    writeFileSync(join(dir, 'src', 'app.js'), 'feature');
    await gitOk(dir, ['commit', '-qam', 'feature']);
    await gitOk(dir, ['push', '-q', 'origin', 'feature/x']);
    await env.sw.slipway.settled();
    expect(await runs('triggered')).toHaveLength(2);

    // PutActionRevision runs the pipeline on a given revision, once.
    const put = (revisionId: string) => env.cp.send(new PutActionRevisionCommand({ pipelineName: 'polled', stageName: 'Source', actionName: 'Source', actionRevision: { revisionId, revisionChangeId: revisionId, created: new Date() } }));
    const feature = await gitOk(dir, ['rev-parse', 'HEAD']);
    const added = await put(feature);
    expect(added.newRevision).toBe(true);
    await env.sw.slipway.settled();
    expect((await runs('polled'))[0]).toMatchObject({ pipelineExecutionId: added.pipelineExecutionId, status: 'Succeeded', trigger: { triggerType: 'PutActionRevision' }, sourceRevisions: [{ revisionId: feature }] });
    expect((await put(feature)).newRevision).toBe(false);
  });

  it('polls an S3 source object and runs on a new upload', async () => {
    await bucket(env.s3, 'sources');
    await putZip(env.s3, 'sources', 'app.zip', { 'index.html': 'one' });
    const p = workerPipeline('s3-polled');
    p.stages = [
      { ...p.stages![0], actions: [{ ...p.stages![0].actions![0], configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip' } }] },
      { name: 'Deploy', actions: [{ name: 'Site', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { BucketName: 'site', Extract: 'true', ObjectKey: 's3-polled' }, inputArtifacts: [{ name: 'SourceOutput' }] }] },
    ];
    await env.cp.send(new CreatePipelineCommand({ pipeline: p }));
    await env.sw.slipway.settled();
    env.clock.advance(61_000);
    await env.sw.slipway.settled();
    const runs = async () => (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 's3-polled' }))).pipelineExecutionSummaries!;
    expect(await runs()).toHaveLength(1);
    await putZip(env.s3, 'sources', 'app.zip', { 'index.html': 'two' });
    env.clock.advance(61_000);
    await env.sw.slipway.settled();
    expect((await runs()).map((r) => [r.trigger?.triggerType, r.status])).toEqual([['PollForSourceChanges', 'Succeeded'], ['CreatePipeline', 'Succeeded']]);
    expect(await objectText(env.s3, 'site', 's3-polled/index.html')).toBe('two');
  });

  it('continues an execution across a restart of Slipway', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cp-restart-'));
    try {
      const first = await startSlipway({ dataDir, clock: new ManualClock(Date.UTC(2026, 10, 26)) });
      const cp1 = new CodePipelineClient(sdkConfig(first.url));
      const s31 = new S3Client(sdkConfig(first.url));
      for (const b of ['artifacts', 'sources', 'site']) await bucket(s31, b);
      await putZip(s31, 'sources', 'app.zip', { 'index.html': 'hi' });
      await cp1.send(new CreateCustomActionTypeCommand({ category: 'Build', provider: 'JenkinsBuild', version: '1', configurationProperties: [{ name: 'ProjectName', required: true, key: true, secret: false }], inputArtifactDetails: { minimumCount: 0, maximumCount: 5 }, outputArtifactDetails: { minimumCount: 0, maximumCount: 5 } }));
      await cp1.send(new CreatePipelineCommand({ pipeline: workerPipeline('survivor') }));
      await first.slipway.settled();
      const [running] = (await cp1.send(new ListPipelineExecutionsCommand({ pipelineName: 'survivor' }))).pipelineExecutionSummaries!;
      expect(running.status).toBe('InProgress');
      await first.close();

      const second = await startSlipway({ dataDir, clock: new ManualClock(Date.UTC(2026, 10, 26, 1)) });
      try {
        const cp = new CodePipelineClient(sdkConfig(second.url));
        const s3 = new S3Client(sdkConfig(second.url));
        const [job] = (await cp.send(new PollForJobsCommand({ actionTypeId: WORKER_TYPE }))).jobs!;
        const out = job.data!.outputArtifacts![0].location!.s3Location!;
        const input = job.data!.inputArtifacts![0].location!.s3Location!;
        await s3.send(new PutObjectCommand({ Bucket: out.bucketName, Key: out.objectKey, Body: await objectBytes(s3, input.bucketName!, input.objectKey!) }));
        await cp.send(new PutJobSuccessResultCommand({ jobId: job.id!, outputVariables: { Version: 'after-restart' } }));
        await second.slipway.settled();
        expect((await execution(cp, 'survivor', running.pipelineExecutionId!)).status).toBe('Succeeded');
        expect(await objectText(s3, 'site', 'v/after-restart/index.html')).toBe('hi');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
