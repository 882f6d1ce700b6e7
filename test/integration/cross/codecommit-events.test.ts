import { CodeCommitClient, CreatePullRequestCommand, CreateRepositoryCommand, MergePullRequestByFastForwardCommand, PutRepositoryTriggersCommand } from '@aws-sdk/client-codecommit';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { gitOk, workdir } from '../codecommit/support.js';
import { createQueue, drainJson, type Queue } from './support.js';

interface Event<D = Record<string, unknown>> {
  source: string;
  'detail-type': string;
  account: string;
  region: string;
  resources: string[];
  detail: D;
}

/** `git push` over HTTP -> CodeCommit -> EventBridge -> rule -> SQS, and triggers -> SNS -> SQS. */
describe('CodeCommit pushes and pull requests reach real queues through EventBridge and SNS', () => {
  let sw: TestSlipway;
  let sqs: SQSClient;
  let cc: CodeCommitClient;
  let pushes: Queue;
  let prs: Queue;
  let triggered: Queue;
  let repoId: string;
  let work: string;

  beforeAll(async () => {
    sw = await startSlipway();
    sqs = new SQSClient(sdkConfig(sw.url));
    cc = new CodeCommitClient(sdkConfig(sw.url));
    const events = new EventBridgeClient(sdkConfig(sw.url));
    const sns = new SNSClient(sdkConfig(sw.url));
    pushes = await createQueue(sqs, 'pushes');
    prs = await createQueue(sqs, 'pull-requests');
    triggered = await createQueue(sqs, 'triggers');
    // The rule a CodePipeline source stage uses: branch updates of one repository.
    await events.send(new PutRuleCommand({
      Name: 'on-push',
      EventPattern: JSON.stringify({
        source: ['aws.codecommit'], 'detail-type': ['CodeCommit Repository State Change'],
        resources: ['arn:aws:codecommit:us-east-1:000000000000:my-repo'],
        detail: { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'] },
      }),
    }));
    await events.send(new PutTargetsCommand({ Rule: 'on-push', Targets: [{ Id: 'q', Arn: pushes.arn }] }));
    await events.send(new PutRuleCommand({ Name: 'on-pr', EventPattern: JSON.stringify({ source: ['aws.codecommit'], 'detail-type': ['CodeCommit Pull Request State Change'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'on-pr', Targets: [{ Id: 'q', Arn: prs.arn }] }));
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'repo-triggers' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: triggered.arn, Attributes: { RawMessageDelivery: 'true' } }));

    repoId = (await cc.send(new CreateRepositoryCommand({ repositoryName: 'my-repo' }))).repositoryMetadata!.repositoryId!;
    await cc.send(new PutRepositoryTriggersCommand({
      repositoryName: 'my-repo',
      triggers: [{ name: 'all', destinationArn: topicArn, branches: [], events: ['all'], customData: 'from-slipway' }],
    }));
    const root = workdir(sw.dataDir, 'client');
    await gitOk(root, ['clone', `${sw.url}/v1/repos/my-repo`]);
    work = join(root, 'my-repo');
  });
  afterAll(() => sw.close());

  const commit = async (file: string, text: string, message: string) => {
    writeFileSync(join(work, file), text);
    await gitOk(work, ['add', file]);
    await gitOk(work, ['commit', '-m', message]);
    return gitOk(work, ['rev-parse', 'HEAD']);
  };

  it('a git push creating and then updating main delivers the AWS event to the queue', async () => {
    await gitOk(work, ['checkout', '-b', 'main']);
    const first = await commit('README.md', '# my-repo\n', 'Initial commit');
    await gitOk(work, ['push', '-u', 'origin', 'main']);
    const second = await commit('app.js', 'console.log(1)\n', 'Add app');
    await gitOk(work, ['push']);
    await sw.slipway.settled();

    const got = await drainJson<Event>(sqs, pushes.url);
    expect(got.map((e) => [e.source, e['detail-type'], e.account, e.region, e.resources])).toEqual([
      ['aws.codecommit', 'CodeCommit Repository State Change', '000000000000', 'us-east-1', ['arn:aws:codecommit:us-east-1:000000000000:my-repo']],
      ['aws.codecommit', 'CodeCommit Repository State Change', '000000000000', 'us-east-1', ['arn:aws:codecommit:us-east-1:000000000000:my-repo']],
    ]);
    expect(got[0].detail).toMatchObject({ event: 'referenceCreated', repositoryName: 'my-repo', repositoryId: repoId, referenceType: 'branch', referenceName: 'main', referenceFullName: 'refs/heads/main', commitId: first });
    expect(got[1].detail).toMatchObject({ event: 'referenceUpdated', referenceName: 'main', commitId: second, oldCommitId: first });

    // The repository trigger published the same pushes to SNS, which delivered them raw.
    const records = (await drainJson<{ Records: { eventSource: string; eventName: string; customData: string; codecommit: { references: { ref: string; commit: string; created?: boolean }[] } }[] }>(sqs, triggered.url)).flatMap((m) => m.Records);
    expect(records.map((r) => [r.eventSource, r.eventName, r.customData, r.codecommit.references[0].ref, r.codecommit.references[0].commit])).toEqual([
      ['aws:codecommit', 'ReferenceChanges', 'from-slipway', 'refs/heads/main', first],
      ['aws:codecommit', 'ReferenceChanges', 'from-slipway', 'refs/heads/main', second],
    ]);
    expect(records[0].codecommit.references[0].created).toBe(true);
  });

  it('a pull request from a pushed branch, merged by fast-forward, sends its state changes and the merge push', async () => {
    const mainTip = await gitOk(work, ['rev-parse', 'HEAD']);
    await gitOk(work, ['checkout', '-b', 'feature/new-feature']);
    const tip = await commit('feature.txt', 'a new feature\n', 'Add feature');
    await gitOk(work, ['push', '-u', 'origin', 'feature/new-feature']);
    const pr = (await cc.send(new CreatePullRequestCommand({ title: 'Add feature', targets: [{ repositoryName: 'my-repo', sourceReference: 'feature/new-feature', destinationReference: 'main' }] }))).pullRequest!;
    await cc.send(new MergePullRequestByFastForwardCommand({ pullRequestId: pr.pullRequestId, repositoryName: 'my-repo' }));
    await sw.slipway.settled();

    const branchEvents = (await drainJson<Event>(sqs, pushes.url)).map((e) => e.detail);
    expect(branchEvents.map((d) => [d.event, d.referenceName, d.commitId, d.oldCommitId])).toEqual([
      ['referenceCreated', 'feature/new-feature', tip, undefined],
      ['referenceUpdated', 'main', tip, mainTip],
    ]);

    const prEvents = await drainJson<Event<{ event: string; pullRequestId: string; pullRequestStatus: string; isMerged: string; title: string; sourceReference: string; destinationReference: string; sourceCommit: string; repositoryNames: string[] }>>(sqs, prs.url);
    expect(prEvents.map((e) => [e.source, e['detail-type'], e.detail.event, e.detail.pullRequestStatus, e.detail.isMerged])).toEqual([
      ['aws.codecommit', 'CodeCommit Pull Request State Change', 'pullRequestCreated', 'Open', 'False'],
      ['aws.codecommit', 'CodeCommit Pull Request State Change', 'pullRequestMergeStatusUpdated', 'Closed', 'True'],
    ]);
    expect(prEvents[0].detail).toMatchObject({ pullRequestId: pr.pullRequestId, title: 'Add feature', sourceReference: 'refs/heads/feature/new-feature', destinationReference: 'refs/heads/main', sourceCommit: tip, repositoryNames: ['my-repo'] });
  });
});
