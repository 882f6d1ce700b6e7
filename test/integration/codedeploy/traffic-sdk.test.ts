import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient, ContinueDeploymentCommand, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentGroupCommand, GetDeploymentCommand, StopDeploymentCommand, UpdateDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LoadGenerator } from '../../helpers/load-generator.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { listenerAddress } from '../elbv2/helpers.js';
import { appFiles, deploymentTargets, expectStates, targetStates, uploadBundle, waitForDeployment } from './traffic-helpers.js';

let s: TestSlipway;
let cd: CodeDeployClient;
let elb: ElasticLoadBalancingV2Client;
let ec2: EC2Client;
let cw: CloudWatchClient;
let tgArn: string;
let url: string;
const APP = 'traffic-app';
const ROLE = 'arn:aws:iam::000000000000:role/cd';
const blue: string[] = [];
const green: string[] = [];

async function run(count: number, tags: Record<string, string>): Promise<string[]> {
  const out = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: count, MaxCount: count, TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] }));
  await s.slipway.settled();
  return out.Instances!.map((i) => i.InstanceId!).sort();
}

const revision = (key: string) => ({ revisionType: 'S3' as const, s3Location: { bucket: 'bundles', key, bundleType: 'tgz' as const } });
const healthy = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'healthy']));

beforeAll(async () => {
  s = await startSlipway({ timeScale: 60, elbPorts: 'ephemeral' });
  cd = new CodeDeployClient(sdkConfig(s.url));
  elb = new ElasticLoadBalancingV2Client(sdkConfig(s.url));
  ec2 = new EC2Client(sdkConfig(s.url));
  cw = new CloudWatchClient(sdkConfig(s.url));
  const s3 = new S3Client(sdkConfig(s.url));
  await s3.send(new CreateBucketCommand({ Bucket: 'bundles' }));
  for (const v of ['v1', 'v2', 'v4']) await uploadBundle(s3, s.dataDir, 'bundles', `${v}.tgz`, appFiles(v));
  const invalid = appFiles('v5');
  invalid['scripts/ValidateService.sh'] = '#!/bin/sh\necho "not valid" >&2\nexit 3\n';
  await uploadBundle(s3, s.dataDir, 'bundles', 'v5.tgz', invalid);
  s3.destroy();
  await cd.send(new CreateApplicationCommand({ applicationName: APP }));
  blue.push(...(await run(2, { app: 'web', slot: 'blue' })));
  green.push(...(await run(2, { app: 'web', slot: 'green' })));
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: ['subnet-1', 'subnet-2'] }));
  const tg = await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'instance', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 60, HealthCheckTimeoutSeconds: 30, HealthyThresholdCount: 2 }));
  tgArn = tg.TargetGroups![0].TargetGroupArn!;
  const listener = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancers![0].LoadBalancerArn!, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
  url = `${await listenerAddress(s, listener.Listeners![0].ListenerArn!)}/`;
}, 60_000);

afterAll(async () => {
  for (const c of [cd, elb, ec2, cw]) c?.destroy();
  await s?.close();
});

