import { AutoScalingClient, DescribeScalingActivitiesCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createTargetGroup, ec2Instances, fetchText, groupView, registeredTargets, WEB_USER_DATA } from './helpers.js';

let s: TestSlipway;
let asg: AutoScalingClient;
let ec2: EC2Client;
let elb: ElasticLoadBalancingV2Client;
const clock = new ManualClock();

beforeAll(async () => {
  s = await startSlipway({ clock });
  asg = new AutoScalingClient(sdkConfig(s.url));
  ec2 = new EC2Client(sdkConfig(s.url));
  elb = new ElasticLoadBalancingV2Client(sdkConfig(s.url));
});
afterAll(async () => {
  for (const c of [asg, ec2, elb]) c?.destroy();
  await s?.close();
});

describe('Auto Scaling groups through the aws CLI', () => {
  it('launches the group from a launch template, registers it with its target group, scales, and replaces a killed instance', async () => {
    const cli = awsCli(s.env);
    const data = JSON.stringify({ ImageId: 'ami-0c55b159cbfafe1f0', InstanceType: 't3.micro', UserData: WEB_USER_DATA });
    expect((await cli('ec2', 'create-launch-template', '--launch-template-name', 'web', '--launch-template-data', data)).code).toBe(0);
    const tg = await createTargetGroup(elb, 'web-tg');
    const created = await cli('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'web-asg',
      '--launch-template', 'LaunchTemplateName=web,Version=$Latest', '--min-size', '2', '--max-size', '4', '--desired-capacity', '2',
      '--target-group-arns', tg, '--vpc-zone-identifier', 'subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002',
      '--tags', 'Key=env,Value=prod,PropagateAtLaunch=true', 'Key=owner,Value=ops,PropagateAtLaunch=false');
    expect(created.code, created.stderr).toBe(0);
    await s.slipway.settled();

    const described = (await cli('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'web-asg')).json<{
      AutoScalingGroups: { DesiredCapacity: number; AvailabilityZones: string[]; LaunchTemplate: { LaunchTemplateName: string; Version: string }; Instances: { InstanceId: string; LifecycleState: string; HealthStatus: string; AvailabilityZone: string }[] }[];
    }>().AutoScalingGroups[0];
    expect(described.LaunchTemplate).toMatchObject({ LaunchTemplateName: 'web', Version: '$Latest' });
    expect(described.Instances.map((i) => [i.LifecycleState, i.HealthStatus])).toEqual([['InService', 'Healthy'], ['InService', 'Healthy']]);
    expect(described.Instances.map((i) => i.AvailabilityZone).sort()).toEqual(['us-east-1a', 'us-east-1b']);
    const ids = described.Instances.map((i) => i.InstanceId).sort();

    const running = (await cli('ec2', 'describe-instances', '--filters', 'Name=tag:aws:autoscaling:groupName,Values=web-asg', 'Name=instance-state-name,Values=running')).json<{
      Reservations: { Instances: { InstanceId: string; PrivateIpAddress: string; Tags: { Key: string; Value: string }[] }[] }[];
    }>().Reservations.flatMap((r) => r.Instances);
    expect(running.map((i) => i.InstanceId).sort()).toEqual(ids);
    const tags = Object.fromEntries(running[0].Tags.map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ env: 'prod', 'aws:autoscaling:groupName': 'web-asg' });
    expect(tags.owner).toBeUndefined();
    expect(await fetchText(`http://${running[0].PrivateIpAddress}/index.html`)).toContain('hello from ip-');

    const health = (await cli('elbv2', 'describe-target-health', '--target-group-arn', tg)).json<{ TargetHealthDescriptions: { Target: { Id: string } }[] }>();
    expect(health.TargetHealthDescriptions.map((d) => d.Target.Id).sort()).toEqual(ids);

    // Scale out with the CLI, in with the SDK: the instance taken out is deregistered first.
    expect((await cli('autoscaling', 'set-desired-capacity', '--auto-scaling-group-name', 'web-asg', '--desired-capacity', '3')).code).toBe(0);
    await s.slipway.settled();
    expect((await groupView(asg, 'web-asg')).inService).toHaveLength(3);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web-asg', DesiredCapacity: 2 }));
    await s.slipway.settled();
    const afterIn = await groupView(asg, 'web-asg');
    expect(afterIn.states).toEqual(['InService', 'InService', 'Terminated']);
    expect(await registeredTargets(elb, tg)).toEqual(afterIn.inService);
    const gone = afterIn.ids.filter((id) => !afterIn.inService.includes(id));
    expect((await ec2Instances(ec2, gone))[0].State!.Name).toBe('terminated');

    // An instance killed behind the group's back fails its EC2 health check and is replaced.
    const victim = afterIn.inService[0];
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim] }));
    await s.slipway.settled();
    const replaced = await groupView(asg, 'web-asg');
    expect(replaced.inService).toHaveLength(2);
    expect(replaced.inService).not.toContain(victim);
    expect(await registeredTargets(elb, tg)).toEqual(replaced.inService);

    const activities = await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web-asg' }));
    const causes = activities.Activities!.map((a) => `${a.StatusCode} ${a.Description} | ${a.Cause}`);
    expect(causes.some((c) => c.startsWith('Successful Terminating EC2 instance: ' + victim) && c.includes('EC2 health check indicating it has been terminated or stopped'))).toBe(true);
    expect(causes.some((c) => c.includes('a user request explicitly set group desired capacity changing the desired capacity from 2 to 3'))).toBe(true);
    expect(causes.at(-1)).toMatch(/^Successful Launching a new EC2 instance: i-.* \| At .* a user request created an AutoScalingGroup changing the desired capacity from 0 to 2\. {2}At .* increasing the capacity from 0 to 2\.$/);
  });

  it('refuses bad sizes, duplicates and deletes of groups with instances; force-deletes', async () => {
    const cli = awsCli(s.env);
    const base = ['autoscaling', 'create-auto-scaling-group', '--launch-template', 'LaunchTemplateName=web'];
    const bad = await cli(...base, '--auto-scaling-group-name', 'x', '--min-size', '3', '--max-size', '2');
    expect(bad.stderr).toContain('ValidationError');
    expect(bad.stderr).toContain('Max bound, 2, must be greater than or equal to min bound, 3');
    const desired = await cli(...base, '--auto-scaling-group-name', 'x', '--min-size', '1', '--max-size', '2', '--desired-capacity', '5');
    expect(desired.stderr).toContain('Desired capacity:5 must be between the specified min size:1 and max size:2');
    const dup = await cli(...base, '--auto-scaling-group-name', 'web-asg', '--min-size', '1', '--max-size', '2');
    expect(dup.stderr).toContain('AlreadyExists');
    const noTemplate = await cli('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'y', '--launch-template', 'LaunchTemplateName=nope', '--min-size', '1', '--max-size', '1');
    expect(noTemplate.stderr).toContain('ValidationError');
    const above = await cli('autoscaling', 'set-desired-capacity', '--auto-scaling-group-name', 'web-asg', '--desired-capacity', '9');
    expect(above.stderr).toContain('New SetDesiredCapacity value 9 is above max value 4 for the AutoScalingGroup.');
    const inUse = await cli('autoscaling', 'delete-auto-scaling-group', '--auto-scaling-group-name', 'web-asg');
    expect(inUse.stderr).toContain('ResourceInUse');

    const before = await groupView(asg, 'web-asg');
    expect((await cli('autoscaling', 'delete-auto-scaling-group', '--auto-scaling-group-name', 'web-asg', '--force-delete')).code).toBe(0);
    await s.slipway.settled();
    const left = (await cli('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'web-asg')).json<{ AutoScalingGroups: unknown[] }>();
    expect(left.AutoScalingGroups).toEqual([]);
    expect((await ec2Instances(ec2, before.inService)).map((i) => i.State!.Name)).toEqual(['terminated', 'terminated']);
  });
});
