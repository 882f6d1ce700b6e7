// Issue 9 (scope 5 and 6, Lambda platform): how fast CodeDeploy moves a Lambda alias once it
// decides to, on Slipway's Lambda, with a ManualClock so that the AWS waits end at a known instant:
// - canary end: from the clock step that ends a LambdaCanary10Percent5Minutes interval to
//   GetAlias showing the target version with no routing config;
// - rollback: from SetAlarmState ALARM (CodeDeploy hears of the change as an in-process event) to
//   GetAlias showing the current version with no routing config (a DEPLOYMENT_STOP_ON_ALARM group).
// Baseline in the same run: the same alias change made directly with UpdateAlias, timed the same
// way (from the call to GetAlias showing it).
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentGroupCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { GetAliasCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../src/core/clock.js';
import { Slipway } from '../src/slipway.js';
import { publishVersions } from '../test/integration/codedeploy/lambda-functions.js';
import { appSpec } from '../test/integration/codedeploy/lambda-helpers.js';
import { median } from './lib/stats.js';

const ROUNDS = 5;
const ROLE = 'arn:aws:iam::000000000000:role/CodeDeployRole';

interface Clients { cd: CodeDeployClient; lambda: LambdaClient; cw: CloudWatchClient }

/** Polls GetAlias (no pause between calls) until it shows `version` alone; resolves with performance.now(). */
async function aliasOn(lambda: LambdaClient, version: string, weights: Record<string, number> = {}): Promise<number> {
  for (let i = 0; i < 100_000; i++) {
    const a = await lambda.send(new GetAliasCommand({ FunctionName: 'bench', Name: 'live' }));
    if (a.FunctionVersion === version && JSON.stringify(a.RoutingConfig?.AdditionalVersionWeights ?? {}) === JSON.stringify(weights)) return performance.now();
  }
  throw new Error(`alias never reached version ${version}`);
}

async function finished(cd: CodeDeployClient, id: string): Promise<void> {
  for (let i = 0; i < 100_000; i++) {
    const d = (await cd.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
    if (['Succeeded', 'Failed', 'Stopped'].includes(d.status!) && (d.status === 'Succeeded' || d.rollbackInfo?.rollbackDeploymentId)) return;
  }
  throw new Error(`deployment ${id} did not finish`);
}

async function deploy(c: Clients, group: string, from: string, to: string): Promise<string> {
  const out = await c.cd.send(new CreateDeploymentCommand({ applicationName: 'bench', deploymentGroupName: group, revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec('bench', 'live', from, to) } } }));
  return out.deploymentId!;
}

async function direct(c: Clients, from: string, to: string, back: boolean): Promise<number> {
  await c.lambda.send(new UpdateAliasCommand({ FunctionName: 'bench', Name: 'live', FunctionVersion: from, RoutingConfig: { AdditionalVersionWeights: { [to]: 0.1 } } }));
  const t0 = performance.now();
  const end = back ? from : to;
  await c.lambda.send(new UpdateAliasCommand({ FunctionName: 'bench', Name: 'live', FunctionVersion: end, RoutingConfig: { AdditionalVersionWeights: {} } }));
  const t = (await aliasOn(c.lambda, end)) - t0;
  if (!back) await c.lambda.send(new UpdateAliasCommand({ FunctionName: 'bench', Name: 'live', FunctionVersion: from, RoutingConfig: { AdditionalVersionWeights: {} } }));
  return t;
}

export async function benchCodedeployLambda(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-cdl-'));
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 5, 0, 30));
  const slipway = await Slipway.start({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'error', clock });
  const cfg = { endpoint: slipway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const c: Clients = { cd: new CodeDeployClient(cfg), lambda: new LambdaClient(cfg), cw: new CloudWatchClient(cfg) };
  try {
    await publishVersions(c.lambda, 'bench', 'live', ['v1', 'v2']);
    await c.cw.send(new PutMetricAlarmCommand({ AlarmName: 'bench-alarm', Namespace: 'Bench', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' }));
    await c.cd.send(new CreateApplicationCommand({ applicationName: 'bench', computePlatform: 'Lambda' }));
    await c.cd.send(new CreateDeploymentGroupCommand({ applicationName: 'bench', deploymentGroupName: 'canary', serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' }));
    await c.cd.send(new CreateDeploymentGroupCommand({
      applicationName: 'bench', deploymentGroupName: 'watched', serviceRoleArn: ROLE, deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      alarmConfiguration: { enabled: true, alarms: [{ name: 'bench-alarm' }] }, autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
    }));
    const toFull: number[] = [];
    const toBack: number[] = [];
    const baseFull: number[] = [];
    const baseBack: number[] = [];
    let [cur, tgt] = ['1', '2'];
    for (let i = 0; i < ROUNDS; i++) {
      const id = await deploy(c, 'canary', cur, tgt);
      await aliasOn(c.lambda, cur, { [tgt]: 0.1 });
      const t0 = performance.now();
      clock.advance(5 * 60_000);
      toFull.push((await aliasOn(c.lambda, tgt)) - t0);
      await finished(c.cd, id);
      [cur, tgt] = [tgt, cur];
      baseFull.push(await direct(c, cur, tgt, false));

      await c.cw.send(new SetAlarmStateCommand({ AlarmName: 'bench-alarm', StateValue: 'OK', StateReason: 'bench' }));
      const rid = await deploy(c, 'watched', cur, tgt);
      await aliasOn(c.lambda, cur, { [tgt]: 0.1 });
      const t1 = performance.now();
      await c.cw.send(new SetAlarmStateCommand({ AlarmName: 'bench-alarm', StateValue: 'ALARM', StateReason: 'bench' }));
      toBack.push((await aliasOn(c.lambda, cur)) - t1);
      await finished(c.cd, rid);
      baseBack.push(await direct(c, cur, tgt, true));
    }
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    return [
      `| CodeDeploy Lambda canary: interval end to the alias at 100% (GetAlias), Slipway's Lambda (median of ${ROUNDS}) | ${ms(median(toFull))} | ${ms(median(baseFull))} (SDK: UpdateAlias to the target) | — |`,
      `| CodeDeploy Lambda rollback: SetAlarmState ALARM to the alias back on the current version (median of ${ROUNDS}) | ${ms(median(toBack))} | ${ms(median(baseBack))} (SDK: UpdateAlias back) | < 1000 ms |`,
    ];
  } finally {
    for (const x of Object.values(c)) x.destroy();
    await slipway.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
