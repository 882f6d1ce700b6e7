import {
  CodeDeployClient, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentConfigCommand, CreateDeploymentGroupCommand, GetDeploymentCommand, GetDeploymentConfigCommand,
  GetDeploymentGroupCommand, PutLifecycleEventHookExecutionStatusCommand, StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { SERVICES } from '../../../src/services/registry.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { appSpec, deploy, InvokeLoad, lambdaTarget, reportingHook, waitForAlias, waitForDeployment } from './lambda-helpers.js';
import { LambdaStandIn } from './lambda-stand-in.js';

const ROLE = 'arn:aws:iam::000000000000:role/CodeDeployRole';
const MIN = 60_000;
const clock = new ManualClock(Date.UTC(2026, 10, 27, 4, 0));
const fake = new LambdaStandIn();
const hookCalls: Record<string, string>[] = [];
let s: TestSlipway;
let cd: CodeDeployClient;
let lambda: LambdaClient;
let cw: CloudWatchClient;

const ok = (v: string) => () => ({ version: v });
const errorName = async (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);

beforeAll(async () => {
  s = await startSlipway({ clock, services: [...SERVICES, fake.definition()] });
  cd = new CodeDeployClient(sdkConfig(s.url));
  lambda = new LambdaClient(sdkConfig(s.url));
  cw = new CloudWatchClient(sdkConfig(s.url));
  fake.define('hook-ok', { '1': reportingHook('Succeeded', hookCalls) });
  fake.define('hook-fail', { '1': reportingHook('Failed') });
  fake.define('hook-silent', { '1': () => undefined });
  await cd.send(new CreateApplicationCommand({ applicationName: 'fn-app', computePlatform: 'Lambda' }));
  await cd.send(new CreateDeploymentGroupCommand({ applicationName: 'fn-app', deploymentGroupName: 'live', serviceRoleArn: ROLE, autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } }));
});

afterAll(async () => {
  for (const c of [cd, lambda, cw]) c?.destroy();
  await s?.close();
});

