import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeScalingActivitiesCommand, SetInstanceHealthCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { ec2Instances, fetchText, groupView } from './helpers.js';

const clock = new ManualClock();
let s: TestSlipway;
let asg: AutoScalingClient;
let ec2: EC2Client;
let elb: ElasticLoadBalancingV2Client;

/** Serves / and /health on port 80; the health file can be removed to fail the check. */
const USER_DATA = Buffer.from(
  '#!/bin/sh\nmkdir -p /var/www/html && echo ok > /var/www/html/health && echo "hi" > /var/www/html/index.html\ncd /var/www/html && nohup python3 -m http.server 80 >/dev/null 2>&1 &\n',
).toString('base64');

beforeAll(async () => {
  s = await startSlipway({ clock, elbPorts: 'ephemeral' });
  asg = new AutoScalingClient(sdkConfig(s.url));
  ec2 = new EC2Client(sdkConfig(s.url));
  elb = new ElasticLoadBalancingV2Client(sdkConfig(s.url));
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-1', UserData: USER_DATA } }));
});
afterAll(async () => {
  for (const c of [asg, ec2, elb]) c?.destroy();
  await s?.close();
});

async function causes(group: string): Promise<string[]> {
  const out = await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: group }));
  return out.Activities!.map((a) => a.Cause!);
}

async function serving(ids: string[]): Promise<void> {
  for (const i of await ec2Instances(ec2, ids)) await fetchText(`http://${i.PrivateIpAddress}/health`);
}

describe('Auto Scaling health checks', () => {
  it('replaces an instance that was stopped, and one whose processes died (EC2 health)', async () => {
    await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'ec2-health', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 2, MaxSize: 2 }));
    await s.slipway.settled();
    const [a, b] = (await groupView(asg, 'ec2-health')).inService;
    await ec2.send(new StopInstancesCommand({ InstanceIds: [a] }));
    await s.slipway.settled();
    let view = await groupView(asg, 'ec2-health');
    expect(view.inService).toHaveLength(2);
    expect(view.inService).not.toContain(a);
    expect((await ec2Instances(ec2, [a]))[0].State!.Name).toBe('terminated');

    // Kill the instance's sandbox from outside, as a crash would.
    execFileSync('pkill', ['-KILL', '-o', '-f', `instances/${b}/`]);
    await vi.waitFor(async () => expect((await groupView(asg, 'ec2-health')).inService).not.toContain(b), { timeout: 10_000, interval: 50 });
    await s.slipway.settled();
    view = await groupView(asg, 'ec2-health');
    expect(view.inService).toHaveLength(2);
    const all = await causes('ec2-health');
    expect(all.filter((c) => c.includes('an EC2 health check indicating it has been terminated or stopped'))).toHaveLength(1);
    expect(all.filter((c) => c.includes('an EC2 instance status check failure'))).toHaveLength(1);
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'ec2-health', MinSize: 0, DesiredCapacity: 0 }));
    await s.slipway.settled();
  });

  it('with HealthCheckType ELB, replaces an instance its target group finds unhealthy', async () => {
    const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: ['subnet-1', 'subnet-2'] }));
    const tg = (await elb.send(new CreateTargetGroupCommand({
      Name: 'web-tg', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0].TargetGroupArn!;
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancers![0].LoadBalancerArn!, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
    await asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'elb-health', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 2, MaxSize: 2, TargetGroupARNs: [tg], HealthCheckType: 'ELB', HealthCheckGracePeriod: 60,
    }));
    await s.slipway.settled();
    const [sick, well] = (await groupView(asg, 'elb-health')).inService;
    await serving([sick, well]);
    rmSync(join(s.dataDir, 'services/ec2/instances', sick, 'root/var/www/html/health'));

    const stateOf = async (id: string) => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions!.find((d) => d.Target!.Id === id)?.TargetHealth?.State;
    await vi.waitFor(async () => {
      clock.advance(10_000);
      expect(await stateOf(sick)).toBe('unhealthy');
    }, { timeout: 10_000, interval: 50 });
    // The grace period (60 s from entering service) is not over until the clock passes it.
    await s.slipway.settled();
    if (clock.now() - Date.UTC(2024, 0, 1) < 60_000) expect((await groupView(asg, 'elb-health')).inService).toContain(sick);
    clock.advance(60_000);
    await s.slipway.settled();
    await vi.waitFor(async () => expect((await groupView(asg, 'elb-health')).inService).not.toContain(sick), { timeout: 10_000, interval: 50 });
    await s.slipway.settled();
    const view = await groupView(asg, 'elb-health');
    expect(view.inService).toHaveLength(2);
    expect(view.inService).toContain(well);
    expect((await causes('elb-health')).some((c) => c.includes('an ELB system health check failure'))).toBe(true);
  });

  it('SetInstanceHealth honours the grace period unless told not to', async () => {
    const [first] = (await groupView(asg, 'elb-health')).inService.slice().sort();
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'elb-health', HealthCheckGracePeriod: 3600 }));
    await asg.send(new SetInstanceHealthCommand({ InstanceId: first, HealthStatus: 'Unhealthy' }));
    await s.slipway.settled();
    expect((await groupView(asg, 'elb-health')).inService).toContain(first);
    await asg.send(new SetInstanceHealthCommand({ InstanceId: first, HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: false }));
    await s.slipway.settled();
    const view = await groupView(asg, 'elb-health');
    expect(view.inService).not.toContain(first);
    expect(view.inService).toHaveLength(2);
    expect((await causes('elb-health'))[1]).toContain('in response to a user health-check');
  });
});
