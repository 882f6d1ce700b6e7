import { AutoScalingClient, CreateLaunchConfigurationCommand, DescribeAutoScalingGroupsCommand, DescribeLifecycleHooksCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import {
  BatchGetDeploymentsCommand, CodeDeployClient, ContinueDeploymentCommand, CreateDeploymentCommand, GetDeploymentGroupCommand, ListDeploymentsCommand, StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsCli, type CliResult } from '../../helpers/aws-cli.js';
import { LoadGenerator } from '../../helpers/load-generator.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { ec2Instances } from '../autoscaling/helpers.js';
import { listenerAddress } from '../elbv2/helpers.js';
import { fetchText } from '../../helpers/fetch-text.js';
import { appFiles, deploymentTargets, expectStates, uploadBundle, waitForDeployment } from './traffic-helpers.js';

/** Blue/green with COPY_AUTO_SCALING_GROUP: each deployment's replacement fleet is a copy of the group's Auto Scaling group. */
let s: TestSlipway;
let cli: (...args: string[]) => Promise<CliResult>;
let cd: CodeDeployClient;
let elb: ElasticLoadBalancingV2Client;
let asg: AutoScalingClient;
let tgArn: string;
let url: string;

async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args);
  if (r.code !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
  return r;
}

const revision = (key: string) => ({ revisionType: 'S3' as const, s3Location: { bucket: 'bundles', key, bundleType: 'tgz' as const } });
const healthy = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'healthy']));
const groupAsgs = async () => (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'asg-app', deploymentGroupName: 'production' }))).deploymentGroupInfo!.autoScalingGroups!.map((g) => g.name);
const asgNames = async () => ((await asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName).sort();
const greenOf = async (id: string) => (await deploymentTargets(cd, id)).filter((t) => t.instanceLabel === 'Green').map((t) => t.targetId!).sort();

beforeAll(async () => {
  s = await startSlipway({ timeScale: 60, elbPorts: 'ephemeral' });
  cli = awsCli(s.env);
  cd = new CodeDeployClient(sdkConfig(s.url));
  elb = new ElasticLoadBalancingV2Client(sdkConfig(s.url));
  asg = new AutoScalingClient(sdkConfig(s.url));
  const s3 = new S3Client(sdkConfig(s.url));
  await s3.send(new CreateBucketCommand({ Bucket: 'bundles' }));
  for (const v of ['v1', 'v2', 'v3']) await uploadBundle(s3, s.dataDir, 'bundles', `${v}.tgz`, appFiles(v));
  s3.destroy();
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: ['subnet-1', 'subnet-2'] }));
  tgArn = (await elb.send(new CreateTargetGroupCommand({ Name: 'blue', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'instance', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 60, HealthCheckTimeoutSeconds: 30, HealthyThresholdCount: 2 }))).TargetGroups![0].TargetGroupArn!;
  const listener = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancers![0].LoadBalancerArn!, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
  url = `${await listenerAddress(s, listener.Listeners![0].ListenerArn!)}/`;
  await asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'web-lc', ImageId: 'ami-1', InstanceType: 't3.micro' }));
  await ok('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'web-asg', '--launch-configuration-name', 'web-lc',
    '--min-size', '2', '--max-size', '4', '--desired-capacity', '2', '--availability-zones', 'us-east-1a', '--target-group-arns', tgArn);
  await s.slipway.settled();
  await ok('deploy', 'create-application', '--application-name', 'asg-app');
  // The command, with the seed's Auto Scaling group.
  await ok('deploy', 'create-deployment-group', '--application-name', 'asg-app', '--deployment-group-name', 'production',
    '--service-role-arn', 'arn:aws:iam::000000000000:role/CodeDeployRole', '--auto-scaling-groups', 'web-asg',
    '--deployment-style', 'deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL',
    '--blue-green-deployment-configuration', 'terminateBlueInstancesOnDeploymentSuccess={action=TERMINATE,terminationWaitTimeInMinutes=5},deploymentReadyOption={actionOnTimeout=CONTINUE_DEPLOYMENT},greenFleetProvisioningOption={action=COPY_AUTO_SCALING_GROUP}',
    '--load-balancer-info', 'targetGroupInfoList=[{name=blue}]', '--auto-rollback-configuration', 'enabled=true,events=DEPLOYMENT_FAILURE,DEPLOYMENT_STOP_ON_ALARM');
}, 90_000);

afterAll(async () => {
  for (const c of [cd, elb, asg]) c?.destroy();
  await s?.close();
});

