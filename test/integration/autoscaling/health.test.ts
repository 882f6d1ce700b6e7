import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeScalingActivitiesCommand, SetInstanceHealthCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { listenerAddress } from '../elbv2/helpers.js';
import { ec2Instances, fetchText, groupView } from './helpers.js';

const clock = new ManualClock();
let s: TestSlipway;
let asg: AutoScalingClient;
let ec2: EC2Client;
let elb: ElasticLoadBalancingV2Client;

/** Holds requests to /hold until /release; /held says how many are held. */
const HOLDING_USER_DATA = Buffer.from(`#!/bin/sh
mkdir -p /srv && cat > /srv/hold.mjs <<'EOF'
import { createServer } from 'node:http';
let held = [];
createServer((req, res) => {
  if (req.url === '/hold') return void held.push(res);
  if (req.url === '/held') return res.end(String(held.length));
  if (req.url === '/release') { for (const r of held) r.end('released'); held = []; }
  res.end('ok');
}).listen(80);
EOF
nohup node /srv/hold.mjs >/dev/null 2>&1 &
`).toString('base64');

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

  it('terminates a scaled-in instance only after its target group has drained its in-flight request', async () => {
    await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'holding', LaunchTemplateData: { ImageId: 'ami-1', UserData: HOLDING_USER_DATA } }));
    const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'drain-alb', Subnets: ['subnet-1', 'subnet-2'] }));
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'drain-tg', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1' }))).TargetGroups![0].TargetGroupArn!;
    const listener = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancers![0].LoadBalancerArn!, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
    const address = await listenerAddress(s, listener.Listeners![0].ListenerArn!);
    await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'drained', LaunchTemplate: { LaunchTemplateName: 'holding' }, MinSize: 0, MaxSize: 1, DesiredCapacity: 1, TargetGroupARNs: [tg] }));
    await s.slipway.settled();
    const [id] = (await groupView(asg, 'drained')).inService;
    const ip = (await ec2Instances(ec2, [id]))[0].PrivateIpAddress!;
    await vi.waitFor(() => fetchText(`http://${ip}/held`), { timeout: 10_000, interval: 50 });
    const stateOf = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions!.map((d) => [d.Target!.Id, d.TargetHealth!.State]);
    await vi.waitFor(async () => {
      clock.advance(30_000);
      expect(await stateOf()).toEqual([[id, 'healthy']]);
    }, { timeout: 10_000, interval: 50 });
    const inFlight = fetch(`${address}/hold`).then(async (r) => [r.status, await r.text()]);
    await vi.waitFor(async () => expect(await fetchText(`http://${ip}/held`)).toBe('1'), { timeout: 10_000, interval: 20 });

    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'drained', DesiredCapacity: 0 }));
    await s.slipway.settled();
    clock.advance(5_000);
    await s.slipway.settled();
    expect((await groupView(asg, 'drained')).states).toEqual(['Terminating']);
    expect((await ec2Instances(ec2, [id]))[0].State!.Name).toBe('running');
    expect(await stateOf()).toEqual([[id, 'draining']]);

    await fetchText(`http://${ip}/release`);
    expect(await inFlight).toEqual([200, 'released']);
    clock.advance(1_000);
    await s.slipway.settled();
    await vi.waitFor(async () => expect((await groupView(asg, 'drained')).states).toEqual(['Terminated']), { timeout: 10_000, interval: 50 });
    expect((await ec2Instances(ec2, [id]))[0].State!.Name).toBe('terminated');
  });
});
