// Issue 9 (performance, second bullet): CodeDeploy's traffic control under load. Two fleets of
// two local instances behind a real ALB listener, a keep-alive load generator at 500 requests/s:
// - switch: a blue/green deployment (AllAtOnce, no traffic hooks), from the moment the last
//   replacement instance is healthy in DescribeTargetHealth to the last answer from the old fleet;
// - rollback: from SetAlarmState ALARM on the group's alarm (during the termination wait) to the
//   last answer from the replacement fleet;
// - failed requests (no HTTP answer) during both.
// Baseline in the same run: the same ELB calls made directly with the SDK (register the other
// fleet, wait until healthy, deregister the serving one), timed the same way.
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { BatchGetDeploymentTargetsCommand, CodeDeployClient, CreateApplicationCommand, ListDeploymentTargetsCommand, CreateDeploymentCommand, CreateDeploymentGroupCommand, GetDeploymentCommand, type DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeregisterTargetsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Slipway } from '../src/slipway.js';
import { LoadGenerator, type LoadReport } from '../test/helpers/load-generator.js';
import { appFiles, uploadBundle } from '../test/helpers/traffic-app.js';
import { median } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = 500;
const ROLE = 'arn:aws:iam::000000000000:role/cd';

type Clients = { cd: CodeDeployClient; elb: ElasticLoadBalancingV2Client; cw: CloudWatchClient; ec2: EC2Client; s3: S3Client };

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Real time at which every one of `ids` was first seen healthy (polled every ~2 ms). */
function healthyAt(elb: ElasticLoadBalancingV2Client, tg: string, ids: string[]): Promise<number> {
  return until('healthy targets', async () => {
    const h = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    const healthy = new Set(h.TargetHealthDescriptions!.filter((d) => d.TargetHealth!.State === 'healthy').map((d) => d.Target!.Id));
    return ids.every((id) => healthy.has(id)) ? performance.now() : undefined;
  });
}

/** The last answer from `version` after `since`, once a further 300 ms of answers show none of it. */
async function lastAnswer(load: LoadGenerator, version: string, since: number): Promise<number> {
  return until(`traffic to leave ${version}`, async () => {
    const samples = load.report(since).samples;
    const last = samples.filter((x) => x.answer === version).at(-1)?.at ?? since;
    return samples.some((x) => x.at > last + 300) ? last : undefined;
  });
}