describe('blue/green, copying the Auto Scaling group', { timeout: 150_000 }, () => {
  let serving: string[] = [];

  it('deploys to a copy named as AWS names it; on success the copy becomes the group\'s, the original is deleted', async () => {
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: 'asg-app', deploymentGroupName: 'production', revision: revision('v1.tgz') }));
    await waitForDeployment(cd, deploymentId!, (d) => d.instanceTerminationWaitTimeStarted === true || ['Succeeded', 'Failed', 'Stopped'].includes(d.status!));
    const copy = `CodeDeploy_production_${deploymentId}`;
    expect(await groupAsgs()).toEqual([copy]);
    serving = await greenOf(deploymentId!);
    expect(serving).toHaveLength(2);
    await expectStates(elb, tgArn, healthy(serving));
    await cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'TERMINATION_WAIT' }));
    expect((await waitForDeployment(cd, deploymentId!)).status).toBe('Succeeded');
    await s.slipway.settled();
    expect(await asgNames()).toEqual([copy]);
    const attached = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [copy] }))).AutoScalingGroups![0].TargetGroupARNs;
    expect(attached).toEqual([tgArn]);
  });

  it('the next version goes to a copy of the copy with no failed request', async () => {
    const load = new LoadGenerator(url, 100).start();
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: 'asg-app', deploymentGroupName: 'production', revision: revision('v2.tgz') }));
    await waitForDeployment(cd, deploymentId!, (d) => d.instanceTerminationWaitTimeStarted === true || ['Succeeded', 'Failed', 'Stopped'].includes(d.status!));
    const next = await greenOf(deploymentId!);
    await expectStates(elb, tgArn, healthy(next));
    const t0 = performance.now();
    await vi.waitFor(() => expect(load.report(t0).samples.length).toBeGreaterThan(10), { timeout: 5000, interval: 10 });
    // Stopping during the termination wait with rollback: traffic goes back to the previous copy, the new copy is deleted.
    await cd.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
    const stopped = await waitForDeployment(cd, deploymentId!, (d) => !!d.rollbackInfo?.rollbackDeploymentId);
    expect((await waitForDeployment(cd, stopped.rollbackInfo!.rollbackDeploymentId!)).status).toBe('Succeeded');
    await expectStates(elb, tgArn, healthy(serving));
    const back = performance.now();
    await vi.waitFor(() => expect(load.report(back).samples.length).toBeGreaterThan(10), { timeout: 5000, interval: 10 });
    const report = await load.stop();
    expect(report.failed).toBe(0);
    expect(Object.keys(report.byAnswer).sort()).toEqual(['v1', 'v2']);
    expect(load.report(back).samples.every((x) => x.answer === 'v1')).toBe(true);
    await s.slipway.settled();
    expect(await asgNames()).toEqual(await groupAsgs());
  });

  it('an instance the group launches later gets the last good revision before it goes into service', async () => {
    const current = (await groupAsgs())[0]!;
    const info = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'asg-app', deploymentGroupName: 'production' }))).deploymentGroupInfo!;
    const hook = info.autoScalingGroups![0].hook!;
    expect(hook).toMatch(/^CodeDeploy-managed-automatic-launch-deployment-hook-production-[0-9a-f]{8}$/);
    const hooks = await asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: current }));
    expect(hooks.LifecycleHooks!.map((h) => [h.LifecycleHookName, h.LifecycleTransition, h.DefaultResult])).toEqual([[hook, 'autoscaling:EC2_INSTANCE_LAUNCHING', 'ABANDON']]);

    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: current, DesiredCapacity: 3 }));
    await s.slipway.settled();
    const listed = await cd.send(new ListDeploymentsCommand({ applicationName: 'asg-app', deploymentGroupName: 'production' }));
    const all = (await cd.send(new BatchGetDeploymentsCommand({ deploymentIds: listed.deployments! }))).deploymentsInfo!;
    const launched = all.filter((d) => d.creator === 'autoscaling');
    expect(launched).toHaveLength(1);
    expect(launched[0].revision!.s3Location!.key).toBe('v1.tgz');
    expect((await waitForDeployment(cd, launched[0].deploymentId!)).status).toBe('Succeeded');
    await s.slipway.settled();
    const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [current] }))).AutoScalingGroups![0];
    const fresh = group.Instances!.map((i) => i.InstanceId!).find((id) => !serving.includes(id))!;
    expect(group.Instances!.map((i) => i.LifecycleState)).toEqual(['InService', 'InService', 'InService']);
    const ec2 = new EC2Client(sdkConfig(s.url));
    const [instance] = await ec2Instances(ec2, [fresh]);
    ec2.destroy();
    expect(await fetchText(`http://${instance.PrivateIpAddress}/`)).toBe('version v1\n');
    await expectStates(elb, tgArn, healthy([...serving, fresh]));
  });
});
