import { CreatePipelineCommand, ListPipelineExecutionsCommand, type PipelineDeclaration, type PipelineTriggerDeclaration } from '@aws-sdk/client-codepipeline';
import { CodeCommitClient, CreatePullRequestCommand, CreateRepositoryCommand, UpdatePullRequestStatusCommand } from '@aws-sdk/client-codecommit';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig } from '../../helpers/slipway.js';
import { gitOk } from '../codecommit/support.js';
import { bucket, objectText, start, type Env } from './support.js';

function triggered(name: string, gitConfiguration: Omit<PipelineTriggerDeclaration['gitConfiguration'], 'sourceActionName'>): PipelineDeclaration {
  return {
    name,
    pipelineType: 'V2',
    roleArn: 'arn:aws:iam::000000000000:role/CodePipelineRole',
    artifactStore: { type: 'S3', location: 'artifacts' },
    triggers: [{ providerType: 'CodeStarSourceConnection', gitConfiguration: { sourceActionName: 'Source', ...gitConfiguration } }],
    stages: [
      { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeCommit', version: '1' }, configuration: { RepositoryName: 'app', BranchName: 'main', PollForSourceChanges: 'false' }, outputArtifacts: [{ name: 'Src' }], namespace: 'SourceVariables' }] },
      { name: 'Deploy', actions: [{ name: 'Site', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { BucketName: 'site', Extract: 'true', ObjectKey: `${name}/#{SourceVariables.CommitId}` }, inputArtifacts: [{ name: 'Src' }] }] },
    ],
  };
}

describe('CodePipeline V2 triggers for tags and pull requests', () => {
  let env: Env;
  let cc: CodeCommitClient;
  let dir: string;
  const git = (...args: string[]) => gitOk(dir, args);
  const commit = async (file: string, text: string, message: string) => {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
    await git('add', '.');
    await git('commit', '-qm', message);
    return git('rev-parse', 'HEAD');
  };
  const runs = async (name: string) => (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries!;
  const triggers = async (name: string) => (await runs(name)).map((r) => (r.trigger?.triggerType === 'WebhookV2' ? r.trigger.triggerDetail : r.trigger?.triggerType));

  beforeAll(async () => {
    env = await start();
    for (const b of ['artifacts', 'site']) await bucket(env.s3, b);
    cc = new CodeCommitClient(sdkConfig(env.sw.url));
    await cc.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    dir = join(env.sw.dataDir, 'work');
    await gitOk(env.sw.dataDir, ['clone', '-q', `${env.sw.url}/v1/repos/app`, dir]);
    await git('checkout', '-qb', 'main');
    await commit('src/app.js', 'v1', 'first');
    await git('push', '-q', 'origin', 'main');
    await env.cp.send(new CreatePipelineCommand({ pipeline: triggered('release', { push: [{ tags: { includes: ['v*'], excludes: ['v*-rc*'] } }] }) }));
    await env.cp.send(new CreatePipelineCommand({
      pipeline: triggered('review', { pullRequest: [{ events: ['OPEN', 'UPDATED', 'CLOSED'], branches: { includes: ['main'] }, filePaths: { includes: ['src/**'] } }] }),
    }));
    await env.sw.slipway.settled();
  });
  afterAll(() => env?.sw.close());

  it('a pushed tag matching the filters starts the pipeline at the tag\'s commit; others do not', async () => {
    const first = await git('rev-parse', 'HEAD');
    await git('tag', 'v1.0');
    await git('push', '-q', 'origin', 'v1.0');
    await env.sw.slipway.settled();
    expect(await triggers('release')).toEqual(['app:refs/tags/v1.0', 'CreatePipeline']);

    // An excluded tag, an unmatched tag and a branch push start nothing.
    const second = await commit('src/app.js', 'v2', 'second');
    await git('tag', 'v2.0-rc1');
    await git('tag', 'nightly');
    await git('push', '-q', 'origin', 'main', 'v2.0-rc1', 'nightly');
    await env.sw.slipway.settled();
    expect(await runs('release')).toHaveLength(2);

    // An annotated tag runs on the commit it points at.
    await git('tag', '-a', 'v2.0', '-m', 'release 2');
    await git('push', '-q', 'origin', 'v2.0');
    await env.sw.slipway.settled();
    const cli = awsCli(env.sw.env);
    const listed = (await cli('codepipeline', 'list-pipeline-executions', '--pipeline-name', 'release')).json<{ pipelineExecutionSummaries: { status: string; trigger: object; sourceRevisions: { revisionId: string }[] }[] }>();
    const [latest, tagged] = listed.pipelineExecutionSummaries;
    expect(latest).toMatchObject({ status: 'Succeeded', trigger: { triggerType: 'WebhookV2', triggerDetail: 'app:refs/tags/v2.0' }, sourceRevisions: [{ revisionId: second }] });
    expect(tagged).toMatchObject({ status: 'Succeeded', sourceRevisions: [{ revisionId: first }] });
    expect(await objectText(env.s3, 'site', `release/${second}/src/app.js`)).toBe('v2');
    expect(await objectText(env.s3, 'site', `release/${first}/src/app.js`)).toBe('v1');
    // Pushes and tags never start the pull-request pipeline.
    expect(await triggers('review')).toEqual(['CreatePipeline']);
  });

  it('pull requests into main start the pipeline on their source commit when opened, updated and merged', async () => {
    const cli = awsCli(env.sw.env);
    await git('checkout', '-qb', 'feature');
    const f1 = await commit('src/feature.js', 'one', 'feature one');
    await git('push', '-q', 'origin', 'feature');
    await env.sw.slipway.settled();
    expect(await runs('review')).toHaveLength(1);

    const created = await cli('codecommit', 'create-pull-request', '--title', 'Feature', '--targets', 'repositoryName=app,sourceReference=feature,destinationReference=main');
    const prId = created.json<{ pullRequest: { pullRequestId: string } }>().pullRequest.pullRequestId;
    await env.sw.slipway.settled();
    let [latest] = await runs('review');
    expect(latest).toMatchObject({ status: 'Succeeded', trigger: { triggerType: 'WebhookV2', triggerDetail: `app:pull-request/${prId}:OPEN` }, sourceRevisions: [{ revisionId: f1 }] });

    const f2 = await commit('src/feature.js', 'two', 'feature two');
    await git('push', '-q', 'origin', 'feature');
    await env.sw.slipway.settled();
    [latest] = await runs('review');
    expect(latest).toMatchObject({ trigger: { triggerDetail: `app:pull-request/${prId}:UPDATED` }, sourceRevisions: [{ revisionId: f2 }] });
    expect(await objectText(env.s3, 'site', `review/${f2}/src/feature.js`)).toBe('two');

    const merged = await cli('codecommit', 'merge-pull-request-by-fast-forward', '--pull-request-id', prId, '--repository-name', 'app');
    expect(merged.code, merged.stderr).toBe(0);
    await env.sw.slipway.settled();
    const state = (await cli('codepipeline', 'get-pipeline-state', '--name', 'review')).json<{ stageStates: { latestExecution: { pipelineExecutionId: string; status: string } }[] }>();
    [latest] = await runs('review');
    expect(latest).toMatchObject({ trigger: { triggerDetail: `app:pull-request/${prId}:CLOSED` }, sourceRevisions: [{ revisionId: f2 }] });
    expect(state.stageStates[1].latestExecution).toMatchObject({ pipelineExecutionId: latest.pipelineExecutionId, status: 'Succeeded' });
    expect(await runs('review')).toHaveLength(4);
    // The merge moved main: not a tag, so the release pipeline stays put.
    expect(await runs('release')).toHaveLength(3);
  });

  it('pull requests that change no filtered file, or target another branch, start nothing; closing one does', async () => {
    await git('checkout', '-q', 'main');
    await git('pull', '-q', 'origin', 'main');
    await git('checkout', '-qb', 'docs');
    await commit('README.md', 'docs', 'docs only');
    await git('checkout', '-qb', 'dev', 'main');
    await git('checkout', '-qb', 'to-dev');
    const toDev = await commit('src/dev.js', 'dev', 'dev work');
    await git('push', '-q', 'origin', 'docs', 'dev', 'to-dev');
    await env.sw.slipway.settled();
    const open = (source: string, destination: string) =>
      cc.send(new CreatePullRequestCommand({ title: source, targets: [{ repositoryName: 'app', sourceReference: source, destinationReference: destination }] }));
    await open('docs', 'main');
    const dev = (await open('to-dev', 'dev')).pullRequest!.pullRequestId!;
    await env.sw.slipway.settled();
    expect(await triggers('review'), JSON.stringify(await runs('review'))).toHaveLength(4);

    // The same source opened against main, then closed without merging: OPEN and CLOSED both run.
    const pr = (await open('to-dev', 'main')).pullRequest!.pullRequestId!;
    await cc.send(new UpdatePullRequestStatusCommand({ pullRequestId: pr, pullRequestStatus: 'CLOSED' }));
    await cc.send(new UpdatePullRequestStatusCommand({ pullRequestId: dev, pullRequestStatus: 'CLOSED' }));
    await env.sw.slipway.settled();
    const latest = (await runs('review')).slice(0, 2);
    expect(latest.map((r) => r.trigger?.triggerDetail)).toEqual([`app:pull-request/${pr}:CLOSED`, `app:pull-request/${pr}:OPEN`]);
    expect(latest.map((r) => r.sourceRevisions?.[0].revisionId)).toEqual([toDev, toDev]);
  });
});
