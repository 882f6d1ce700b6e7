import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createAlb, elbClient, forwardTo, get, startTarget, type Alb, type Target } from './helpers.js';

describe('ELBv2 metrics in CloudWatch', () => {
  let sw: TestSlipway;
  let clock: ManualClock;
  let app: Target;
  let alb: Alb;
  let cw: CloudWatchClient;
  const start = Date.UTC(2024, 0, 1);

  beforeAll(async () => {
    clock = new ManualClock(start);
    sw = await startSlipway({ clock, elbPorts: 'ephemeral' });
    cw = new CloudWatchClient(sdkConfig(sw.url));
    app = await startTarget('app', (req, res) => {
      req.resume();
      res.statusCode = req.url === '/fail' ? 500 : req.url === '/missing' ? 404 : 200;
      res.end('app');
    });
    alb = await createAlb(sw, 'metrics', { web: [app], empty: [] }, (g) => forwardTo(g.web));
    await elbClient(sw).send(new CreateRuleCommand({ ListenerArn: alb.listenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/nobody/*'] }], Actions: [forwardTo(alb.groups.empty)] }));
  });
  afterAll(async () => {
    await sw.close();
    await app.close();
  });

  const lbDim = () => alb.lbArn.split(':loadbalancer/')[1];
  const tgDim = () => alb.groups.web.split(':')[5];
  const sum = async (MetricName: string, dims: Record<string, string>) => {
    const r = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/ApplicationELB', MetricName, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      StartTime: new Date(start), EndTime: new Date(start + 600_000), Period: 600, Statistics: ['Sum', 'Maximum', 'SampleCount'],
    }));
    return r.Datapoints?.[0];
  };

  it('publishes request, status and host metrics per minute, and a 5XX alarm fires from real proxied 500s', async () => {
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'high-error-rate', Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: [{ Name: 'LoadBalancer', Value: lbDim() }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    }));
    for (let i = 0; i < 8; i++) expect((await get(`${alb.url}/fail`)).status).toBe(500);
    for (let i = 0; i < 3; i++) expect((await get(`${alb.url}/ok`)).status).toBe(200);
    expect((await get(`${alb.url}/missing`)).status).toBe(404);
    expect((await get(`${alb.url}/nobody/home`)).status).toBe(503);

    clock.advance(60_000); // the minute's figures go to CloudWatch
    await sw.slipway.settled();
    const lb = { LoadBalancer: lbDim() };
    const both = { TargetGroup: tgDim(), LoadBalancer: lbDim() };
    expect((await sum('RequestCount', lb))?.Sum).toBe(13);
    expect((await sum('RequestCount', both))?.Sum).toBe(12);
    expect((await sum('HTTPCode_Target_5XX_Count', lb))?.Sum).toBe(8);
    expect((await sum('HTTPCode_Target_5XX_Count', both))?.Sum).toBe(8);
    expect((await sum('HTTPCode_Target_2XX_Count', lb))?.Sum).toBe(3);
    expect((await sum('HTTPCode_Target_4XX_Count', lb))?.Sum).toBe(1);
    expect((await sum('HTTPCode_ELB_5XX_Count', lb))?.Sum).toBe(1);
    expect((await sum('HTTPCode_ELB_503_Count', lb))?.Sum).toBe(1);
    expect((await sum('TargetResponseTime', lb))?.SampleCount).toBe(12);
    expect((await sum('HealthyHostCount', both))?.Maximum).toBe(1);
    expect((await sum('UnHealthyHostCount', both))?.Maximum).toBe(0);

    clock.advance(60_000); // the alarm's next evaluation sees the minute with 8 errors
    await sw.slipway.settled();
    const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['high-error-rate'] }))).MetricAlarms![0];
    expect(alarm.StateValue).toBe('ALARM');
    expect(alarm.StateReason).toContain('[8.0');
  });
});
