import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachInstancesCommand, AttachLoadBalancerTargetGroupsCommand, AutoScalingClient, CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand,
  CreateOrUpdateTagsCommand, DeleteLaunchConfigurationCommand, DeleteTagsCommand, DescribeAutoScalingInstancesCommand, DescribeLaunchConfigurationsCommand,
  DescribeLoadBalancerTargetGroupsCommand, DescribeTagsCommand, DescribeTrafficSourcesCommand, DetachInstancesCommand, DetachLoadBalancerTargetGroupsCommand,
  SetDesiredCapacityCommand, TerminateInstanceInAutoScalingGroupCommand, UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createTargetGroup, ec2Instances, groupView, registeredTargets } from './helpers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-asg-'));
const clock = new ManualClock();
let s: TestSlipway;
let asg: AutoScalingClient;
let ec2: EC2Client;
let elb: ElasticLoadBalancingV2Client;

async function open(): Promise<void> {
  s = await startSlipway({ dataDir, clock });
  asg = new AutoScalingClient(sdkConfig(s.url));
  ec2 = new EC2Client(sdkConfig(s.url));
  elb = new ElasticLoadBalancingV2Client(sdkConfig(s.url));
}

async function close(): Promise<void> {
  for (const c of [asg, ec2, elb]) c?.destroy();
  await s?.close();
}

beforeAll(open);
afterAll(async () => {
  await close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Auto Scaling groups through the SDK', () => {
  it('launch configurations; attaching, detaching and terminating instances', async () => {
    await asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'lc', ImageId: 'ami-1', InstanceType: 't3.small' }));
    await expect(asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'lc', ImageId: 'ami-1', InstanceType: 't3.small' }))).rejects.toMatchObject({ name: 'AlreadyExistsFault' });
    const lcs = await asg.send(new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: ['lc'] }));
    expect(lcs.LaunchConfigurations![0]).toMatchObject({ ImageId: 'ami-1', InstanceType: 't3.small' });
    await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'app', LaunchConfigurationName: 'lc', MinSize: 1, MaxSize: 3, AvailabilityZones: ['us-east-1b'] }));
    await s.slipway.settled();
    const [first] = (await groupView(asg, 'app')).inService;
    const details = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [first] }));
    expect(details.AutoScalingInstances![0]).toMatchObject({ AutoScalingGroupName: 'app', LifecycleState: 'InService', HealthStatus: 'HEALTHY', LaunchConfigurationName: 'lc', AvailabilityZone: 'us-east-1b', InstanceType: 't3.small' });
    await expect(asg.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'lc' }))).rejects.toMatchObject({ name: 'ResourceInUseFault' });

    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-2', MinCount: 1, MaxCount: 1 }));
    const outsider = run.Instances![0].InstanceId!;
    await s.slipway.settled();
    await asg.send(new AttachInstancesCommand({ AutoScalingGroupName: 'app', InstanceIds: [outsider] }));
    await s.slipway.settled();
    let view = await groupView(asg, 'app');
    expect(view.desired).toBe(2);
    expect(view.inService).toEqual([first, outsider].sort());
    expect((await ec2Instances(ec2, [outsider]))[0].Tags).toContainEqual({ Key: 'aws:autoscaling:groupName', Value: 'app' });

    const detached = await asg.send(new DetachInstancesCommand({ AutoScalingGroupName: 'app', InstanceIds: [outsider], ShouldDecrementDesiredCapacity: true }));
    expect(detached.Activities![0]).toMatchObject({ Description: `Detaching EC2 instance: ${outsider}`, StatusCode: 'Successful' });
    await s.slipway.settled();
    view = await groupView(asg, 'app');
    expect([view.desired, view.ids]).toEqual([1, [first]]);
    expect((await ec2Instances(ec2, [outsider]))[0].State!.Name).toBe('running');

    await expect(asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: first, ShouldDecrementDesiredCapacity: true }))).rejects.toThrow(/violate group's min size constraint/);
    await expect(asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: outsider, ShouldDecrementDesiredCapacity: false }))).rejects.toThrow(`No managed instance found for instance ID: ${outsider}`);
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'app', MinSize: 0 }));
    const term = await asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: first, ShouldDecrementDesiredCapacity: true }));
    expect(term.Activity).toMatchObject({ Description: `Terminating EC2 instance: ${first}`, StatusCode: 'InProgress' });
    await s.slipway.settled();
    view = await groupView(asg, 'app');
    expect([view.desired, view.states]).toEqual([0, ['Terminated']]);
  });

  it('tags and target groups', async () => {
    await asg.send(new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: 'app', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'web', PropagateAtLaunch: true }] }));
    const tags = await asg.send(new DescribeTagsCommand({ Filters: [{ Name: 'auto-scaling-group', Values: ['app'] }] }));
    expect(tags.Tags).toEqual([{ ResourceId: 'app', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'web', PropagateAtLaunch: true }]);

    const tg = await createTargetGroup(elb, 'app-tg');
    await asg.send(new AttachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: 'app', TargetGroupARNs: [tg] }));
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'app', DesiredCapacity: 2 }));
    await s.slipway.settled();
    const view = await groupView(asg, 'app');
    expect(await registeredTargets(elb, tg)).toEqual(view.inService);
    expect((await ec2Instances(ec2, view.inService))[0].Tags).toContainEqual({ Key: 'team', Value: 'web' });
    expect((await asg.send(new DescribeLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: 'app' }))).LoadBalancerTargetGroups).toEqual([{ LoadBalancerTargetGroupARN: tg, State: 'InService' }]);
    expect((await asg.send(new DescribeTrafficSourcesCommand({ AutoScalingGroupName: 'app' }))).TrafficSources).toMatchObject([{ Identifier: tg, Type: 'elbv2' }]);
    await asg.send(new DeleteTagsCommand({ Tags: [{ ResourceId: 'app', ResourceType: 'auto-scaling-group', Key: 'team' }] }));
    expect((await asg.send(new DescribeTagsCommand({}))).Tags).toEqual([]);
    await asg.send(new DetachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: 'app', TargetGroupARNs: [tg] }));
    expect(await registeredTargets(elb, tg)).toEqual([]);
    await expect(asg.send(new AttachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: 'app', TargetGroupARNs: [tg.replace('app-tg', 'nope')] }))).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('keeps the group and its instances across a restart, and goes on scaling', async () => {
    const before = await groupView(asg, 'app');
    await close();
    await open();
    await s.slipway.settled();
    const after = await groupView(asg, 'app');
    expect(after.inService).toEqual(before.inService);
    expect((await ec2Instances(ec2, after.inService)).map((i) => i.State!.Name)).toEqual(['running', 'running']);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'app', DesiredCapacity: 3 }));
    await s.slipway.settled();
    expect((await groupView(asg, 'app')).inService).toHaveLength(3);
  });
});