describe('in-place with traffic control', { timeout: 150_000 }, () => {
  it('deregisters, installs and registers each instance, with the traffic events AWS lists', async () => {
    await cd.send(new CreateDeploymentGroupCommand({
      applicationName: APP, deploymentGroupName: 'inplace', serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.OneAtATime',
      ec2TagFilters: [{ Key: 'slot', Value: 'blue', Type: 'KEY_AND_VALUE' }],
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' }, loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
    }));
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'inplace', revision: revision('v1.tgz') }));
    const info = await waitForDeployment(cd, deploymentId!);
    expect(info.status).toBe('Succeeded');
    expect(info.loadBalancerInfo?.targetGroupInfoList).toEqual([{ name: 'web' }]);
    const targets = await deploymentTargets(cd, deploymentId!);
    expect(targets.map((t) => t.targetId).sort()).toEqual(blue);
    for (const t of targets) {
      expect(t.lifecycleEvents!.map((e) => e.lifecycleEventName)).toEqual([
        'BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic', 'ApplicationStop', 'DownloadBundle', 'BeforeInstall', 'Install',
        'AfterInstall', 'ApplicationStart', 'ValidateService', 'BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic',
      ]);
      // The first deployment has no previous revision whose block-traffic and stop scripts could run.
      expect(t.lifecycleEvents!.map((e) => e.status)).toEqual(['Skipped', 'Succeeded', 'Skipped', 'Skipped', ...Array(9).fill('Succeeded')]);
    }
    await expectStates(elb, tgArn, healthy(blue));
  });

  it('replaces the version one instance at a time while traffic flows, without a failed request', async () => {
    const load = new LoadGenerator(url, 100).start();
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'inplace', revision: revision('v2.tgz') }));
    const info = await waitForDeployment(cd, deploymentId!);
    const t0 = performance.now();
    await expectStates(elb, tgArn, healthy(blue));
    await vi.waitFor(() => expect(load.report(t0 + 200).samples.length).toBeGreaterThan(10), { timeout: 5000, interval: 10 });
    const report = await load.stop();
    expect(info.status).toBe('Succeeded');
    expect(report.failed).toBe(0);
    expect(Object.keys(report.byAnswer).sort()).toEqual(['v1', 'v2']);
    expect(report.samples.filter((x) => x.at > t0 + 200).every((x) => x.answer === 'v2')).toBe(true);
    const events = (await deploymentTargets(cd, deploymentId!))[0].lifecycleEvents!;
    expect(events.every((e) => e.status === 'Succeeded')).toBe(true);
  });

  it('stops on an alarm (ALARM_ACTIVE) and rolls back to the last good revision', async () => {
    await cw.send(new PutMetricAlarmCommand({ AlarmName: 'web-5xx', Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' }));
    await expect(cd.send(new UpdateDeploymentGroupCommand({ applicationName: APP, currentDeploymentGroupName: 'inplace', alarmConfiguration: { enabled: true, alarms: [{ name: 'no-such-alarm' }] } })))
      .rejects.toMatchObject({ name: 'InvalidAlarmConfigException' });
    await cd.send(new UpdateDeploymentGroupCommand({
      applicationName: APP, currentDeploymentGroupName: 'inplace', alarmConfiguration: { enabled: true, alarms: [{ name: 'web-5xx' }] },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
    }));
    const load = new LoadGenerator(url, 100).start();
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'inplace', revision: revision('v4.tgz') }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'test' }));
    const stopped = await waitForDeployment(cd, deploymentId!, (d) => !!d.rollbackInfo || d.status === 'Succeeded');
    expect(stopped.status).toBe('Stopped');
    expect(stopped.errorInformation?.code).toBe('ALARM_ACTIVE');
    expect(stopped.errorInformation?.message).toContain('web-5xx');
    const rollbackId = stopped.rollbackInfo!.rollbackDeploymentId!;
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'OK', StateReason: 'test' }));
    const rolledBack = await waitForDeployment(cd, rollbackId);
    expect(rolledBack.status).toBe('Succeeded');
    expect(rolledBack.creator).toBe('codeDeployRollback');
    expect(rolledBack.revision?.s3Location?.key).toBe('v2.tgz');
    const t0 = performance.now();
    await expectStates(elb, tgArn, healthy(blue));
    const report = await load.stop();
    expect(report.failed).toBe(0);
    expect(report.samples.filter((x) => x.at > t0 + 200).every((x) => x.answer === 'v2')).toBe(true);
    await cd.send(new UpdateDeploymentGroupCommand({ applicationName: APP, currentDeploymentGroupName: 'inplace', alarmConfiguration: { enabled: false, alarms: [] } }));
  });
});

