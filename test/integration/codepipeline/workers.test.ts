import {
  AcknowledgeJobCommand, CreateCustomActionTypeCommand, CreatePipelineCommand, GetJobDetailsCommand, ListActionExecutionsCommand, ListPipelineExecutionsCommand,
  PollForJobsCommand, PutJobFailureResultCommand, PutJobSuccessResultCommand, RetryStageExecutionCommand, RollbackStageCommand, StartPipelineExecutionCommand, StopPipelineExecutionCommand,
  type Job,
} from '@aws-sdk/client-codepipeline';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_TYPE, bucket, execution, objectBytes, objectText, putZip, stage, start, unzip, workerPipeline, zip, type Env } from './support.js';

describe('CodePipeline job workers, artifacts and retries', () => {
  let env: Env;
  beforeAll(async () => {
    env = await start();
    for (const b of ['artifacts', 'sources', 'site']) await bucket(env.s3, b);
    await putZip(env.s3, 'sources', 'app.zip', { 'index.html': '<h1>v1</h1>', 'src/app.js': 'console.log(1)' });
    await env.cp.send(new CreateCustomActionTypeCommand({
      category: 'Build', provider: 'JenkinsBuild', version: '1',
      configurationProperties: [{ name: 'ProjectName', required: true, key: true, secret: false, queryable: true }],
      inputArtifactDetails: { minimumCount: 0, maximumCount: 5 }, outputArtifactDetails: { minimumCount: 0, maximumCount: 5 },
    }));
  });
  afterAll(() => env.sw.close());

  async function poll(): Promise<Job | undefined> {
    await env.sw.slipway.settled();
    return (await env.cp.send(new PollForJobsCommand({ actionTypeId: WORKER_TYPE, maxBatchSize: 1, queryParam: { ProjectName: 'app' } }))).jobs?.[0];
  }

  /** The worker's build: upper-cases index.html from the input artifact into the output artifact. */
  async function build(job: Job): Promise<void> {
    const input = job.data!.inputArtifacts![0].location!.s3Location!;
    const files = unzip(await objectBytes(env.s3, input.bucketName!, input.objectKey!));
    const out = job.data!.outputArtifacts![0].location!.s3Location!;
    await env.s3.send(new PutObjectCommand({ Bucket: out.bucketName, Key: out.objectKey, Body: zip({ 'index.html': files['index.html'].toUpperCase(), 'built.txt': 'yes' }) }));
  }

  it('runs a custom action through a job worker, passes artifacts at AWS keys, and deploys them to S3', async () => {
    const created = await env.cp.send(new CreatePipelineCommand({ pipeline: workerPipeline('worker-pipeline') }));
    expect(created.pipeline!.version).toBe(1);
    const job = await poll();
    expect(job?.data?.pipelineContext).toMatchObject({ pipelineName: 'worker-pipeline', stage: { name: 'Build' }, action: { name: 'Jenkins' } });
    expect(job!.data!.actionConfiguration!.configuration).toEqual({ ProjectName: 'app' });
    const inKey = job!.data!.inputArtifacts![0].location!.s3Location!.objectKey!;
    expect(inKey).toMatch(/^worker-pipeline\/SourceOutp\/[A-Za-z0-9]{7}$/);
    expect(job!.data!.outputArtifacts![0].location!.s3Location!.objectKey).toMatch(/^worker-pipeline\/BuildOutpu\/[A-Za-z0-9]{7}$/);
    // Nothing else is handed out while the job is taken.
    expect(await poll()).toBeUndefined();
    expect((await env.cp.send(new AcknowledgeJobCommand({ jobId: job!.id!, nonce: job!.nonce! }))).status).toBe('InProgress');
    await expect(env.cp.send(new AcknowledgeJobCommand({ jobId: job!.id!, nonce: 'wrong' }))).rejects.toMatchObject({ name: 'InvalidNonceException' });
    expect((await env.cp.send(new GetJobDetailsCommand({ jobId: job!.id! }))).jobDetails!.data!.pipelineContext!.pipelineName).toBe('worker-pipeline');
    await build(job!);
    // A continuation token keeps the action running and hands the worker a follow-up job.
    await env.cp.send(new PutJobSuccessResultCommand({ jobId: job!.id!, continuationToken: 'step-2', executionDetails: { summary: 'half way', percentComplete: 50 } }));
    const next = await poll();
    expect(next!.data!.continuationToken).toBe('step-2');
    await env.cp.send(new PutJobSuccessResultCommand({ jobId: next!.id!, outputVariables: { Version: '1.2.3' }, executionDetails: { summary: 'built', externalExecutionId: 'jenkins-42' } }));
    await expect(env.cp.send(new PutJobSuccessResultCommand({ jobId: next!.id! }))).rejects.toMatchObject({ name: 'InvalidJobStateException' });
    await env.sw.slipway.settled();
    const [summary] = (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'worker-pipeline' }))).pipelineExecutionSummaries!;
    expect(summary.status).toBe('Succeeded');
    expect(summary.trigger?.triggerType).toBe('CreatePipeline');
    expect(await objectText(env.s3, 'site', 'v/1.2.3/index.html')).toBe('<H1>V1</H1>');
    expect(await objectText(env.s3, 'site', 'v/1.2.3/built.txt')).toBe('yes');
    const actions = (await env.cp.send(new ListActionExecutionsCommand({ pipelineName: 'worker-pipeline', filter: { pipelineExecutionId: summary.pipelineExecutionId } }))).actionExecutionDetails!;
    const jenkins = actions.find((a) => a.actionName === 'Jenkins')!;
    expect(jenkins.output?.outputVariables).toEqual({ Version: '1.2.3' });
    expect(jenkins.output?.executionResult).toMatchObject({ externalExecutionId: 'jenkins-42', externalExecutionSummary: 'built' });
    expect(actions.find((a) => a.actionName === 'Site')!.input?.resolvedConfiguration?.ObjectKey).toBe('v/1.2.3');
    expect(actions.find((a) => a.actionName === 'Source')!.output?.outputVariables?.ETag).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reports a failed job with its message, and a retried stage then succeeds', async () => {
    const { pipelineExecutionId: id } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'worker-pipeline' }));
    const job = await poll();
    expect(job!.data!.pipelineContext!.pipelineExecutionId).toBe(id);
    await env.cp.send(new PutJobFailureResultCommand({ jobId: job!.id!, failureDetails: { type: 'JobFailed', message: 'Jenkins build failed', externalExecutionId: 'jenkins-43' } }));
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'worker-pipeline', id!)).status).toBe('Failed');
    const failed = await stage(env.cp, 'worker-pipeline', 'Build');
    expect(failed.latestExecution).toMatchObject({ pipelineExecutionId: id, status: 'Failed' });
    expect(failed.actionStates![0].latestExecution).toMatchObject({ status: 'Failed', errorDetails: { code: 'JobFailed', message: 'Jenkins build failed' }, externalExecutionId: 'jenkins-43' });
    await expect(env.cp.send(new RetryStageExecutionCommand({ pipelineName: 'worker-pipeline', stageName: 'Deploy', pipelineExecutionId: id, retryMode: 'FAILED_ACTIONS' }))).rejects.toMatchObject({ name: 'StageNotRetryableException' });
    await env.cp.send(new RetryStageExecutionCommand({ pipelineName: 'worker-pipeline', stageName: 'Build', pipelineExecutionId: id, retryMode: 'FAILED_ACTIONS' }));
    const retry = await poll();
    await build(retry!);
    await env.cp.send(new PutJobSuccessResultCommand({ jobId: retry!.id!, outputVariables: { Version: '1.2.4' } }));
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'worker-pipeline', id!)).status).toBe('Succeeded');
    expect((await stage(env.cp, 'worker-pipeline', 'Build')).retryStageMetadata).toMatchObject({ manualStageRetryAttempt: 1, latestRetryTrigger: 'ManualStageRetry' });
    expect(await objectText(env.s3, 'site', 'v/1.2.4/index.html')).toBe('<H1>V1</H1>');
    const history = (await env.cp.send(new ListActionExecutionsCommand({ pipelineName: 'worker-pipeline', filter: { pipelineExecutionId: id } }))).actionExecutionDetails!;
    expect(history.filter((a) => a.actionName === 'Jenkins').map((a) => a.status).sort()).toEqual(['Failed', 'Succeeded']);
  });

  it('rolls a stage back to an earlier execution, redeploying its artifacts and variables', async () => {
    const runs = (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'worker-pipeline' }))).pipelineExecutionSummaries!;
    const target = runs.find((r) => r.status === 'Succeeded' && r.trigger?.triggerType === 'CreatePipeline')!;
    await env.s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'v/1.2.3/index.html' }));
    const { pipelineExecutionId: id } = await env.cp.send(new RollbackStageCommand({ pipelineName: 'worker-pipeline', stageName: 'Deploy', targetPipelineExecutionId: target.pipelineExecutionId }));
    await env.sw.slipway.settled();
    const e = await execution(env.cp, 'worker-pipeline', id!);
    expect(e).toMatchObject({ status: 'Succeeded', executionType: 'ROLLBACK', trigger: { triggerType: 'ManualRollback' }, rollbackMetadata: { rollbackTargetPipelineExecutionId: target.pipelineExecutionId } });
    expect(await objectText(env.s3, 'site', 'v/1.2.3/index.html')).toBe('<H1>V1</H1>');
    await expect(env.cp.send(new RollbackStageCommand({ pipelineName: 'worker-pipeline', stageName: 'Source', targetPipelineExecutionId: target.pipelineExecutionId }))).rejects.toMatchObject({ name: 'UnableToRollbackStageException' });
  });

  it('retries a failed stage once by itself when onFailure says RETRY', async () => {
    const p = workerPipeline('auto-retry', { pipelineType: 'V2' });
    p.stages![1].onFailure = { result: 'RETRY', retryConfiguration: { retryMode: 'FAILED_ACTIONS' } };
    await env.cp.send(new CreatePipelineCommand({ pipeline: p }));
    const first = await poll();
    await env.cp.send(new PutJobFailureResultCommand({ jobId: first!.id!, failureDetails: { type: 'JobFailed', message: 'flaky' } }));
    const second = await poll();
    expect(second!.data!.pipelineContext!.pipelineExecutionId).toBe(first!.data!.pipelineContext!.pipelineExecutionId);
    await build(second!);
    await env.cp.send(new PutJobSuccessResultCommand({ jobId: second!.id!, outputVariables: { Version: 'auto' } }));
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'auto-retry', first!.data!.pipelineContext!.pipelineExecutionId!)).status).toBe('Succeeded');
    expect((await stage(env.cp, 'auto-retry', 'Build')).retryStageMetadata).toMatchObject({ autoStageRetryAttempt: 1, latestRetryTrigger: 'AutomatedStageRetry' });
  });

  it('rolls a failed stage back automatically when onFailure says ROLLBACK', async () => {
    const p = workerPipeline('auto-rollback', { pipelineType: 'V2' });
    p.stages![1].onFailure = { result: 'ROLLBACK' };
    await env.cp.send(new CreatePipelineCommand({ pipeline: p }));
    const good = await poll();
    await build(good!);
    await env.cp.send(new PutJobSuccessResultCommand({ jobId: good!.id!, outputVariables: { Version: 'good' } }));
    await env.sw.slipway.settled();
    const goodId = good!.data!.pipelineContext!.pipelineExecutionId!;
    const { pipelineExecutionId: badId } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'auto-rollback' }));
    const bad = await poll();
    await env.cp.send(new PutJobFailureResultCommand({ jobId: bad!.id!, failureDetails: { type: 'JobFailed', message: 'broken' } }));
    const again = await poll();
    const rollbackId = again!.data!.pipelineContext!.pipelineExecutionId!;
    expect(await execution(env.cp, 'auto-rollback', rollbackId)).toMatchObject({ executionType: 'ROLLBACK', trigger: { triggerType: 'AutomatedRollback', triggerDetail: badId }, rollbackMetadata: { rollbackTargetPipelineExecutionId: goodId } });
    expect(again!.data!.inputArtifacts![0].location!.s3Location).toEqual(good!.data!.inputArtifacts![0].location!.s3Location);
    await build(again!);
    await env.cp.send(new PutJobSuccessResultCommand({ jobId: again!.id!, outputVariables: { Version: 'good' } }));
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'auto-rollback', badId!)).status).toBe('Failed');
    expect((await execution(env.cp, 'auto-rollback', rollbackId)).status).toBe('Succeeded');
  });

  it('stops an execution and abandons its running action; the worker can no longer report', async () => {
    const { pipelineExecutionId: id } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'worker-pipeline' }));
    const job = await poll();
    await env.cp.send(new StopPipelineExecutionCommand({ pipelineName: 'worker-pipeline', pipelineExecutionId: id, abandon: true, reason: 'wrong commit' }));
    await env.sw.slipway.settled();
    const e = await execution(env.cp, 'worker-pipeline', id!);
    expect(e.status).toBe('Stopped');
    const [summary] = (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'worker-pipeline', maxResults: 1 }))).pipelineExecutionSummaries!;
    expect(summary.stopTrigger?.reason).toBe('wrong commit');
    expect((await stage(env.cp, 'worker-pipeline', 'Build')).actionStates![0].latestExecution!.status).toBe('Abandoned');
    await expect(env.cp.send(new PutJobSuccessResultCommand({ jobId: job!.id! }))).rejects.toMatchObject({ name: 'InvalidJobStateException' });
    await expect(env.cp.send(new StopPipelineExecutionCommand({ pipelineName: 'worker-pipeline', pipelineExecutionId: id }))).rejects.toMatchObject({ name: 'PipelineExecutionNotStoppableException' });
  });

  it('stops and waits: the running action finishes, later stages do not run', async () => {
    const { pipelineExecutionId: id } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'worker-pipeline' }));
    const job = await poll();
    await env.cp.send(new StopPipelineExecutionCommand({ pipelineName: 'worker-pipeline', pipelineExecutionId: id, reason: 'release freeze' }));
    expect((await execution(env.cp, 'worker-pipeline', id!)).status).toBe('Stopping');
    await expect(env.cp.send(new StopPipelineExecutionCommand({ pipelineName: 'worker-pipeline', pipelineExecutionId: id }))).rejects.toMatchObject({ name: 'DuplicatedStopRequestException' });
    await build(job!);
    await env.cp.send(new PutJobSuccessResultCommand({ jobId: job!.id!, outputVariables: { Version: 'stopped' } }));
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'worker-pipeline', id!)).status).toBe('Stopped');
    expect((await stage(env.cp, 'worker-pipeline', 'Build')).latestExecution).toMatchObject({ pipelineExecutionId: id, status: 'Stopped' });
    expect((await stage(env.cp, 'worker-pipeline', 'Deploy')).latestExecution?.pipelineExecutionId).not.toBe(id);
  });
});
