import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

describe('CloudWatch through the aws CLI (smithy-rpc-v2-cbor)', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
  });
  afterAll(() => sw.close());

  it("runs the seed's put-metric-data and reads the value back", async () => {
    const put = await cli('cloudwatch', 'put-metric-data', '--namespace', 'MyApplication', '--metric-name', 'ProcessedRecords', '--value', '123', '--unit', 'Count');
    expect(put.code, put.stderr).toBe(0);
    const now = Date.now();
    const stats = await cli('cloudwatch', 'get-metric-statistics', '--namespace', 'MyApplication', '--metric-name', 'ProcessedRecords',
      '--start-time', new Date(now - 600_000).toISOString(), '--end-time', new Date(now + 60_000).toISOString(), '--period', '60', '--statistics', 'Sum', 'SampleCount', 'Maximum');
    expect(stats.code, stats.stderr).toBe(0);
    const out = stats.json<{ Label: string; Datapoints: { Sum: number; SampleCount: number; Maximum: number; Unit: string }[] }>();
    expect(out.Label).toBe('ProcessedRecords');
    expect(out.Datapoints).toEqual([expect.objectContaining({ Sum: 123, SampleCount: 1, Maximum: 123, Unit: 'Count' })]);
    const listed = await cli('cloudwatch', 'list-metrics', '--namespace', 'MyApplication');
    expect(listed.json<{ Metrics: unknown[] }>().Metrics).toEqual([{ Namespace: 'MyApplication', MetricName: 'ProcessedRecords', Dimensions: [] }]);
  });

  it("runs the seed's put-metric-alarm and describes the alarm", async () => {
    const put = await cli('cloudwatch', 'put-metric-alarm', '--alarm-name', 'high-error-rate', '--alarm-description', 'Alert when error rate exceeds 5%',
      '--metric-name', 'Errors', '--namespace', 'AWS/Lambda', '--statistic', 'Sum', '--period', '300', '--threshold', '50',
      '--comparison-operator', 'GreaterThanThreshold', '--evaluation-periods', '2', '--alarm-actions', 'arn:aws:sns:us-east-1:123456789012:alert-topic');
    expect(put.code, put.stderr).toBe(0);
    const described = await cli('cloudwatch', 'describe-alarms', '--alarm-names', 'high-error-rate');
    const alarm = described.json<{ MetricAlarms: Record<string, unknown>[] }>().MetricAlarms[0];
    expect(alarm).toMatchObject({
      AlarmName: 'high-error-rate', AlarmDescription: 'Alert when error rate exceeds 5%', MetricName: 'Errors', Namespace: 'AWS/Lambda', Statistic: 'Sum',
      Period: 300, Threshold: 50, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, ActionsEnabled: true,
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:alert-topic'], AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-error-rate',
    });
    expect(['INSUFFICIENT_DATA']).toContain(alarm.StateValue);
    const set = await cli('cloudwatch', 'set-alarm-state', '--alarm-name', 'high-error-rate', '--state-value', 'ALARM', '--state-reason', 'testing the pager');
    expect(set.code, set.stderr).toBe(0);
    const history = await cli('cloudwatch', 'describe-alarm-history', '--alarm-name', 'high-error-rate', '--history-item-type', 'StateUpdate');
    expect(history.json<{ AlarmHistoryItems: { HistorySummary: string }[] }>().AlarmHistoryItems[0].HistorySummary).toBe('Alarm updated from INSUFFICIENT_DATA to ALARM');
  });

  it('answers AWS errors for bad input', async () => {
    const old = await cli('cloudwatch', 'put-metric-data', '--namespace', 'MyApplication', '--metric-name', 'M', '--value', '1', '--timestamp', new Date(Date.now() - 20 * 86400_000).toISOString());
    expect(old.stderr).toContain('(InvalidParameterValue) when calling the PutMetricData operation: The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.');
    const missing = await cli('cloudwatch', 'set-alarm-state', '--alarm-name', 'nope', '--state-value', 'OK', '--state-reason', 'x');
    expect(missing.stderr).toContain('(ResourceNotFound)');
    const dash = await cli('cloudwatch', 'put-dashboard', '--dashboard-name', 'ops', '--dashboard-body', '{"widgets":[{"type":"metric","properties":{}}]}');
    expect(dash.stderr).toContain('(InvalidParameterInput) when calling the PutDashboard operation: The dashboard body is invalid');
    expect(dash.stderr).toContain("Should have required property 'metrics'");
  });

  it('stores and gets dashboards', async () => {
    const body = JSON.stringify({ widgets: [{ type: 'metric', x: 0, y: 0, width: 12, height: 6, properties: { metrics: [['MyApplication', 'ProcessedRecords']], period: 300, stat: 'Sum', region: 'us-east-1' } }] });
    expect((await cli('cloudwatch', 'put-dashboard', '--dashboard-name', 'ops', '--dashboard-body', body)).code).toBe(0);
    const got = await cli('cloudwatch', 'get-dashboard', '--dashboard-name', 'ops');
    expect(got.json()).toMatchObject({ DashboardName: 'ops', DashboardBody: body, DashboardArn: 'arn:aws:cloudwatch::000000000000:dashboard/ops' });
  });
});
