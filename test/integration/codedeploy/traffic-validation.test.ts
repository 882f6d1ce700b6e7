import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient, ContinueDeploymentCommand, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentGroupCommand, GetDeploymentConfigCommand, UpdateDeploymentGroupCommand, type CreateDeploymentGroupCommandInput } from '@aws-sdk/client-codedeploy';
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

let s: TestSlipway;
let cd: CodeDeployClient;
const APP = 'checks';
const base = { applicationName: APP, serviceRoleArn: 'arn:aws:iam::000000000000:role/cd', ec2TagFilters: [{ Key: 'a', Value: 'b', Type: 'KEY_AND_VALUE' as const }] };
const bgStyle = { deploymentType: 'BLUE_GREEN' as const, deploymentOption: 'WITH_TRAFFIC_CONTROL' as const };
const lb = { targetGroupInfoList: [{ name: 'web' }] };
let n = 0;
const group = (extra: Partial<CreateDeploymentGroupCommandInput>) => cd.send(new CreateDeploymentGroupCommand({ ...base, deploymentGroupName: `g${++n}`, ...extra }));

beforeAll(async () => {
  s = await startSlipway();
  cd = new CodeDeployClient(sdkConfig(s.url));
  const elb = new ElasticLoadBalancingV2Client(sdkConfig(s.url));
  await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'instance' }));
  elb.destroy();
  const cw = new CloudWatchClient(sdkConfig(s.url));
  await cw.send(new PutMetricAlarmCommand({ AlarmName: 'errors', Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }));
  cw.destroy();
  const s3 = new S3Client(sdkConfig(s.url));
  await s3.send(new CreateBucketCommand({ Bucket: 'bundles' }));
  await s3.send(new PutObjectCommand({ Bucket: 'bundles', Key: 'app.zip', Body: 'x' }));
  s3.destroy();
  await cd.send(new CreateApplicationCommand({ applicationName: APP }));
});

afterAll(async () => {
  cd?.destroy();
  await s?.close();
});

describe('deployment group traffic settings', () => {
  it.each([
    ['a classic load balancer', { deploymentStyle: { deploymentType: 'IN_PLACE' as const, deploymentOption: 'WITH_TRAFFIC_CONTROL' as const }, loadBalancerInfo: { elbInfoList: [{ name: 'classic' }] } }, 'InvalidLoadBalancerInfoException', /Classic Load Balancers/],
    ['an unknown target group', { deploymentStyle: bgStyle, loadBalancerInfo: { targetGroupInfoList: [{ name: 'nope' }] } }, 'InvalidLoadBalancerInfoException', /target group nope does not exist/],
    ['traffic control without a load balancer', { deploymentStyle: { deploymentType: 'IN_PLACE' as const, deploymentOption: 'WITH_TRAFFIC_CONTROL' as const } }, 'InvalidLoadBalancerInfoException', /no load balancer/],
    ['blue/green without traffic control', { deploymentStyle: { deploymentType: 'BLUE_GREEN' as const, deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' as const }, loadBalancerInfo: lb }, 'InvalidDeploymentStyleException', /WITH_TRAFFIC_CONTROL/],
    ['a ready wait without a wait time', { deploymentStyle: bgStyle, loadBalancerInfo: lb, blueGreenDeploymentConfiguration: { deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT' as const } } }, 'InvalidBlueGreenDeploymentConfigurationException', /waitTimeInMinutes/],
    ['a termination wait over two days', { deploymentStyle: bgStyle, loadBalancerInfo: lb, blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE' as const, terminationWaitTimeInMinutes: 2881 } } }, 'InvalidBlueGreenDeploymentConfigurationException', /2880/],
    ['an alarm CloudWatch does not have', { alarmConfiguration: { enabled: true, alarms: [{ name: 'errors' }, { name: 'ghost' }] } }, 'InvalidAlarmConfigException', /ghost/],
    ['a canary configuration on the Server platform', { deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes' }, 'InvalidDeploymentConfigNameException', /ECS/],
    ['a linear configuration on the Server platform', { deploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute' }, 'InvalidDeploymentConfigNameException', /Lambda/],
  ])('refuses %s', async (_what, extra, code, message) => {
    await expect(group(extra)).rejects.toMatchObject({ name: code, message: expect.stringMatching(message) });
  });

  it('accepts existing target groups and alarms, and refuses a later update naming a missing alarm', async () => {
    await group({ deploymentGroupName: 'good', deploymentStyle: bgStyle, loadBalancerInfo: lb, alarmConfiguration: { enabled: true, alarms: [{ name: 'errors' }] } });
    await expect(cd.send(new UpdateDeploymentGroupCommand({ applicationName: APP, currentDeploymentGroupName: 'good', alarmConfiguration: { enabled: true, alarms: [{ name: 'gone' }] } })))
      .rejects.toMatchObject({ name: 'InvalidAlarmConfigException' });
  });

  it('lists the canary and linear configurations for the platforms that use them', async () => {
    const c = await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes' }));
    expect(c.deploymentConfigInfo).toMatchObject({ computePlatform: 'ECS', trafficRoutingConfig: { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } } });
  });
});

describe('deployments', () => {
  const revision = { revisionType: 'S3' as const, s3Location: { bucket: 'bundles', key: 'app.zip', bundleType: 'zip' as const } };

  it('a blue/green deployment discovering existing instances needs target instances; copying an Auto Scaling group is refused', async () => {
    await group({ deploymentGroupName: 'bg-discover', deploymentStyle: bgStyle, loadBalancerInfo: lb });
    await expect(cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'bg-discover', revision }))).rejects.toMatchObject({ name: 'InvalidTargetInstancesException' });
    await group({ deploymentGroupName: 'bg-copy', deploymentStyle: bgStyle, loadBalancerInfo: lb, blueGreenDeploymentConfiguration: { greenFleetProvisioningOption: { action: 'COPY_AUTO_SCALING_GROUP' } } });
    await expect(cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'bg-copy', revision }))).rejects.toMatchObject({ name: 'InvalidAutoScalingGroupException' });
  });

  it('refuses an override alarm that does not exist, and ContinueDeployment on an in-place deployment', async () => {
    await group({ deploymentGroupName: 'plain' });
    await expect(cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'plain', revision, overrideAlarmConfiguration: { enabled: true, alarms: [{ name: 'ghost' }] } })))
      .rejects.toMatchObject({ name: 'InvalidAlarmConfigException' });
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'plain', revision }));
    await expect(cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }))).rejects.toMatchObject({ name: expect.stringMatching(/DeploymentIsNotInReadyStateException|DeploymentAlreadyCompletedException/) });
  });

  it("the seed's create-deployment with --blue-green-deployment-configuration is refused by the aws CLI itself", async () => {
    const r = await awsCli(s.env)('deploy', 'create-deployment', '--application-name', APP, '--deployment-group-name', 'bg-discover',
      '--deployment-config-name', 'CodeDeployDefault.AllAtOnceBlueGreen', '--blue-green-deployment-configuration', 'terminateBlueInstancesOnDeploymentSuccess={action=TERMINATE,terminationWaitTimeInMinutes=5}');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('Unknown options: --blue-green-deployment-configuration');
  });
});