describe('blue/green with discovered replacement instances', { timeout: 150_000 }, () => {
  it('installs on green without traffic, reroutes, waits, then terminates blue', async () => {
    await cd.send(new CreateDeploymentGroupCommand({
      applicationName: APP, deploymentGroupName: 'bg', serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.OneAtATime',
      ec2TagFilters: [{ Key: 'app', Value: 'web', Type: 'KEY_AND_VALUE' }],
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' }, loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
      blueGreenDeploymentConfiguration: {
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 60 },
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' }, greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
      },
    }));
    await expect(cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'bg', revision: revision('v4.tgz') })))
      .rejects.toMatchObject({ name: 'InvalidTargetInstancesException' });
    const load = new LoadGenerator(url, 100).start();
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'bg', revision: revision('v4.tgz'), targetInstances: { tagFilters: [{ Key: 'slot', Value: 'green', Type: 'KEY_AND_VALUE' }] } }));
    const waiting = await waitForDeployment(cd, deploymentId!, (d) => d.instanceTerminationWaitTimeStarted === true || d.status !== 'InProgress');
    expect(waiting.status).toBe('InProgress');
    expect(waiting.blueGreenDeploymentConfiguration?.terminateBlueInstancesOnDeploymentSuccess).toEqual({ action: 'TERMINATE', terminationWaitTimeInMinutes: 60 });
    expect(waiting.deploymentStyle).toEqual({ deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' });
    await expectStates(elb, tgArn, healthy(green));
    const t0 = performance.now();
    await vi.waitFor(() => expect(load.report(t0).samples.length).toBeGreaterThan(10), { timeout: 5000, interval: 10 });
    const report = await load.stop();
    expect(report.failed).toBe(0);
    expect(report.byAnswer['v2']).toBeGreaterThan(0);
    expect(report.samples.filter((x) => x.at > t0).every((x) => x.answer === 'v4')).toBe(true);
    const targets = await deploymentTargets(cd, deploymentId!);
    const labels = Object.fromEntries(targets.map((t) => [t.targetId, t.instanceLabel]));
    expect(labels).toEqual({ ...Object.fromEntries(blue.map((id) => [id, 'Blue'])), ...Object.fromEntries(green.map((id) => [id, 'Green'])) });
    const blueEvents = targets.find((t) => t.instanceLabel === 'Blue')!.lifecycleEvents!;
    // Blue was deployed by another group: this group has no earlier revision on it whose block-traffic scripts could run.
    expect(blueEvents.map((e) => `${e.lifecycleEventName}:${e.status}`)).toEqual(['BeforeBlockTraffic:Skipped', 'BlockTraffic:Succeeded', 'AfterBlockTraffic:Skipped']);
    const greenEvents = targets.find((t) => t.instanceLabel === 'Green')!.lifecycleEvents!;
    expect(greenEvents.map((e) => e.lifecycleEventName).slice(-3)).toEqual(['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic']);
    await cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'TERMINATION_WAIT' }));
    expect((await waitForDeployment(cd, deploymentId!)).status).toBe('Succeeded');
    await s.slipway.settled();
    const states = await ec2.send(new DescribeInstancesCommand({ InstanceIds: blue }));
    expect(states.Reservations!.flatMap((r) => r.Instances!).map((i) => i.State!.Name)).toEqual(['terminated', 'terminated']);
  });

  it('waits in Ready, and StopDeployment with auto-rollback sends traffic back to the original instances', async () => {
    const next = await run(2, { app: 'web', slot: 'green2' });
    await cd.send(new UpdateDeploymentGroupCommand({
      applicationName: APP, currentDeploymentGroupName: 'bg',
      blueGreenDeploymentConfiguration: {
        terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' }, deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
        greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
      },
    }));
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'bg', revision: revision('v2.tgz'), targetInstances: { tagFilters: [{ Key: 'slot', Value: 'green2', Type: 'KEY_AND_VALUE' }] } }));
    const ready = await waitForDeployment(cd, deploymentId!, (d) => d.status !== 'InProgress' && d.status !== 'Created');
    expect(ready.status).toBe('Ready');
    await expectStates(elb, tgArn, healthy(green));
    // Continue: green2 takes traffic, green leaves but is kept.
    await cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }));
    expect((await waitForDeployment(cd, deploymentId!)).status).toBe('Succeeded');
    await expectStates(elb, tgArn, healthy(next));
    // The next deployment goes back to the kept fleet; stopped in Ready, it rolls back at once.
    const second = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'bg', revision: revision('v4.tgz'), targetInstances: { tagFilters: [{ Key: 'slot', Value: 'green', Type: 'KEY_AND_VALUE' }] } }));
    await waitForDeployment(cd, second.deploymentId!, (d) => d.status === 'Ready' || ['Failed', 'Stopped', 'Succeeded'].includes(d.status!));
    const load = new LoadGenerator(url, 100).start();
    await cd.send(new StopDeploymentCommand({ deploymentId: second.deploymentId, autoRollbackEnabled: true }));
    const stopped = (await cd.send(new GetDeploymentCommand({ deploymentId: second.deploymentId }))).deploymentInfo!;
    expect(stopped.status).toBe('Stopped');
    const rb = await waitForDeployment(cd, stopped.rollbackInfo!.rollbackDeploymentId!);
    expect(rb.status).toBe('Succeeded');
    await expectStates(elb, tgArn, healthy(next));
    const report = await load.stop();
    expect(report.failed).toBe(0);
    expect(Object.keys(report.byAnswer)).toEqual(['v2']);
  });

  it('a replacement fleet that fails validation never takes traffic, and the failure rolls back', async () => {
    await cd.send(new UpdateDeploymentGroupCommand({ applicationName: APP, currentDeploymentGroupName: 'bg', autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] }, blueGreenDeploymentConfiguration: {
      terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' }, deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' }, greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
    } }));
    const serving = Object.keys(await targetStates(elb, tgArn)).sort();
    const load = new LoadGenerator(url, 100).start();
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'bg', revision: revision('v5.tgz'), targetInstances: { tagFilters: [{ Key: 'slot', Value: 'green', Type: 'KEY_AND_VALUE' }] } }));
    const failed = await waitForDeployment(cd, deploymentId!, (d) => !!d.rollbackInfo?.rollbackDeploymentId || d.status === 'Succeeded');
    expect(failed.status).toBe('Failed');
    const greenTarget = (await deploymentTargets(cd, deploymentId!)).find((t) => t.instanceLabel === 'Green')!;
    expect(greenTarget.lifecycleEvents!.find((e) => e.lifecycleEventName === 'ValidateService')!.diagnostics?.errorCode).toBe('ScriptFailed');
    expect(greenTarget.lifecycleEvents!.find((e) => e.lifecycleEventName === 'AllowTraffic')!.status).toBe('Skipped');
    expect((await waitForDeployment(cd, failed.rollbackInfo!.rollbackDeploymentId!)).status).toBe('Succeeded');
    await expectStates(elb, tgArn, healthy(serving));
    const report = await load.stop();
    expect(report.failed).toBe(0);
    expect(Object.keys(report.byAnswer)).toEqual(['v2']);
  });
});
