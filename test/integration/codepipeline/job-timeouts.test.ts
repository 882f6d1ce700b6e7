import {
  AcknowledgeJobCommand, CreateCustomActionTypeCommand, GetActionTypeCommand, type ActionTypeDeclaration, CreatePipelineCommand, ListActionExecutionsCommand, PollForJobsCommand, PutJobSuccessResultCommand, StartPipelineExecutionCommand,
  type Job,
} from '@aws-sdk/client-codepipeline';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { WORKER_TYPE, bucket, execution, objectBytes, objectText, putZip, stage, start, workerPipeline, type Env } from './support.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('CodePipeline job workers: timeouts, hand-back and continuation tokens', () => {
  let env: Env;
  beforeAll(async () => {
    env = await start();
    for (const b of ['artifacts', 'sources', 'site']) await bucket(env.s3, b);
    await putZip(env.s3, 'sources', 'app.zip', { 'index.html': 'hi' });
    await env.cp.send(new CreateCustomActionTypeCommand({
      category: 'Build', provider: 'JenkinsBuild', version: '1', configurationProperties: [{ name: 'ProjectName', required: true, key: true, secret: false }],
      inputArtifactDetails: { minimumCount: 0, maximumCount: 5 }, outputArtifactDetails: { minimumCount: 0, maximumCount: 5 },
    }));
    await env.cp.send(new CreatePipelineCommand({ pipeline: workerPipeline('timed') }));
  });
  afterAll(() => env?.sw.close());

  const poll = async (): Promise<Job | undefined> => {
    await env.sw.slipway.settled();
    return (await env.cp.send(new PollForJobsCommand({ actionTypeId: WORKER_TYPE }))).jobs?.[0];
  };
  const advance = async (ms: number) => {
    env.clock.advance(ms);
    await env.sw.slipway.settled();
  };

  it('hands an unacknowledged job out again after five minutes, and fails an acknowledged job never completed after 24 hours', async () => {
    const first = await poll();
    expect(first).toBeDefined();
    await advance(4 * MINUTE);
    expect(await poll()).toBeUndefined();
    await advance(MINUTE + 1000);
    // The lapsed worker's nonce no longer works; the job is handed out again with a new one.
    await expect(env.cp.send(new AcknowledgeJobCommand({ jobId: first!.id!, nonce: first!.nonce! }))).rejects.toMatchObject({ name: 'InvalidNonceException' });
    const again = await poll();
    expect(again!.id).toBe(first!.id);
    expect(again!.nonce).not.toBe(first!.nonce);
    const cli = awsCli(env.sw.env);
    const acked = await cli('codepipeline', 'acknowledge-job', '--job-id', again!.id!, '--nonce', again!.nonce!);
    expect(acked.json()).toEqual({ status: 'InProgress' });

    // Acknowledged, then silence: the action times out after 24 hours of AWS time.
    await advance(23 * HOUR);
    expect((await stage(env.cp, 'timed', 'Build')).latestExecution?.status).toBe('InProgress');
    await advance(HOUR);
    const build = await stage(env.cp, 'timed', 'Build');
    expect(build.latestExecution?.status).toBe('Failed');
    expect(build.actionStates![0].latestExecution).toMatchObject({ status: 'Failed', errorDetails: { code: 'JobFailed', message: expect.stringContaining('timed out') } });
    const late = await cli('codepipeline', 'put-job-success-result', '--job-id', again!.id!);
    expect(late.code).not.toBe(0);
    expect(late.stderr).toContain('InvalidJobStateException');
    expect((await execution(env.cp, 'timed', build.latestExecution!.pipelineExecutionId!)).status).toBe('Failed');
  });

  it('a continuation token keeps the action running past the first job\'s timeout and hands out a follow-up job', async () => {
    const { pipelineExecutionId: id } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'timed' }));
    const job = await poll();
    expect(job!.data!.pipelineContext!.pipelineExecutionId).toBe(id);
    await env.cp.send(new AcknowledgeJobCommand({ jobId: job!.id!, nonce: job!.nonce! }));
    await advance(12 * HOUR);
    await env.cp.send(new PutJobSuccessResultCommand({ jobId: job!.id!, continuationToken: 'phase-2', executionDetails: { summary: 'compiling', percentComplete: 40 } }));
    // 25 hours after the first job: it was completed, so only the follow-up's own 24 hours count.
    await advance(13 * HOUR);
    const build = await stage(env.cp, 'timed', 'Build');
    expect(build.actionStates![0].latestExecution).toMatchObject({ status: 'InProgress', summary: 'compiling', percentComplete: 40 });
    const next = await poll();
    expect(next!.id).not.toBe(job!.id);
    expect(next!.data!.continuationToken).toBe('phase-2');
    await env.cp.send(new AcknowledgeJobCommand({ jobId: next!.id!, nonce: next!.nonce! }));
    const input = next!.data!.inputArtifacts![0].location!.s3Location!;
    const out = next!.data!.outputArtifacts![0].location!.s3Location!;
    await env.s3.send(new PutObjectCommand({ Bucket: out.bucketName, Key: out.objectKey, Body: await objectBytes(env.s3, input.bucketName!, input.objectKey!) }));
    await env.cp.send(new PutJobSuccessResultCommand({ jobId: next!.id!, outputVariables: { Version: 'cont' } }));
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'timed', id!)).status).toBe('Succeeded');
    expect(await objectText(env.s3, 'site', 'v/cont/index.html')).toBe('hi');
    // Nothing fires later: the finished jobs' timers find nothing to time out.
    await advance(25 * HOUR);
    const runs = (await env.cp.send(new ListActionExecutionsCommand({ pipelineName: 'timed', filter: { pipelineExecutionId: id } }))).actionExecutionDetails!;
    expect(runs.find((r) => r.actionName === 'Jenkins')?.status).toBe('Succeeded');
  });

  it('GetActionType declares AWS\'s own types; custom types are outside its model', async () => {
    const cli = awsCli(env.sw.env);
    const got = (await cli('codepipeline', 'get-action-type', '--category', 'Build', '--owner', 'AWS', '--provider', 'CodeBuild', '--action-version', '1')).json<{ actionType: ActionTypeDeclaration }>();
    expect(got.actionType).toMatchObject({ id: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' }, inputArtifactDetails: { minimumCount: 1, maximumCount: 5 } });
    expect(got.actionType.properties!.find((p) => p.name === 'ProjectName')).toMatchObject({ optional: false, key: true });
    expect(got.actionType.properties!.find((p) => p.name === 'EnvironmentVariables')).toMatchObject({ optional: true });
    await expect(env.cp.send(new GetActionTypeCommand({ category: 'Build', owner: 'ThirdParty', provider: 'Jenkins', version: '1' }))).rejects.toMatchObject({ name: 'ActionTypeNotFoundException' });
    await expect(env.cp.send(new GetActionTypeCommand({ category: 'Build', owner: 'AWS', provider: 'Nope', version: '1' }))).rejects.toMatchObject({ name: 'ActionTypeNotFoundException' });
    const custom = await cli('codepipeline', 'get-action-type', '--category', 'Build', '--owner', 'Custom', '--provider', 'JenkinsBuild', '--action-version', '1');
    expect(custom.stderr).toContain('ValidationException');
  });
});