describe('CodeDeploy on the Lambda compute platform (SDK v3)', { timeout: 60_000 }, () => {
  it('Lambda groups are blue/green with traffic control; configurations are checked against the platform', async () => {
    const g = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'fn-app', deploymentGroupName: 'live' }))).deploymentGroupInfo!;
    expect([g.computePlatform, g.deploymentConfigName, g.deploymentStyle]).toEqual(['Lambda', 'CodeDeployDefault.LambdaAllAtOnce', { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' }]);
    const group = (extra: object) => cd.send(new CreateDeploymentGroupCommand({ applicationName: 'fn-app', deploymentGroupName: 'bad', serviceRoleArn: ROLE, ...extra }));
    expect(await errorName(group({ deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' } }))).toMatch(/^InvalidDeploymentStyleException: .*BLUE_GREEN/);
    expect(await errorName(group({ deploymentConfigName: 'CodeDeployDefault.OneAtATime' }))).toMatch(/^InvalidDeploymentConfigNameException: .*Server compute platform, not Lambda/);
    expect(await errorName(group({ ec2TagFilters: [{ Key: 'a', Value: 'b', Type: 'KEY_AND_VALUE' }] }))).toMatch(/^InvalidInputException: .*no instances/);
    expect(await errorName(group({ loadBalancerInfo: { targetGroupInfoList: [{ name: 'tg' }] } }))).toMatch(/^InvalidLoadBalancerInfoException/);
    await cd.send(new CreateApplicationCommand({ applicationName: 'server-app' }));
    expect(await errorName(cd.send(new CreateDeploymentGroupCommand({ applicationName: 'server-app', deploymentGroupName: 'g', serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' })))).toMatch(/^InvalidDeploymentConfigNameException: .*Lambda compute platform, not Server/);

    await cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'Canary25Percent2Minutes', computePlatform: 'Lambda', trafficRoutingConfig: { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 25, canaryInterval: 2 } } }));
    const cfg = (await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'Canary25Percent2Minutes' }))).deploymentConfigInfo!;
    expect([cfg.computePlatform, cfg.trafficRoutingConfig]).toEqual(['Lambda', { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 25, canaryInterval: 2 } }]);
    const badCfg = (name: string, extra: object) => errorName(cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: name, ...extra })));
    expect(await badCfg('b1', { computePlatform: 'Lambda', trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 0, linearInterval: 1 } } })).toMatch(/^InvalidTrafficRoutingConfigurationException: The linear percentage must be a whole number from 1 to 99, got 0/);
    expect(await badCfg('b2', { computePlatform: 'Server', minimumHealthyHosts: { type: 'HOST_COUNT', value: 1 }, trafficRoutingConfig: { type: 'AllAtOnce' } })).toMatch(/^InvalidTrafficRoutingConfigurationException/);
  });

  it('a canary shifts 10% for five minutes under load, then 100%, hooks reporting, with no failed invocation', async () => {
    fake.define('orders', { '1': ok('1'), '2': ok('2') }, { live: '1' });
    const load = new InvokeLoad(lambda, 'orders', 'live');
    const id = await deploy(cd, 'fn-app', 'live', appSpec('orders', 'live', '1', '2', { before: 'hook-ok', after: 'hook-ok' }), 'CodeDeployDefault.LambdaCanary10Percent5Minutes');
    await waitForAlias(lambda, 'orders', 'live', '1', { '2': 0.1 });
    load.phase = 'canary';
    await load.collect(400);
    load.phase = 'shifting';
    let [t] = await lambdaTarget(cd, id);
    expect(t.type).toBe('LambdaTarget');
    expect(t.lambdaFunctionInfo).toEqual({ functionName: 'orders', functionAlias: 'live', currentVersion: '1', targetVersion: '2', targetVersionWeight: 10 });
    expect(t.lifecycleEvents!.map((e) => `${e.lifecycleEventName}:${e.status}`)).toEqual(['BeforeAllowTraffic:Succeeded', 'AllowTraffic:InProgress', 'AfterAllowTraffic:Pending']);
    clock.advance(5 * MIN - 1);
    await s.slipway.settled();
    expect((await lambdaTarget(cd, id))[0].lambdaFunctionInfo!.targetVersionWeight).toBe(10); // not a millisecond early
    const started = performance.now();
    clock.advance(1);
    await waitForAlias(lambda, 'orders', 'live', '2');
    const toFull = performance.now() - started;
    const info = await waitForDeployment(cd, id);
    load.phase = 'after';
    await load.collect(100);
    await load.stop();
    console.log(`canary interval end to alias at 100%: ${toFull.toFixed(1)} ms`);

    const canary = load.counts.canary;
    const share = (canary['2'] ?? 0) / ((canary['1'] ?? 0) + (canary['2'] ?? 0));
    expect(share).toBeGreaterThan(0.04);
    expect(share).toBeLessThan(0.18);
    expect(Object.keys(load.counts.after)).toEqual(['2']);
    expect(Object.values(load.failures).reduce((a, b) => a + b, 0)).toBe(0);
    expect([info.status, info.computePlatform, info.deploymentOverview?.Succeeded]).toEqual(['Succeeded', 'Lambda', 1]);
    expect(info.deploymentStatusMessages).toEqual(['Traffic shifted: 10% of alias live on version 2.', 'Traffic shifted: 100% of alias live on version 2.']);
    [t] = await lambdaTarget(cd, id);
    expect(t.status).toBe('Succeeded');
    expect(t.lambdaFunctionInfo!.targetVersionWeight).toBe(100);
    expect(t.lifecycleEvents!.map((e) => e.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expect(hookCalls.map((e) => e.DeploymentId)).toEqual([id, id]);
    expect(new Set(hookCalls.map((e) => e.LifecycleEventHookExecutionId)).size).toBe(2);
    expect(fake.aliasUpdates.filter((u) => u.alias === 'live').slice(-2)).toEqual([{ alias: 'live', version: '1', weights: { '2': 0.1 } }, { alias: 'live', version: '2', weights: {} }]);
  });

  it('linear steps 10% every minute; all at once moves in one step', async () => {
    fake.define('lin', { '1': ok('1'), '2': ok('2') }, { prod: '1' });
    const id = await deploy(cd, 'fn-app', 'live', appSpec('lin', 'prod', '1', '2'), 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute');
    const weights: number[] = [];
    for (let p = 10; p < 100; p += 10) {
      await waitForAlias(lambda, 'lin', 'prod', '1', { '2': p / 100 });
      weights.push((await lambdaTarget(cd, id))[0].lambdaFunctionInfo!.targetVersionWeight!);
      clock.advance(MIN);
    }
    await waitForAlias(lambda, 'lin', 'prod', '2');
    expect((await waitForDeployment(cd, id)).status).toBe('Succeeded');
    expect(weights).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const [t] = await lambdaTarget(cd, id);
    expect(t.lifecycleEvents!.map((e) => `${e.lifecycleEventName}:${e.status}`)).toEqual(['BeforeAllowTraffic:Skipped', 'AllowTraffic:Succeeded', 'AfterAllowTraffic:Skipped']);

    fake.define('once', { '4': ok('4'), '5': ok('5') }, { live: '4' });
    const all = await deploy(cd, 'fn-app', 'live', appSpec('once', 'live', '4', '5'));
    expect((await waitForDeployment(cd, all)).status).toBe('Succeeded');
    expect(fake.aliasUpdates.filter((u) => u.alias === 'live').slice(-1)).toEqual([{ alias: 'live', version: '5', weights: {} }]);
  });

  it('a target version that throws trips the Errors alarm: stopped, rolled back at once, then no failed invocation', async () => {
    fake.define('pay', { '1': ok('1'), '2': () => { throw new Error('boom'); } }, { live: '1' });
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'pay-errors', Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'pay' }, { Name: 'Resource', Value: 'pay:live' }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    }));
    await cd.send(new CreateDeploymentGroupCommand({
      applicationName: 'fn-app', deploymentGroupName: 'pay', serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      alarmConfiguration: { enabled: true, alarms: [{ name: 'pay-errors' }] }, autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
    }));
    const load = new InvokeLoad(lambda, 'pay', 'live');
    const id = await deploy(cd, 'fn-app', 'pay', appSpec('pay', 'live', '1', '2'));
    await waitForAlias(lambda, 'pay', 'live', '1', { '2': 0.1 });
    load.phase = 'canary';
    await load.collect(200);
    expect(load.failures.canary).toBeGreaterThan(0); // the broken version answered errors
    clock.advance(60_000); // the alarm's next evaluation
    await s.slipway.settled();
    const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['pay-errors'] }))).MetricAlarms![0];
    expect(alarm.StateValue).toBe('ALARM');
    const started = performance.now();
    clock.advance(25); // the deployment's next look at its alarms
    await waitForAlias(lambda, 'pay', 'live', '1');
    const rollbackMs = performance.now() - started;
    load.phase = 'after-rollback';
    const stopped = await waitForDeployment(cd, id);
    await load.collect(200);
    await load.stop();
    console.log(`alarm seen to traffic fully back on the current version: ${rollbackMs.toFixed(1)} ms`);

    expect(stopped.status).toBe('Stopped');
    expect(stopped.errorInformation).toEqual({ code: 'ALARM_ACTIVE', message: expect.stringContaining('Activated alarms: <pay-errors>') });
    const rb = stopped.rollbackInfo!.rollbackDeploymentId!;
    const rollback = (await cd.send(new GetDeploymentCommand({ deploymentId: rb }))).deploymentInfo!;
    expect([rollback.status, rollback.creator, rollback.rollbackInfo?.rollbackTriggeringDeploymentId]).toEqual(['Succeeded', 'codeDeployRollback', id]);
    const [rt] = await lambdaTarget(cd, rb);
    expect(rt.lambdaFunctionInfo).toMatchObject({ currentVersion: '2', targetVersion: '1', targetVersionWeight: 100 });
    expect(load.counts['after-rollback']).toEqual({ '1': expect.any(Number) });
    expect(load.failures['after-rollback'] ?? 0).toBe(0);
    const [t] = await lambdaTarget(cd, id);
    expect(t.lifecycleEvents!.map((e) => e.status)).toEqual(['Skipped', 'Skipped', 'Skipped']);
  });

  it('a failing BeforeAllowTraffic hook fails the deployment before any traffic moves', async () => {
    fake.define('inv', { '1': ok('1'), '2': ok('2') }, { live: '1' });
    const id = await deploy(cd, 'fn-app', 'live', appSpec('inv', 'live', '1', '2', { before: 'hook-fail', after: 'hook-ok' }), 'CodeDeployDefault.LambdaCanary10Percent5Minutes');
    const info = await waitForDeployment(cd, id, (d) => !!d.rollbackInfo);
    expect(info.status).toBe('Failed');
    expect(info.errorInformation?.code).toBe('HOOK_EXECUTION_FAILURE');
    expect(info.errorInformation?.message).toMatch(/BeforeAllowTraffic hook function hook-fail reported Failed/);
    expect(fake.aliasUpdates.filter((u) => u.alias === 'live' && fake.functions.get('inv')!.aliases.get('live')!.version !== '1')).toEqual([]);
    await waitForAlias(lambda, 'inv', 'live', '1');
    const [t] = await lambdaTarget(cd, id);
    expect(t.status).toBe('Failed');
    expect(t.lifecycleEvents!.map((e) => `${e.lifecycleEventName}:${e.status}`)).toEqual(['BeforeAllowTraffic:Failed', 'AllowTraffic:Skipped', 'AfterAllowTraffic:Skipped']);
    expect(t.lifecycleEvents![0].diagnostics?.message).toMatch(/reported Failed/);
    expect((await cd.send(new GetDeploymentCommand({ deploymentId: info.rollbackInfo!.rollbackDeploymentId! }))).deploymentInfo!.status).toBe('Succeeded');
  });

  it('a hook that never reports fails after one hour; StopDeployment with rollback sends traffic back', async () => {
    fake.define('quiet', { '1': ok('1'), '2': ok('2') }, { live: '1' });
    const id = await deploy(cd, 'fn-app', 'live', appSpec('quiet', 'live', '1', '2', { before: 'hook-silent' }));
    await vi.waitFor(async () => expect((await lambdaTarget(cd, id))[0].lifecycleEvents![0].status).toBe('InProgress'), { interval: 5 });
    await s.slipway.settled();
    clock.advance(60 * MIN);
    const timedOut = await waitForDeployment(cd, id);
    expect([timedOut.status, timedOut.errorInformation?.code]).toEqual(['Failed', 'HOOK_EXECUTION_FAILURE']);
    expect(timedOut.errorInformation?.message).toMatch(/hook-silent did not report its status .* within one hour/);

    fake.define('stopme', { '1': ok('1'), '2': ok('2') }, { live: '1' });
    const sid = await deploy(cd, 'fn-app', 'live', appSpec('stopme', 'live', '1', '2'), 'CodeDeployDefault.LambdaCanary10Percent30Minutes');
    await waitForAlias(lambda, 'stopme', 'live', '1', { '2': 0.1 });
    expect(await errorName(deploy(cd, 'fn-app', 'live', appSpec('stopme', 'live', '1', '2')))).toBe(`DeploymentLimitExceededException: The Deployment Group 'live' already has an active Deployment '${sid}'`);
    await cd.send(new StopDeploymentCommand({ deploymentId: sid, autoRollbackEnabled: true }));
    await waitForAlias(lambda, 'stopme', 'live', '1');
    const stopped = (await cd.send(new GetDeploymentCommand({ deploymentId: sid }))).deploymentInfo!;
    expect([stopped.status, stopped.errorInformation?.code]).toEqual(['Stopped', 'MANUAL_STOP']);
    expect(stopped.rollbackInfo?.rollbackDeploymentId).toMatch(/^d-/);
  });

  it('refuses what does not match Lambda, and hook reports that are not expected', async () => {
    fake.define('drift', { '1': ok('1'), '2': ok('2'), '3': ok('3') }, { live: '3' });
    const drift = await waitForDeployment(cd, await deploy(cd, 'fn-app', 'live', appSpec('drift', 'live', '1', '2')));
    expect(drift.errorInformation).toEqual({ code: 'INVALID_LAMBDA_CONFIGURATION', message: "The alias live of drift points to version 3, but the AppSpec file's CurrentVersion is 1." });
    const missing = await waitForDeployment(cd, await deploy(cd, 'fn-app', 'live', appSpec('drift', 'live', '3', '9')));
    expect([missing.status, missing.errorInformation?.code]).toEqual(['Failed', 'INVALID_LAMBDA_FUNCTION']);
    expect(missing.rollbackInfo).toBeUndefined();
    expect(await errorName(deploy(cd, 'fn-app', 'live', 'version: 0.0\nResources: []\n'))).toMatch(/^InvalidRevisionException: .*no Resources section/);
    const s3Zip = cd.send(new CreateDeploymentCommand({ applicationName: 'fn-app', deploymentGroupName: 'live', revision: { revisionType: 'S3', s3Location: { bucket: 'b', key: 'k', bundleType: 'zip' } } }));
    expect(await errorName(s3Zip)).toMatch(/^InvalidRevisionException: .*bundleType must be YAML or JSON/);
    await cd.send(new CreateApplicationCommand({ applicationName: 'ecs-app', computePlatform: 'ECS' }));
    await cd.send(new CreateDeploymentGroupCommand({ applicationName: 'ecs-app', deploymentGroupName: 'g', serviceRoleArn: ROLE }));
    expect(await errorName(deploy(cd, 'ecs-app', 'g', 'version: 0.0\n'))).toMatch(/^OperationNotSupportedException: Deployments on the ECS compute platform are not available/);
    const put = (deploymentId: string, execution: string, status: string) => errorName(cd.send(new PutLifecycleEventHookExecutionStatusCommand({ deploymentId, lifecycleEventHookExecutionId: execution, status: status as 'Succeeded' })));
    expect(await put(drift.deploymentId!, 'nope', 'Succeeded')).toMatch(/^InvalidLifecycleEventHookExecutionIdException/);
    expect(await put(drift.deploymentId!, 'nope', 'Pending')).toMatch(/^InvalidLifecycleEventHookExecutionStatusException/);
    expect(await put('d-AAAAAAAAA', 'x', 'Succeeded')).toMatch(/^DeploymentDoesNotExistException/);
    const first = hookCalls[0];
    expect(await put(first.DeploymentId, first.LifecycleEventHookExecutionId, 'Succeeded')).toMatch(/^LifecycleEventAlreadyCompletedException/);
  });
});
