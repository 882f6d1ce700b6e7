import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { gitOk, workdir } from '../codecommit/support.js';
import { CreateCustomActionTypeCommand, CreatePipelineCommand, ListActionExecutionsCommand, PollForJobsCommand, type CreatePipelineCommandInput } from '@aws-sdk/client-codepipeline';
import { CodeCommitClient, CreateRepositoryCommand } from '@aws-sdk/client-codecommit';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { sdkConfig } from '../../helpers/slipway.js';
import { bucket, execution, objectBytes, start, unzip, type Env } from './support.js';

/** The seed's pipeline.json (test/fixtures), unchanged apart from the account id. */
const SEED_PIPELINE_FILE = new URL('../../fixtures/codepipeline/pipeline.json', import.meta.url);
const SEED_PIPELINE = JSON.parse(readFileSync(SEED_PIPELINE_FILE, 'utf8')) as CreatePipelineCommandInput;

/** Each aws CLI command costs a Python start (seconds when the machine is busy with a full test run). */
const CLI_TIMEOUT = 150_000;

/** The EventBridge rule AWS documents (and the console creates) for a CodeCommit source with PollForSourceChanges false. */
const PUSH_PATTERN = {
  source: ['aws.codecommit'],
  'detail-type': ['CodeCommit Repository State Change'],
  resources: ['arn:aws:codecommit:us-east-1:000000000000:my-repo'],
  detail: { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'], referenceName: ['main'] },
};

describe('the seed\'s pipeline through the aws CLI and git', () => {
  let env: Env;
  let cli: ReturnType<typeof awsCli>;
  let dir: string;
  beforeAll(async () => {
    env = await start();
    cli = awsCli(env.sw.env);
    dir = workdir(env.sw.dataDir, 'cli');
  });
  afterAll(() => env.sw.close());

  it('creates the seed\'s pipeline unchanged, and a git push runs its source through an EventBridge rule', async () => {
    await bucket(env.s3, 'my-artifact-bucket');
    await new CodeCommitClient(sdkConfig(env.sw.url)).send(new CreateRepositoryCommand({ repositoryName: 'my-repo' }));
    copyFileSync(SEED_PIPELINE_FILE, join(dir, 'pipeline.json'));
    const created = await cli('codepipeline', 'create-pipeline', '--cli-input-json', `file://${join(dir, 'pipeline.json')}`);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json<{ pipeline: { name: string; version: number } }>().pipeline).toMatchObject({ name: 'my-app-pipeline', version: 1 });
    await expect(env.cp.send(new CreatePipelineCommand(SEED_PIPELINE))).rejects.toMatchObject({ name: 'PipelineNameInUseException' });
    await env.sw.slipway.settled();
    // Created pipelines run once at once; the repository has no main branch yet, so that run fails honestly.
    const first = (await cli('codepipeline', 'list-pipeline-executions', '--pipeline-name', 'my-app-pipeline')).json<{ pipelineExecutionSummaries: { status: string; trigger: { triggerType: string } }[] }>();
    expect(first.pipelineExecutionSummaries).toMatchObject([{ status: 'Failed', trigger: { triggerType: 'CreatePipeline' } }]);

    const eb = new EventBridgeClient(sdkConfig(env.sw.url));
    await eb.send(new PutRuleCommand({ Name: 'my-repo-main', EventPattern: JSON.stringify(PUSH_PATTERN) }));
    await eb.send(new PutTargetsCommand({ Rule: 'my-repo-main', Targets: [{ Id: 'pipeline', Arn: 'arn:aws:codepipeline:us-east-1:000000000000:my-app-pipeline', RoleArn: 'arn:aws:iam::000000000000:role/EventsRole' }] }));

    const repo = join(dir, 'my-repo');
    mkdirSync(repo);
    await gitOk(repo, ['init', '-q', '-b', 'main']);
    mkdirSync(join(repo, 'scripts'));
    writeFileSync(join(repo, 'index.js'), 'console.log("v1")\n');
    writeFileSync(join(repo, 'scripts', 'start.sh'), '#!/bin/sh\nnode index.js\n', { mode: 0o755 });
    await gitOk(repo, ['add', '.']);
    await gitOk(repo, ['commit', '-q', '-m', 'First version']);
    await gitOk(repo, ['push', '-q', `${env.sw.url}/v1/repos/my-repo`, 'main']);
    const commit = await gitOk(repo, ['rev-parse', 'HEAD']);
    await env.sw.slipway.settled();

    const list = (await cli('codepipeline', 'list-pipeline-executions', '--pipeline-name', 'my-app-pipeline')).json<{ pipelineExecutionSummaries: { status: string; trigger: { triggerType: string }; sourceRevisions: { revisionId: string; revisionSummary: string }[] }[] }>();
    const pushed = list.pipelineExecutionSummaries[0];
    expect(pushed.trigger.triggerType).toBe('CloudWatchEvent');
    expect(pushed.sourceRevisions).toMatchObject([{ revisionId: commit, revisionSummary: 'First version' }]);
    const state = (await cli('codepipeline', 'get-pipeline-state', '--name', 'my-app-pipeline')).json<{ stageStates: { stageName: string; latestExecution: { status: string }; actionStates: { latestExecution?: { status: string; externalExecutionId?: string; errorDetails?: { message: string } } }[] }[] }>();
    const [source, build] = state.stageStates;
    expect(source.latestExecution.status).toBe('Succeeded');
    expect(source.actionStates[0].latestExecution).toMatchObject({ status: 'Succeeded', externalExecutionId: commit });
    // No false green: there is no CodeBuild project my-build-project here, so the build action fails and says why.
    expect(build.latestExecution.status).toBe('Failed');
    expect(build.actionStates[0].latestExecution?.errorDetails?.message).toMatch(/codebuild|my-build-project/i);

    const actions = (await env.cp.send(new ListActionExecutionsCommand({ pipelineName: 'my-app-pipeline' }))).actionExecutionDetails!;
    const sourceRun = actions.find((a) => a.actionName === 'SourceAction' && a.output?.outputVariables)!;
    expect(sourceRun.output!.outputVariables).toMatchObject({ CommitId: commit, BranchName: 'main', RepositoryName: 'my-repo', CommitMessage: 'First version' });
    const artifact = sourceRun.output!.outputArtifacts![0].s3location!;
    expect(artifact.key).toMatch(/^my-app-pipeline\/SourceOutp\/[A-Za-z0-9]{7}$/);
    expect(unzip(await objectBytes(env.s3, artifact.bucket!, artifact.key!))).toEqual({ 'index.js': 'console.log("v1")\n', 'scripts/start.sh': '#!/bin/sh\nnode index.js\n' });
  }, CLI_TIMEOUT);

  it('answers approvals and retries stages through the CLI (put-approval-result, retry-stage-execution, job results)', async () => {
    await env.cp.send(new CreateCustomActionTypeCommand({ category: 'Build', provider: 'Jenkins', version: '1', inputArtifactDetails: { minimumCount: 0, maximumCount: 1 }, outputArtifactDetails: { minimumCount: 0, maximumCount: 1 } }));
    const pipeline = {
      pipeline: {
        ...SEED_PIPELINE.pipeline,
        name: 'approvals',
        stages: [
          SEED_PIPELINE.pipeline!.stages![0],
          { name: 'Build', actions: [{ name: 'Jenkins', actionTypeId: { category: 'Build', owner: 'Custom', provider: 'Jenkins', version: '1' }, inputArtifacts: [{ name: 'SourceOutput' }] }] },
          { name: 'Approval', actions: [{ name: 'Approve', actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' } }] },
        ],
      },
    };
    writeFileSync(join(dir, 'approvals.json'), JSON.stringify(pipeline));
    expect((await cli('codepipeline', 'create-pipeline', '--cli-input-json', `file://${join(dir, 'approvals.json')}`)).code).toBe(0);
    await env.sw.slipway.settled();
    const poll = async () => (await env.cp.send(new PollForJobsCommand({ actionTypeId: { category: 'Build', owner: 'Custom', provider: 'Jenkins', version: '1' } }))).jobs![0];
    const job = await poll();
    const id = job.data!.pipelineContext!.pipelineExecutionId!;
    // The seed's Jenkins step, with the failure type the CLI requires.
    expect((await cli('codepipeline', 'put-job-failure-result', '--job-id', job.id!, '--failure-details', 'type=JobFailed,message="Jenkins build failed"')).code).toBe(0);
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'approvals', id)).status).toBe('Failed');
    const retried = await cli('codepipeline', 'retry-stage-execution', '--pipeline-name', 'approvals', '--stage-name', 'Build', '--pipeline-execution-id', id, '--retry-mode', 'FAILED_ACTIONS');
    expect(retried.json<{ pipelineExecutionId: string }>().pipelineExecutionId).toBe(id);
    await env.sw.slipway.settled();
    const again = await poll();
    expect((await cli('codepipeline', 'put-job-success-result', '--job-id', again.id!)).code).toBe(0);
    await env.sw.slipway.settled();
    const state = (await cli('codepipeline', 'get-pipeline-state', '--name', 'approvals')).json<{ stageStates: { stageName: string; actionStates: { latestExecution?: { status: string; token?: string } }[] }[] }>();
    const token = state.stageStates[2].actionStates[0].latestExecution!.token!;
    const approved = await cli('codepipeline', 'put-approval-result', '--pipeline-name', 'approvals', '--stage-name', 'Approval', '--action-name', 'Approve', '--result', 'summary=ok,status=Approved', '--token', token);
    expect(approved.code, approved.stderr).toBe(0);
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'approvals', id)).status).toBe('Succeeded');
  }, CLI_TIMEOUT);
});
