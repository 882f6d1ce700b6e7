import { AutoScalingClient, CompleteLifecycleActionCommand, CreateAutoScalingGroupCommand, DeleteAutoScalingGroupCommand, DeleteLifecycleHookCommand, DescribeAutoScalingGroupsCommand, DescribeLifecycleHooksCommand, PutLifecycleHookCommand, RecordLifecycleActionHeartbeatCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { ec2Instances, groupView } from './helpers.js';

const clock = new ManualClock();
let s: TestSlipway;
let asg: AutoScalingClient;
let ec2: EC2Client;
let sqs: SQSClient;
let hookQueue: string;
let eventQueue: string;

beforeAll(async () => {
  s = await startSlipway({ clock });
  asg = new AutoScalingClient(sdkConfig(s.url));
  ec2 = new EC2Client(sdkConfig(s.url));
  sqs = new SQSClient(sdkConfig(s.url));
  const events = new EventBridgeClient(sdkConfig(s.url));
  hookQueue = (await sqs.send(new CreateQueueCommand({ QueueName: 'hooks' }))).QueueUrl!;
  eventQueue = (await sqs.send(new CreateQueueCommand({ QueueName: 'asg-events' }))).QueueUrl!;
  await events.send(new PutRuleCommand({ Name: 'asg', EventPattern: JSON.stringify({ source: ['aws.autoscaling'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 'asg', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:asg-events' }] }));
  events.destroy();
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-1' } }));
});
afterAll(async () => {
  for (const c of [asg, ec2, sqs]) c?.destroy();
  await s?.close();
});

async function drain(url: string): Promise<Record<string, unknown>[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  return (out.Messages ?? []).map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
}

describe('Auto Scaling lifecycle hooks', () => {
  it('holds a launching instance in Pending:Wait until complete-lifecycle-action, and a terminating one until its timeout', async () => {
    await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'hooked', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 0, MaxSize: 2, DesiredCapacity: 0 }));
    const queueArn = 'arn:aws:sqs:us-east-1:000000000000:hooks';
    await asg.send(new PutLifecycleHookCommand({
      AutoScalingGroupName: 'hooked', LifecycleHookName: 'warm-up', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      NotificationTargetARN: queueArn, RoleARN: 'arn:aws:iam::000000000000:role/hooks', HeartbeatTimeout: 120, DefaultResult: 'ABANDON', NotificationMetadata: 'warm',
    }));
    await asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 30, DefaultResult: 'CONTINUE' }));
    const hooks = await asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'hooked' }));
    expect(hooks.LifecycleHooks!.map((h) => [h.LifecycleHookName, h.HeartbeatTimeout, h.DefaultResult, h.GlobalTimeout])).toEqual([['drain', 30, 'CONTINUE', 3000], ['warm-up', 120, 'ABANDON', 12000]]);
    expect((await drain(hookQueue)).map((m) => m.Event)).toEqual(['autoscaling:TEST_NOTIFICATION']);

    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'hooked', DesiredCapacity: 1 }));
    await s.slipway.settled();
    let view = await groupView(asg, 'hooked');
    expect(view.states).toEqual(['Pending:Wait']);
    const [id] = view.ids;
    expect((await ec2Instances(ec2, [id]))[0].State!.Name).toBe('running');
    const [note] = await drain(hookQueue);
    expect(note).toMatchObject({ LifecycleHookName: 'warm-up', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', AutoScalingGroupName: 'hooked', EC2InstanceId: id, NotificationMetadata: 'warm', Service: 'AWS Auto Scaling' });

    // A heartbeat pushes the timeout on: the default result (ABANDON) does not apply at 120 s.
    clock.advance(100_000);
    await asg.send(new RecordLifecycleActionHeartbeatCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'warm-up', LifecycleActionToken: note.LifecycleActionToken as string }));
    clock.advance(100_000);
    await s.slipway.settled();
    expect((await groupView(asg, 'hooked')).states).toEqual(['Pending:Wait']);
    const bad = await awsCli(s.env)('autoscaling', 'complete-lifecycle-action', '--auto-scaling-group-name', 'hooked', '--lifecycle-hook-name', 'warm-up',
      '--lifecycle-action-token', '00000000-0000-0000-0000-000000000000', '--lifecycle-action-result', 'CONTINUE');
    expect(bad.stderr).toContain('No active Lifecycle Action found with token');
    const done = await awsCli(s.env)('autoscaling', 'complete-lifecycle-action', '--auto-scaling-group-name', 'hooked', '--lifecycle-hook-name', 'warm-up',
      '--lifecycle-action-token', note.LifecycleActionToken as string, '--lifecycle-action-result', 'CONTINUE');
    expect(done.code, done.stderr).toBe(0);
    await s.slipway.settled();
    expect((await groupView(asg, 'hooked')).states).toEqual(['InService']);

    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'hooked', DesiredCapacity: 0 }));
    await s.slipway.settled();
    expect((await groupView(asg, 'hooked')).states).toEqual(['Terminating:Wait']);
    expect((await ec2Instances(ec2, [id]))[0].State!.Name).toBe('running');
    clock.advance(30_000);
    await s.slipway.settled();
    view = await groupView(asg, 'hooked');
    expect(view.states).toEqual(['Terminated']);
    expect((await ec2Instances(ec2, [id]))[0].State!.Name).toBe('terminated');

    const events = (await drain(eventQueue)).concat(await drain(eventQueue));
    const types = events.map((e) => e['detail-type']);
    expect(types).toEqual(expect.arrayContaining(['EC2 Instance-launch Lifecycle Action', 'EC2 Instance Launch Successful', 'EC2 Instance-terminate Lifecycle Action', 'EC2 Instance Terminate Successful']));
    const launchAction = events.find((e) => e['detail-type'] === 'EC2 Instance-launch Lifecycle Action')!;
    expect(launchAction).toMatchObject({ source: 'aws.autoscaling', detail: { LifecycleHookName: 'warm-up', EC2InstanceId: id, LifecycleActionToken: note.LifecycleActionToken, Origin: 'EC2', Destination: 'AutoScalingGroup' } });
  });

  it('ABANDON on launch terminates the instance and launches another', async () => {
    await asg.send(new DeleteLifecycleHookCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'drain' }));
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'hooked', DesiredCapacity: 1 }));
    await s.slipway.settled();
    const [pending] = (await groupView(asg, 'hooked')).inState('Pending:Wait');
    await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'warm-up', InstanceId: pending, LifecycleActionResult: 'ABANDON' }));
    await s.slipway.settled();
    const view = await groupView(asg, 'hooked');
    expect((await ec2Instances(ec2, [pending]))[0].State!.Name).toBe('terminated');
    const replacement = view.inState('Pending:Wait');
    expect(replacement).toHaveLength(1);
    expect(replacement[0]).not.toBe(pending);

    // Force-deleting the group drops the outstanding lifecycle action.
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'hooked', ForceDelete: true }));
    await s.slipway.settled();
    expect((await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['hooked'] }))).AutoScalingGroups).toEqual([]);
    expect((await ec2Instances(ec2, replacement))[0].State!.Name).toBe('terminated');
  });
});
