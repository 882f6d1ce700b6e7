import { CodeDeployClient, CreateDeploymentGroupCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { aws } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createHook, publishVersions } from './lambda-functions.js';
import { appSpec, deploy, InvokeLoad, lambdaTarget, waitForAlias, waitForDeployment } from './lambda-helpers.js';

/** CodeDeploy shifting traffic on Slipway's own Lambda: functions run, hooks call back, metrics trip alarms. */
const ROLE = 'arn:aws:iam::000000000000:role/CodeDeployRole';
const MIN = 60_000;
const clock = new ManualClock(Date.UTC(2026, 10, 27, 4, 0, 30));
let s: TestSlipway;
let cd: CodeDeployClient;
let lambda: LambdaClient;
let cw: CloudWatchClient;

beforeAll(async () => {
  s = await startSlipway({ clock });
  cd = new CodeDeployClient(sdkConfig(s.url));
  lambda = new LambdaClient(sdkConfig(s.url));
  cw = new CloudWatchClient(sdkConfig(s.url));
  await createHook(lambda, 'pre-traffic', 'Succeeded');
  await createHook(lambda, 'post-traffic', 'Succeeded');
  await createHook(lambda, 'pre-traffic-fails', 'Failed');
});

afterAll(async () => {
  for (const c of [cd, lambda, cw]) c?.destroy();
  await s?.close();
});

