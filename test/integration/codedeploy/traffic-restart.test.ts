import { CodeDeployClient, ContinueDeploymentCommand, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentGroupCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { appFiles, expectStates, uploadBundle, waitForDeployment } from './traffic-helpers.js';

/** A blue/green deployment's waits are durable: the Ready wait and the termination wait survive a restart. */
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cd-traffic-restart-'));
let s: TestSlipway | undefined;

afterAll(async () => {
  await s?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const clients = (sw: TestSlipway) => ({ cd: new CodeDeployClient(sdkConfig(sw.url)), elb: new ElasticLoadBalancingV2Client(sdkConfig(sw.url)), ec2: new EC2Client(sdkConfig(sw.url)) });

describe('blue/green across restarts', { timeout: 150_000 }, () => {
  it('waits in Ready and in the termination wait across restarts, then finishes', async () => {
    s = await startSlipway({ dataDir, timeScale: 60, elbPorts: 'ephemeral' });
    let c = clients(s);
    const s3 = new S3Client(sdkConfig(s.url));
    await s3.send(new CreateBucketCommand({ Bucket: 'bundles' }));
    await uploadBundle(s3, s.dataDir, 'bundles', 'v1.tgz', appFiles('v1', false, false));
    s3.destroy();
    const launch = async (slot: string) => (await c.ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'web' }, { Key: 'slot', Value: slot }] }] }))).Instances![0].InstanceId!;
    const blue = await launch('blue');
    const green = await launch('green');
    await s.slipway.settled();
    const lb = await c.elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: ['subnet-1', 'subnet-2'] }));
    const tg = (await c.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'instance', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 60, HealthCheckTimeoutSeconds: 30, HealthyThresholdCount: 2 }))).TargetGroups![0].TargetGroupArn!;
    await c.elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancers![0].LoadBalancerArn!, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
    await c.cd.send(new CreateApplicationCommand({ applicationName: 'web' }));
    await c.cd.send(new CreateDeploymentGroupCommand({
      applicationName: 'web', deploymentGroupName: 'bg', serviceRoleArn: 'arn:aws:iam::000000000000:role/cd', ec2TagFilters: [{ Key: 'app', Value: 'web', Type: 'KEY_AND_VALUE' }],
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' }, loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
      blueGreenDeploymentConfiguration: { deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 600 }, terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 600 } },
    }));
    const { deploymentId } = await c.cd.send(new CreateDeploymentCommand({ applicationName: 'web', deploymentGroupName: 'bg', revision: { revisionType: 'S3', s3Location: { bucket: 'bundles', key: 'v1.tgz', bundleType: 'tgz' } }, targetInstances: { tagFilters: [{ Key: 'slot', Value: 'green', Type: 'KEY_AND_VALUE' }] } }));
    expect((await waitForDeployment(c.cd, deploymentId!, (d) => d.status !== 'InProgress' && d.status !== 'Created')).status).toBe('Ready');

    const restart = async () => {
      for (const x of Object.values(c)) x.destroy();
      await s!.close();
      s = await startSlipway({ dataDir, timeScale: 60, elbPorts: 'ephemeral' });
      c = clients(s);
    };
    await restart();
    expect((await c.cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!.status).toBe('Ready');
    await c.cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }));
    const waiting = await waitForDeployment(c.cd, deploymentId!, (d) => d.instanceTerminationWaitTimeStarted === true || ['Succeeded', 'Failed', 'Stopped'].includes(d.status!));
    expect(waiting.status).toBe('InProgress');
    await expectStates(c.elb, tg, { [green]: 'healthy' });

    await restart();
    expect((await c.cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!.instanceTerminationWaitTimeStarted).toBe(true);
    await expectStates(c.elb, tg, { [green]: 'healthy' }); // the green application was started again with its instance
    await c.cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'TERMINATION_WAIT' }));
    expect((await waitForDeployment(c.cd, deploymentId!)).status).toBe('Succeeded');
    await s.slipway.settled();
    const states = await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [blue, green] }));
    expect(Object.fromEntries(states.Reservations!.flatMap((r) => r.Instances!).map((i) => [i.InstanceId, i.State!.Name]))).toEqual({ [blue]: 'terminated', [green]: 'running' });
    for (const x of Object.values(c)) x.destroy();
  });
});
