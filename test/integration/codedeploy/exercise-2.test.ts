import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsCli, type CliResult } from '../../helpers/aws-cli.js';
import { LoadGenerator } from '../../helpers/load-generator.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { listenerAddress } from '../elbv2/helpers.js';
import { appFiles, expectStates, uploadBundle, waitForDeployment } from './traffic-helpers.js';

/**
 * The seed's Exercise 2: a blue fleet serves v1 behind a real load balancer while a load
 * generator runs; a blue/green deployment of v2 switches traffic after validation with no
 * failed request; a broken v3 (healthy on /health, 500 on /) trips the 5xx alarm and is rolled
 * back by itself, traffic back on v2. Time scale 60: the alarm's 60 s period is one second.
 */
let s: TestSlipway;
let cli: (...args: string[]) => Promise<CliResult>;
let cd: CodeDeployClient;
let elb: ElasticLoadBalancingV2Client;
let url: string;
let tgArn: string;
const fleets: Record<string, string[]> = {};

async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args);
  if (r.code !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
  return r;
}

/** Two instances of a fleet, tagged as the deployment group and the deployment find them. */
async function launch(fleet: string): Promise<void> {
  const run = await ok('ec2', 'run-instances', '--image-id', 'ami-0c55b159cbfafe1f0', '--instance-type', 't3.micro', '--count', '2',
    '--tag-specifications', `ResourceType=instance,Tags=[{Key=app,Value=web},{Key=fleet,Value=${fleet}}]`);
  fleets[fleet] = run.json<{ Instances: { InstanceId: string }[] }>().Instances.map((i) => i.InstanceId).sort();
  await s.slipway.settled();
}

const healthy = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'healthy']));

beforeAll(async () => {
  s = await startSlipway({ timeScale: 60, elbPorts: 'ephemeral' });
  cli = awsCli(s.env);
  cd = new CodeDeployClient(sdkConfig(s.url));
  elb = new ElasticLoadBalancingV2Client(sdkConfig(s.url));
  const s3 = new S3Client(sdkConfig(s.url));
  await ok('s3', 'mb', 's3://releases');
  for (const [v, broken] of [['v1', false], ['v2', false], ['v3', true]] as const) await uploadBundle(s3, s.dataDir, 'releases', `web-${v}.tgz`, appFiles(v, broken));
  s3.destroy();
  for (const fleet of ['blue', 'green']) await launch(fleet);
  const lbArn = (await ok('elbv2', 'create-load-balancer', '--name', 'web-alb', '--subnets', 'subnet-1', 'subnet-2')).json<{ LoadBalancers: { LoadBalancerArn: string }[] }>().LoadBalancers[0].LoadBalancerArn;
  tgArn = (await ok('elbv2', 'create-target-group', '--name', 'blue', '--protocol', 'HTTP', '--port', '80', '--vpc-id', 'vpc-1', '--target-type', 'instance',
    '--health-check-path', '/health', '--health-check-interval-seconds', '60', '--health-check-timeout-seconds', '30', '--healthy-threshold-count', '2')).json<{ TargetGroups: { TargetGroupArn: string }[] }>().TargetGroups[0].TargetGroupArn;
  const listener = (await ok('elbv2', 'create-listener', '--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', '8080', '--default-actions', `Type=forward,TargetGroupArn=${tgArn}`))
    .json<{ Listeners: { ListenerArn: string }[] }>().Listeners[0].ListenerArn;
  url = `${await listenerAddress(s, listener)}/`;
  const lbDim = lbArn.split(':loadbalancer/')[1];
  await ok('cloudwatch', 'put-metric-alarm', '--alarm-name', 'high-error-rate', '--metric-name', 'HTTPCode_Target_5XX_Count', '--namespace', 'AWS/ApplicationELB',
    '--statistic', 'Sum', '--period', '60', '--evaluation-periods', '1', '--threshold', '5', '--comparison-operator', 'GreaterThanThreshold',
    '--dimensions', `Name=LoadBalancer,Value=${lbDim}`, '--treat-missing-data', 'notBreaching');
  await ok('deploy', 'create-application', '--application-name', 'my-app');
}, 90_000);

afterAll(async () => {
  cd?.destroy();
  elb?.destroy();
  await s?.close();
});

