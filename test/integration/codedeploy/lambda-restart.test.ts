import { CodeDeployClient, CreateApplicationCommand, CreateDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { publishVersions } from './lambda-functions.js';
import { appSpec, deploy, lambdaTarget, waitForAlias, waitForDeployment } from './lambda-helpers.js';

/** A traffic shift is durable: a restart mid-canary neither loses nor hurries the next shift, and alarms are watched again. */
const ROLE = 'arn:aws:iam::000000000000:role/CodeDeployRole';
const MIN = 60_000;
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cd-lambda-restart-'));
let s: TestSlipway | undefined;

afterAll(async () => {
  await s?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const clients = (sw: TestSlipway) => ({ cd: new CodeDeployClient(sdkConfig(sw.url)), lambda: new LambdaClient(sdkConfig(sw.url)), cw: new CloudWatchClient(sdkConfig(sw.url)) });

describe('Lambda deployments across a restart', { timeout: 60_000 }, () => {
  it('resumes the canary where it was and still rolls back on an alarm', async () => {
    let clock = new ManualClock(Date.UTC(2026, 10, 27, 5, 0, 10));
    s = await startSlipway({ dataDir, clock });
    let c = clients(s);
    await publishVersions(c.lambda, 'steady', 'live', ['v1', 'v2']);
    await publishVersions(c.lambda, 'watched', 'live', ['v1', 'v2']);
    await c.cw.send(new PutMetricAlarmCommand({
      AlarmName: 'watched-errors', Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'watched' }, { Name: 'Resource', Value: 'watched:live' }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    }));
    await c.cd.send(new CreateApplicationCommand({ applicationName: 'fns', computePlatform: 'Lambda' }));
    await c.cd.send(new CreateDeploymentGroupCommand({ applicationName: 'fns', deploymentGroupName: 'plain', serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' }));
    await c.cd.send(new CreateDeploymentGroupCommand({
      applicationName: 'fns', deploymentGroupName: 'watched', serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      alarmConfiguration: { enabled: true, alarms: [{ name: 'watched-errors' }] }, autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
    }));
    const steady = await deploy(c.cd, 'fns', 'plain', appSpec('steady', 'live', '1', '2'));
    const watched = await deploy(c.cd, 'fns', 'watched', appSpec('watched', 'live', '1', '2'));
    await waitForAlias(c.lambda, 'steady', 'live', '1', { '2': 0.1 });
    await waitForAlias(c.lambda, 'watched', 'live', '1', { '2': 0.1 });
    clock.advance(2 * MIN);
    await s.slipway.settled();

    const at = clock.now();
    for (const x of Object.values(c)) x.destroy();
    await s.close();
    clock = new ManualClock(at);
    s = await startSlipway({ dataDir, clock });
    c = clients(s);
    await s.slipway.settled();
    clock.advance(2 * MIN);
    await s.slipway.settled();
    expect((await lambdaTarget(c.cd, steady))[0].lambdaFunctionInfo?.targetVersionWeight).toBe(10); // four minutes into a five-minute canary

    await c.cw.send(new SetAlarmStateCommand({ AlarmName: 'watched-errors', StateValue: 'ALARM', StateReason: 'test' }));
    // The watch, resumed after the restart, looks at the alarms every 25 ms of clock time.
    await vi.waitFor(async () => {
      clock.advance(25);
      const a = await c.lambda.send(new GetAliasCommand({ FunctionName: 'watched', Name: 'live' }));
      expect([a.FunctionVersion, a.RoutingConfig?.AdditionalVersionWeights ?? {}]).toEqual(['1', {}]);
    }, { timeout: 10_000, interval: 10 });
    clock.advance(MIN);
    await waitForAlias(c.lambda, 'steady', 'live', '2');
    expect((await waitForDeployment(c.cd, steady)).status).toBe('Succeeded');
    const stopped = await waitForDeployment(c.cd, watched, (d) => !!d.rollbackInfo?.rollbackDeploymentId);
    expect([stopped.status, stopped.errorInformation?.code]).toEqual(['Stopped', 'ALARM_ACTIVE']);
    for (const x of Object.values(c)) x.destroy();
  });
});
