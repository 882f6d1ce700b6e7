import {
  CreatePipelineCommand, DisableStageTransitionCommand, EnableStageTransitionCommand, PutApprovalResultCommand, StartPipelineExecutionCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig } from '../../helpers/slipway.js';
import { bucket, execution, objectText, putZip, stage, start, type Env } from './support.js';

const ACCOUNT = '000000000000';

function approvalPipeline(name: string, topicArn: string, extra: Partial<PipelineDeclaration> = {}): PipelineDeclaration {
  return {
    name,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/CodePipelineRole`,
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip', PollForSourceChanges: 'false' }, outputArtifacts: [{ name: 'SourceOutput' }] }] },
      { name: 'Approval', actions: [{ name: 'Approve', actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' }, configuration: { NotificationArn: topicArn, CustomData: 'Check staging first' } }] },
      { name: 'Deploy', actions: [{ name: 'Site', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { BucketName: 'site', Extract: 'true', ObjectKey: '#{codepipeline.PipelineExecutionId}' }, inputArtifacts: [{ name: 'SourceOutput' }] }] },
    ],
    ...extra,
  };
}

describe('CodePipeline approvals, execution modes, transitions and events', () => {
  let env: Env;
  let sqs: SQSClient;
  let topicArn: string;
  let notices: string;
  let events: string;
  beforeAll(async () => {
    env = await start();
    for (const b of ['artifacts', 'sources', 'site']) await bucket(env.s3, b);
    await putZip(env.s3, 'sources', 'app.zip', { 'index.html': 'hello' });
    sqs = new SQSClient(sdkConfig(env.sw.url));
    const sns = new SNSClient(sdkConfig(env.sw.url));
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'approvals' }))).TopicArn!;
    notices = (await sqs.send(new CreateQueueCommand({ QueueName: 'approval-notices' }))).QueueUrl!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:approval-notices`, Attributes: { RawMessageDelivery: 'true' } }));
    events = (await sqs.send(new CreateQueueCommand({ QueueName: 'pipeline-events' }))).QueueUrl!;
    const eb = new EventBridgeClient(sdkConfig(env.sw.url));
    await eb.send(new PutRuleCommand({ Name: 'pipeline-events', EventPattern: JSON.stringify({ source: ['aws.codepipeline'] }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'pipeline-events', Targets: [{ Id: 'q', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:pipeline-events` }] }));
  });
  afterAll(() => env.sw.close());

  async function drain(url: string): Promise<string[]> {
    await env.sw.slipway.settled();
    const bodies: string[] = [];
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      if (!out.Messages?.length) return bodies;
      bodies.push(...out.Messages.map((m) => m.Body!));
    }
  }

  const approve = (pipelineName: string, token: string, status: 'Approved' | 'Rejected' = 'Approved') =>
    env.cp.send(new PutApprovalResultCommand({ pipelineName, stageName: 'Approval', actionName: 'Approve', token, result: { summary: `${status} in review`, status } }));

  async function token(name: string): Promise<string> {
    await env.sw.slipway.settled();
    return (await stage(env.cp, name, 'Approval')).actionStates![0].latestExecution!.token!;
  }

  it('waits for approval, notifies the topic, and deploys once approved; events reach SQS through a rule', async () => {
    await env.cp.send(new CreatePipelineCommand({ pipeline: approvalPipeline('approve-me', topicArn) }));
    await env.sw.slipway.settled();
    const [notice] = (await drain(notices)).map((b) => JSON.parse(b) as { approval: Record<string, string> });
    expect(notice.approval).toMatchObject({ pipelineName: 'approve-me', stageName: 'Approval', actionName: 'Approve', customData: 'Check staging first' });
    const state = await stage(env.cp, 'approve-me', 'Approval');
    const id = state.latestExecution!.pipelineExecutionId!;
    expect(state.actionStates![0].latestExecution).toMatchObject({ status: 'InProgress', token: notice.approval.token });
    await expect(approve('approve-me', '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ name: 'InvalidApprovalTokenException' });
    const out = await approve('approve-me', notice.approval.token);
    expect(out.approvedAt).toBeInstanceOf(Date);
    await expect(approve('approve-me', notice.approval.token)).rejects.toMatchObject({ name: 'ApprovalAlreadyCompletedException' });
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'approve-me', id)).status).toBe('Succeeded');
    expect(await objectText(env.s3, 'site', `${id}/index.html`)).toBe('hello');
    const received = (await drain(events)).map((b) => JSON.parse(b) as { 'detail-type': string; detail: Record<string, unknown> });
    const states = (type: string) => received.filter((e) => e['detail-type'] === type && e.detail['execution-id'] === id).map((e) => e.detail.state);
    expect(states('CodePipeline Pipeline Execution State Change')).toEqual(['STARTED', 'SUCCEEDED']);
    expect(states('CodePipeline Stage Execution State Change').sort()).toEqual(['STARTED', 'STARTED', 'STARTED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const action = received.find((e) => e['detail-type'] === 'CodePipeline Action Execution State Change' && e.detail.action === 'Approve' && e.detail.state === 'SUCCEEDED')!;
    expect(action.detail).toMatchObject({ pipeline: 'approve-me', stage: 'Approval', region: 'us-east-1', type: { owner: 'AWS', provider: 'Manual', category: 'Approval', version: '1' } });
  });

  it('fails the execution when the approval is rejected, or after seven days without an answer', async () => {
    const { pipelineExecutionId: rejected } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'approve-me' }));
    await approve('approve-me', await token('approve-me'), 'Rejected');
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'approve-me', rejected!)).status).toBe('Failed');
    expect((await stage(env.cp, 'approve-me', 'Approval')).actionStates![0].latestExecution).toMatchObject({ status: 'Failed', summary: 'Rejected in review' });

    const { pipelineExecutionId: expired } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'approve-me' }));
    await token('approve-me');
    env.clock.advance(7 * 24 * 3600 * 1000 - 60_000);
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'approve-me', expired!)).status).toBe('InProgress');
    env.clock.advance(120_000);
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'approve-me', expired!)).status).toBe('Failed');
    expect((await stage(env.cp, 'approve-me', 'Approval')).actionStates![0].latestExecution!.errorDetails!.message).toMatch(/expired/);
  });

  it('supersedes an older execution waiting for a busy stage (SUPERSEDED), and queues them in QUEUED mode', async () => {
    await env.cp.send(new CreatePipelineCommand({ pipeline: approvalPipeline('superseded', topicArn) }));
    const first = await token('superseded');
    const { pipelineExecutionId: second } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'superseded' }));
    await env.sw.slipway.settled();
    expect((await stage(env.cp, 'superseded', 'Approval')).inboundExecution).toMatchObject({ pipelineExecutionId: second, status: 'InProgress' });
    const { pipelineExecutionId: third } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'superseded' }));
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'superseded', second!)).status).toBe('Superseded');
    await approve('superseded', first);
    const next = await token('superseded');
    expect((await stage(env.cp, 'superseded', 'Approval')).latestExecution!.pipelineExecutionId).toBe(third);
    await approve('superseded', next);
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'superseded', third!)).status).toBe('Succeeded');

    await env.cp.send(new CreatePipelineCommand({ pipeline: approvalPipeline('queued', topicArn, { pipelineType: 'V2', executionMode: 'QUEUED' }) }));
    const q1 = await token('queued');
    const ids = [];
    for (let i = 0; i < 2; i++) ids.push((await env.cp.send(new StartPipelineExecutionCommand({ name: 'queued' }))).pipelineExecutionId!);
    await env.sw.slipway.settled();
    expect((await stage(env.cp, 'queued', 'Approval')).inboundExecutions!.map((e) => e.pipelineExecutionId)).toEqual(ids);
    await approve('queued', q1);
    await approve('queued', await token('queued'));
    await approve('queued', await token('queued'));
    await env.sw.slipway.settled();
    for (const id of ids) expect((await execution(env.cp, 'queued', id)).status).toBe('Succeeded');
  });

  it('holds executions at a disabled transition until it is enabled again', async () => {
    await env.cp.send(new DisableStageTransitionCommand({ pipelineName: 'approve-me', stageName: 'Approval', transitionType: 'Inbound', reason: 'freeze' }));
    const { pipelineExecutionId: id } = await env.cp.send(new StartPipelineExecutionCommand({ name: 'approve-me' }));
    await env.sw.slipway.settled();
    const held = await stage(env.cp, 'approve-me', 'Approval');
    expect(held.inboundTransitionState).toMatchObject({ enabled: false, disabledReason: 'freeze' });
    expect(held.inboundExecution?.pipelineExecutionId).toBe(id);
    await env.cp.send(new EnableStageTransitionCommand({ pipelineName: 'approve-me', stageName: 'Approval', transitionType: 'Inbound' }));
    await approve('approve-me', await token('approve-me'));
    await env.sw.slipway.settled();
    expect((await execution(env.cp, 'approve-me', id!)).status).toBe('Succeeded');
  });
});