describe('Exercise 2: blue/green with instant rollback', { timeout: 150_000 }, () => {
  let load: LoadGenerator;

  it('a blue fleet serves v1 behind the load balancer', async () => {
    await ok('deploy', 'create-deployment-group', '--application-name', 'my-app', '--deployment-group-name', 'blue-fleet',
      '--service-role-arn', 'arn:aws:iam::000000000000:role/CodeDeployRole', '--ec2-tag-filters', 'Key=fleet,Value=blue,Type=KEY_AND_VALUE',
      '--deployment-style', 'deploymentType=IN_PLACE,deploymentOption=WITH_TRAFFIC_CONTROL', '--load-balancer-info', 'targetGroupInfoList=[{name=blue}]');
    const id = (await ok('deploy', 'create-deployment', '--application-name', 'my-app', '--deployment-group-name', 'blue-fleet',
      '--s3-location', 'bucket=releases,key=web-v1.tgz,bundleType=tgz')).json<{ deploymentId: string }>().deploymentId;
    expect((await waitForDeployment(cd, id)).status).toBe('Succeeded');
    await expectStates(elb, tgArn, healthy(fleets.blue));
    load = new LoadGenerator(url, 200).start();
    await vi.waitFor(() => expect(load.report().byAnswer.v1).toBeGreaterThan(20), { timeout: 10_000, interval: 10 });
  });

  it('v2 goes to the green fleet and traffic switches after validation with no failed request', async () => {
    // The group, with a 60-minute termination wait (a minute at time scale 60): long enough
    // for v3's alarm on a busy machine; v2's wait is ended early with continue-deployment.
    await ok('deploy', 'create-deployment-group', '--application-name', 'my-app', '--deployment-group-name', 'production',
      '--service-role-arn', 'arn:aws:iam::000000000000:role/CodeDeployRole', '--ec2-tag-filters', 'Key=app,Value=web,Type=KEY_AND_VALUE',
      '--deployment-style', 'deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL',
      '--blue-green-deployment-configuration', 'terminateBlueInstancesOnDeploymentSuccess={action=TERMINATE,terminationWaitTimeInMinutes=60},deploymentReadyOption={actionOnTimeout=CONTINUE_DEPLOYMENT},greenFleetProvisioningOption={action=DISCOVER_EXISTING}',
      '--load-balancer-info', 'targetGroupInfoList=[{name=blue}]', '--alarm-configuration', 'enabled=true,alarms=[{name=high-error-rate}]',
      '--auto-rollback-configuration', 'enabled=true,events=DEPLOYMENT_FAILURE,DEPLOYMENT_STOP_ON_ALARM');
    const id = (await ok('deploy', 'create-deployment', '--application-name', 'my-app', '--deployment-group-name', 'production',
      '--deployment-config-name', 'CodeDeployDefault.AllAtOnce', '--s3-location', 'bucket=releases,key=web-v2.tgz,bundleType=tgz',
      '--target-instances', 'tagFilters=[{Key=fleet,Value=green,Type=KEY_AND_VALUE}]')).json<{ deploymentId: string }>().deploymentId;
    await waitForDeployment(cd, id, (d) => d.instanceTerminationWaitTimeStarted === true || d.status !== 'InProgress');
    await expectStates(elb, tgArn, healthy(fleets.green));
    const switched = performance.now();
    await vi.waitFor(() => expect(load.report(switched).samples.length).toBeGreaterThan(50), { timeout: 10_000, interval: 10 });
    const r = load.report();
    expect(r.failed).toBe(0);
    expect(Object.keys(r.byAnswer).sort()).toEqual(['v1', 'v2']);
    expect(load.report(switched).samples.every((x) => x.answer === 'v2')).toBe(true);
    await ok('deploy', 'continue-deployment', '--deployment-id', id, '--deployment-wait-type', 'TERMINATION_WAIT');
    expect((await waitForDeployment(cd, id)).status).toBe('Succeeded');
    const got = (await ok('deploy', 'get-deployment', '--deployment-id', id)).json<{ deploymentInfo: { status: string; deploymentStyle: unknown } }>();
    expect(got.deploymentInfo.deploymentStyle).toEqual({ deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' });
  });

  it('a broken v3 trips the 5xx alarm and is rolled back by itself, traffic back on v2', async () => {
    await launch('v3');
    const id = (await ok('deploy', 'create-deployment', '--application-name', 'my-app', '--deployment-group-name', 'production',
      '--deployment-config-name', 'CodeDeployDefault.AllAtOnce', '--s3-location', 'bucket=releases,key=web-v3.tgz,bundleType=tgz',
      '--target-instances', 'tagFilters=[{Key=fleet,Value=v3,Type=KEY_AND_VALUE}]')).json<{ deploymentId: string }>().deploymentId;
    const stopped = await waitForDeployment(cd, id, (d) => !!d.rollbackInfo?.rollbackDeploymentId || d.status === 'Succeeded' || d.status === 'Failed', 90_000);
    expect(stopped.status).toBe('Stopped');
    expect(stopped.errorInformation?.code).toBe('ALARM_ACTIVE');
    const rollback = await waitForDeployment(cd, stopped.rollbackInfo!.rollbackDeploymentId!);
    expect(rollback.status).toBe('Succeeded');
    await expectStates(elb, tgArn, healthy(fleets.green));
    const back = performance.now();
    await vi.waitFor(() => expect(load.report(back).samples.length).toBeGreaterThan(50), { timeout: 10_000, interval: 10 });
    const report = await load.stop();
    expect(report.failed).toBe(0);
    expect(report.byAnswer['500']).toBeGreaterThan(5); // the broken version really served, and the alarm saw it
    const after = load.report(back);
    expect(after.samples.every((x) => x.answer === 'v2')).toBe(true);
    // Rollback time as a user sees it: from the first 500 to the last one.
    const errors = report.samples.filter((x) => x.status === 500);
    const seconds = (errors.at(-1)!.at - errors[0].at) / 1000;
    expect(seconds).toBeLessThan(30);
  });
});