async function deployment(cd: CodeDeployClient, id: string, ready: (d: DeploymentInfo) => boolean): Promise<DeploymentInfo> {
  return until(`deployment ${id}`, async () => {
    const d = (await cd.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
    return ready(d) ? d : undefined;
  });
}

export async function benchCodedeployTraffic(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-cdt-'));
  const slipway = await Slipway.start({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'error', timeScale: 60, elbPorts: 'ephemeral' });
  const cfg = { endpoint: slipway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true };
  const c: Clients = { cd: new CodeDeployClient(cfg), elb: new ElasticLoadBalancingV2Client(cfg), cw: new CloudWatchClient(cfg), ec2: new EC2Client(cfg), s3: new S3Client(cfg) };
  let load: LoadGenerator | undefined;
  try {
    await c.s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const versions = Array.from({ length: 2 * ROUNDS + 1 }, (_, i) => `v${i + 1}`);
    for (const v of versions) await uploadBundle(c.s3, dataDir, 'bench', `${v}.tgz`, appFiles(v, false, false));
    const fleets: Record<string, string[]> = {};
    for (const f of ['a', 'b']) {
      const out = await c.ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 2, MaxCount: 2, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'web' }, { Key: 'fleet', Value: f }] }] }));
      fleets[f] = out.Instances!.map((i) => i.InstanceId!);
    }
    await slipway.settled();
    const lb = await c.elb.send(new CreateLoadBalancerCommand({ Name: 'bench-alb', Subnets: ['subnet-1', 'subnet-2'] }));
    const tg = (await c.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'instance', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 60, HealthCheckTimeoutSeconds: 30, HealthyThresholdCount: 2 }))).TargetGroups![0].TargetGroupArn!;
    const listener = await c.elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancers![0].LoadBalancerArn!, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
    const bound = (await (await fetch(`${slipway.url}/_slipway/elbv2/listeners`)).json()) as { Listeners: { ListenerArn: string; Address: string }[] };
    const url = `${bound.Listeners.find((l) => l.ListenerArn === listener.Listeners![0].ListenerArn)!.Address}/`;
    await c.cw.send(new PutMetricAlarmCommand({ AlarmName: 'bench-alarm', Namespace: 'Bench', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' }));
    await c.cd.send(new CreateApplicationCommand({ applicationName: 'bench' }));
    const bgGroup = (name: string, terminate: boolean) => c.cd.send(new CreateDeploymentGroupCommand({
      applicationName: 'bench', deploymentGroupName: name, serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.AllAtOnce', ec2TagFilters: [{ Key: 'app', Value: 'web', Type: 'KEY_AND_VALUE' }],
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' }, loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
      blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: terminate ? { action: 'TERMINATE', terminationWaitTimeInMinutes: 600 } : { action: 'KEEP_ALIVE' }, deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' } },
      ...(terminate ? { alarmConfiguration: { enabled: true, alarms: [{ name: 'bench-alarm' }] }, autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM' as const] } } : {}),
    }));
    await bgGroup('switch', false);
    await bgGroup('rollback', true);
    const deploy = async (group: string, version: string, fleet: string) =>
      (await c.cd.send(new CreateDeploymentCommand({ applicationName: 'bench', deploymentGroupName: group, revision: { revisionType: 'S3', s3Location: { bucket: 'bench', key: `${version}.tgz`, bundleType: 'tgz' } }, targetInstances: { tagFilters: [{ Key: 'fleet', Value: fleet, Type: 'KEY_AND_VALUE' }] } }))).deploymentId!;

    // v1 on fleet a through the switch group (fleet b, the original then, serves nothing yet).
    await deployment(c.cd, await deploy('switch', 'v1', 'a'), (d) => ['Succeeded', 'Failed', 'Stopped'].includes(d.status!));
    await healthyAt(c.elb, tg, fleets.a);
    load = new LoadGenerator(url, RATE, 600).start();
    const loadStart = performance.now();
    const switches: number[] = [];
    const rollbacks: number[] = [];
    let serving = 'a';
    let current = 'v1';
    let next = 1;
    for (let r = 0; r < ROUNDS; r++) {
      const other = serving === 'a' ? 'b' : 'a';
      const v = versions[next++];
      const since = performance.now();
      const id = await deploy('switch', v, other);
      const done = await deployment(c.cd, id, (d) => ['Succeeded', 'Failed', 'Stopped'].includes(d.status!));
      if (done.status !== 'Succeeded') throw new Error(`switch deployment ${id} ended ${done.status}`);
      // CodeDeploy's own record of the moment the last replacement was healthy: AllowTraffic's end.
      const ids = (await c.cd.send(new ListDeploymentTargetsCommand({ deploymentId: id }))).targetIds!;
      const targets = (await c.cd.send(new BatchGetDeploymentTargetsCommand({ deploymentId: id, targetIds: ids }))).deploymentTargets!;
      const healthy = Math.max(...targets.filter((t) => t.instanceTarget!.instanceLabel === 'Green').map((t) => t.instanceTarget!.lifecycleEvents!.find((e) => e.lifecycleEventName === 'AllowTraffic')!.endTime!.getTime()));
      const last = await lastAnswer(load, current, since);
      switches.push(load.report(last).samples[0].wall - healthy);
      [serving, current] = [other, v];
      // Rollback: deploy to the idle fleet, wait in the termination wait, then raise the alarm.
      const bad = versions[next++];
      const idle = serving === 'a' ? 'b' : 'a';
      const rid = await deploy('rollback', bad, idle);
      const waiting = await deployment(c.cd, rid, (d) => d.instanceTerminationWaitTimeStarted === true || ['Succeeded', 'Failed', 'Stopped'].includes(d.status!));
      if (waiting.status !== 'InProgress') throw new Error(`rollback-round deployment ${rid} ended ${waiting.status} before its termination wait`);
      await c.cw.send(new SetAlarmStateCommand({ AlarmName: 'bench-alarm', StateValue: 'ALARM', StateReason: 'bench' }));
      const raised = performance.now();
      rollbacks.push((await lastAnswer(load, bad, raised)) - raised);
      const stopped = await deployment(c.cd, rid, (d) => !!d.rollbackInfo?.rollbackDeploymentId);
      await deployment(c.cd, stopped.rollbackInfo!.rollbackDeploymentId!, (d) => d.status === 'Succeeded' || d.status === 'Failed');
      await c.cw.send(new SetAlarmStateCommand({ AlarmName: 'bench-alarm', StateValue: 'OK', StateReason: 'bench' }));
    }
    const slipReport = load.report();
    const achieved = slipReport.sent / ((performance.now() - loadStart) / 1000);

    // Baseline: the same register / wait healthy / deregister calls, directly.
    const direct: number[] = [];
    const directBack: number[] = [];
    const fleetVersion: Record<string, string> = { [serving]: current, [serving === 'a' ? 'b' : 'a']: versions[next - 1] };
    const before = load.report().samples.length;
    for (let r = 0; r < ROUNDS; r++) {
      for (const target of ['switch', 'back']) {
        const other = serving === 'a' ? 'b' : 'a';
        const since = performance.now();
        await c.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: fleets[other].map((Id) => ({ Id })) }));
        const healthy = await healthyAt(c.elb, tg, fleets[other]);
        await c.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: fleets[serving].map((Id) => ({ Id })) }));
        (target === 'switch' ? direct : directBack).push((await lastAnswer(load, fleetVersion[serving], since)) - (target === 'switch' ? healthy : since));
        serving = other;
      }
    }
    const all: LoadReport = await load.stop();
    load = undefined;
    const baseFailed = all.failed - slipReport.failed;
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    return [
      `| CodeDeploy blue/green switch: last replacement healthy to the last answer from the original fleet, ${RATE} req/s (median of ${ROUNDS}) | ${ms(median(switches))} | ${ms(median(direct))} (SDK: RegisterTargets, wait healthy, DeregisterTargets) | < 100 ms |`,
      `| CodeDeploy rollback: SetAlarmState ALARM to the last answer from the replacement fleet, time scale 60 (median of ${ROUNDS}) | ${ms(median(rollbacks))} | ${ms(median(directBack))} (SDK: the same calls back, from the decision) | < 1000 ms |`,
      `| Failed requests (no HTTP answer) at ${RATE} req/s (${achieved.toFixed(0)} achieved) during ${ROUNDS} switches and ${ROUNDS} rollbacks | ${slipReport.failed} of ${slipReport.sent} | ${baseFailed} of ${all.samples.length - before} (direct calls) | 0 |`,
    ];
  } finally {
    await load?.stop();
    for (const x of Object.values(c)) x.destroy();
    await slipway.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