describe('CodeDeploy canary on Lambda functions', { timeout: 90_000 }, () => {
  it("the seed's canary through the aws CLI: 10% for five minutes under load, then 100%, hooks called back, events published", async () => {
    const sqs = new SQSClient(sdkConfig(s.url));
    const eb = new EventBridgeClient(sdkConfig(s.url));
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: 'cd-events' }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await eb.send(new PutRuleCommand({ Name: 'cd', EventPattern: JSON.stringify({ source: ['aws.codedeploy'] }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'cd', Targets: [{ Id: 'q', Arn: queueArn }] }));
    await publishVersions(lambda, 'my-function', 'live', ['v1', 'v2']);

    const env = s.env;
    expect((await aws(env, 'deploy', 'create-application', '--application-name', 'my-function-app', '--compute-platform', 'Lambda')).code).toBe(0);
    const cfg = await aws(env, 'deploy', 'create-deployment-config', '--deployment-config-name', 'Linear20Every1', '--compute-platform', 'Lambda',
      '--traffic-routing-config', 'type=TimeBasedLinear,timeBasedLinear={linearPercentage=20,linearInterval=1}');
    expect(cfg.code).toBe(0);
    const got = (await aws(env, 'deploy', 'get-deployment-config', '--deployment-config-name', 'Linear20Every1')).json<{ deploymentConfigInfo: Record<string, unknown> }>();
    expect(got.deploymentConfigInfo).toMatchObject({ computePlatform: 'Lambda', trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 20, linearInterval: 1 } } });
    expect((await aws(env, 'deploy', 'create-deployment-group', '--application-name', 'my-function-app', '--deployment-group-name', 'live',
      '--service-role-arn', ROLE, '--deployment-config-name', 'CodeDeployDefault.LambdaCanary10Percent5Minutes')).code).toBe(0);
    const content = JSON.stringify({
      version: 0.0, Resources: [{ myFunction: { Type: 'AWS::Lambda::Function', Properties: { Name: 'my-function', Alias: 'live', CurrentVersion: '1', TargetVersion: '2' } } }],
      Hooks: [{ BeforeAllowTraffic: 'pre-traffic' }, { AfterAllowTraffic: 'post-traffic' }],
    });
    // One caller at a time: Lambda's warm pool can hand a starting environment to two concurrent invocations ("execution environment is not free").
    const load = new InvokeLoad(lambda, 'my-function', 'live', 1);
    const created = await aws(env, 'deploy', 'create-deployment', '--application-name', 'my-function-app', '--deployment-group-name', 'live',
      '--revision', JSON.stringify({ revisionType: 'AppSpecContent', appSpecContent: { content } }));
    expect(created.code, created.stderr).toBe(0);
    const id = created.json<{ deploymentId: string }>().deploymentId;
    await waitForAlias(lambda, 'my-function', 'live', '1', { '2': 0.1 }, 30_000);
    load.phase = 'canary';
    await load.collect(200, 60_000);
    load.phase = 'shifting';
    await load.pause();
    const started = performance.now();
    clock.advance(5 * MIN);
    load.resume();
    await waitForAlias(lambda, 'my-function', 'live', '2');
    console.log(`canary interval end to alias at 100% (real Lambda): ${(performance.now() - started).toFixed(1)} ms`);
    await waitForDeployment(cd, id, undefined, 30_000);
    load.phase = 'after';
    await load.collect(50);
    await load.stop();

    // 200 draws at p = 0.1: mean 20, standard deviation about 4.2; 6..40 is beyond 3.3 sigma.
    const share = (load.counts.canary['2'] ?? 0) / load.total('canary');
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.2);
    expect(Object.keys(load.counts.after)).toEqual(['2']);
    expect(load.failures, load.errors.join('\n')).toEqual({});

    const info = (await aws(env, 'deploy', 'get-deployment', '--deployment-id', id)).json<{ deploymentInfo: Record<string, unknown> }>().deploymentInfo;
    expect(info).toMatchObject({ status: 'Succeeded', computePlatform: 'Lambda', deploymentOverview: { Succeeded: 1 }, deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' });
    const ids = (await aws(env, 'deploy', 'list-deployment-targets', '--deployment-id', id)).json<{ targetIds: string[] }>().targetIds;
    expect(ids).toEqual(['my-function:live']);
    const targets = (await aws(env, 'deploy', 'batch-get-deployment-targets', '--deployment-id', id, '--target-ids', ...ids)).json<{ deploymentTargets: { lambdaTarget: Record<string, unknown> }[] }>();
    expect(targets.deploymentTargets[0].lambdaTarget).toMatchObject({
      targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:my-function:live', status: 'Succeeded',
      lambdaFunctionInfo: { functionName: 'my-function', functionAlias: 'live', currentVersion: '1', targetVersion: '2', targetVersionWeight: 100 },
      lifecycleEvents: [{ lifecycleEventName: 'BeforeAllowTraffic', status: 'Succeeded' }, { lifecycleEventName: 'AllowTraffic', status: 'Succeeded' }, { lifecycleEventName: 'AfterAllowTraffic', status: 'Succeeded' }],
    });

    // The shorthand form with a YAML AppSpec, all at once, back to version 1.
    const yaml = 'version: 0.0\nResources:\n  - myFunction:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: my-function\n        Alias: live\n        CurrentVersion: 2\n        TargetVersion: 1\n';
    const back = await aws(env, 'deploy', 'create-deployment', '--application-name', 'my-function-app', '--deployment-group-name', 'live',
      '--deployment-config-name', 'CodeDeployDefault.LambdaAllAtOnce', '--revision', `revisionType=AppSpecContent,appSpecContent={content=${yaml}}`);
    expect(back.code, back.stderr).toBe(0);
    const backInfo = await waitForDeployment(cd, back.json<{ deploymentId: string }>().deploymentId);
    expect(backInfo.status).toBe('Succeeded');
    await waitForAlias(lambda, 'my-function', 'live', '1');

    const states: string[] = [];
    await vi.waitFor(async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10 }));
      for (const m of out.Messages ?? []) {
        const e = JSON.parse(m.Body!) as { 'detail-type': string; detail: { deploymentId: string; state: string } };
        if (e.detail.deploymentId === id) states.push(`${e['detail-type']}:${e.detail.state}`);
      }
      expect(states.length).toBeGreaterThanOrEqual(2);
    }, { timeout: 10_000, interval: 20 });
    expect(states.sort()).toEqual(['CodeDeploy Deployment State-change Notification:START', 'CodeDeploy Deployment State-change Notification:SUCCESS']);
    sqs.destroy();
    eb.destroy();
  });

  it('a version that throws trips the AWS/Lambda Errors alarm on the alias: rolled back at once, no failed invocation after', async () => {
    await publishVersions(lambda, 'checkout', 'live', ['v1', 'v2'], ['v2']);
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'checkout-errors', Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'checkout' }, { Name: 'Resource', Value: 'checkout:live' }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    }));
    await cd.send(new CreateDeploymentGroupCommand({
      applicationName: 'my-function-app', deploymentGroupName: 'checkout', serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      alarmConfiguration: { enabled: true, alarms: [{ name: 'checkout-errors' }] }, autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
    }));
    const load = new InvokeLoad(lambda, 'checkout', 'live', 1);
    const id = await deploy(cd, 'my-function-app', 'checkout', appSpec('checkout', 'live', '1', '2'));
    await waitForAlias(lambda, 'checkout', 'live', '1', { '2': 0.1 }, 30_000);
    load.phase = 'canary';
    await vi.waitFor(() => expect(load.failures.canary ?? 0).toBeGreaterThan(2), { timeout: 30_000, interval: 10 });
    // Lambda publishes the minute's metrics at the minute's end; the alarm evaluates every minute.
    await load.pause();
    for (let i = 0; i < 3; i++) {
      clock.advance(MIN);
      await s.slipway.settled();
      const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['checkout-errors'] }))).MetricAlarms![0];
      if (alarm.StateValue === 'ALARM') break;
    }
    const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['checkout-errors'] }))).MetricAlarms![0];
    expect(alarm.StateValue).toBe('ALARM');
    load.resume();
    const started = performance.now();
    clock.advance(25);
    await waitForAlias(lambda, 'checkout', 'live', '1');
    console.log(`alarm seen to traffic back on the current version (real Lambda): ${(performance.now() - started).toFixed(1)} ms`);
    load.phase = 'after-rollback';
    await load.collect(100);
    await load.stop();
    const stopped = await waitForDeployment(cd, id, (d) => !!d.rollbackInfo?.rollbackDeploymentId);
    expect([stopped.status, stopped.errorInformation?.code]).toEqual(['Stopped', 'ALARM_ACTIVE']);
    const rollback = (await cd.send(new GetDeploymentCommand({ deploymentId: stopped.rollbackInfo!.rollbackDeploymentId! }))).deploymentInfo!;
    expect([rollback.status, rollback.creator, rollback.computePlatform]).toEqual(['Succeeded', 'codeDeployRollback', 'Lambda']);
    expect(load.counts['after-rollback']).toEqual({ '1': expect.any(Number) });
    expect(load.failures['after-rollback'] ?? 0, load.errors.join('\n')).toBe(0);
  });

  it('a BeforeAllowTraffic hook that reports Failed fails the deployment; no traffic moves', async () => {
    await publishVersions(lambda, 'billing', 'live', ['v1', 'v2']);
    const id = await deploy(cd, 'my-function-app', 'live', appSpec('billing', 'live', '1', '2', { before: 'pre-traffic-fails', after: 'post-traffic' }));
    const info = await waitForDeployment(cd, id, undefined, 30_000);
    expect([info.status, info.errorInformation?.code]).toEqual(['Failed', 'HOOK_EXECUTION_FAILURE']);
    await waitForAlias(lambda, 'billing', 'live', '1');
    const [t] = await lambdaTarget(cd, id);
    expect(t.lifecycleEvents!.map((e) => `${e.lifecycleEventName}:${e.status}`)).toEqual(['BeforeAllowTraffic:Failed', 'AllowTraffic:Skipped', 'AfterAllowTraffic:Skipped']);
    expect(t.lambdaFunctionInfo?.targetVersionWeight).toBe(0);
  });
});
