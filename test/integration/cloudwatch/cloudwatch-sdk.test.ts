import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand, DescribeAlarmsForMetricCommand, GetMetricDataCommand, GetMetricStatisticsCommand, InvalidParameterValueException,
  ListMetricsCommand, ListTagsForResourceCommand, PutCompositeAlarmCommand, PutMetricAlarmCommand, PutMetricDataCommand, TagResourceCommand, DashboardInvalidInputError,
  PutDashboardCommand, ResourceNotFound, DisableAlarmActionsCommand, GetDashboardCommand, ListDashboardsCommand, DeleteDashboardsCommand,
} from '@aws-sdk/client-cloudwatch';
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const protocols = [
  ['JSON 1.0 (SDK default)', undefined],
  ['query', AwsQueryProtocol],
  ['smithy-rpc-v2-cbor', AwsSmithyRpcV2CborProtocol],
] as const;

describe.each(protocols)('CloudWatch through the SDK v3 client, %s', (label, protocol) => {
  let sw: TestSlipway;
  let cw: CloudWatchClient;
  const ns = `App/${label.split(' ')[0]}`;
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;

  beforeAll(async () => {
    sw = await startSlipway();
    cw = new CloudWatchClient({ ...sdkConfig(sw.url), ...(protocol ? { protocol } : {}) });
  });
  afterAll(() => sw.close());

  it('stores values, Values/Counts and statistic sets and computes statistics and percentiles', async () => {
    const dims = [{ Name: 'Service', Value: 'api' }];
    await cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [
      { MetricName: 'Latency', Dimensions: dims, Timestamp: new Date(t0), Values: Array.from({ length: 100 }, (_, i) => i + 1), Unit: 'Milliseconds' },
      { MetricName: 'Latency', Dimensions: dims, Timestamp: new Date(t0 + 60_000), StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 5, Maximum: 15 }, Unit: 'Milliseconds' },
      { MetricName: 'Latency', Dimensions: dims, Timestamp: new Date(t0 + 61_000), Value: 7, Unit: 'Milliseconds', StorageResolution: 1 },
    ] }));
    const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: ns, MetricName: 'Latency', Dimensions: dims, StartTime: new Date(t0), EndTime: new Date(t0 + 120_000), Period: 60, Statistics: ['Average', 'SampleCount', 'Minimum', 'Maximum'], Unit: 'Milliseconds' }));
    const points = out.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    expect(points.map((p) => [p.Timestamp!.getTime(), p.SampleCount, p.Average, p.Minimum, p.Maximum, p.Unit])).toEqual([
      [t0, 100, 50.5, 1, 100, 'Milliseconds'],
      [t0 + 60_000, 5, 47 / 5, 5, 15, 'Milliseconds'],
    ]);
    const pct = await cw.send(new GetMetricStatisticsCommand({ Namespace: ns, MetricName: 'Latency', Dimensions: dims, StartTime: new Date(t0), EndTime: new Date(t0 + 60_000), Period: 60, ExtendedStatistics: ['p99', 'p95.5', 'tm90'] }));
    expect(pct.Datapoints![0].ExtendedStatistics).toEqual({ p99: 99, 'p95.5': 96, tm90: 45.5 });
    const wrongUnit = await cw.send(new GetMetricStatisticsCommand({ Namespace: ns, MetricName: 'Latency', Dimensions: dims, StartTime: new Date(t0), EndTime: new Date(t0 + 120_000), Period: 60, Statistics: ['Sum'], Unit: 'Seconds' }));
    expect(wrongUnit.Datapoints).toEqual([]);
    await expect(cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: 'x', Value: 1, StorageResolution: 7 }] }))).rejects.toBeInstanceOf(InvalidParameterValueException);
  });

  it('answers GetMetricData with metric math, labels, ordering and pagination', async () => {
    const data = Array.from({ length: 6 }, (_, i) => [
      { MetricName: 'Requests', Timestamp: new Date(t0 + i * 60_000), Value: 100 },
      { MetricName: 'Errors', Timestamp: new Date(t0 + i * 60_000), Value: i },
    ]).flat();
    await cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: data }));
    const stat = (name: string) => ({ Metric: { Namespace: ns, MetricName: name }, Period: 60, Stat: 'Sum' });
    const queries = [
      { Id: 'errors', MetricStat: stat('Errors'), ReturnData: false },
      { Id: 'requests', MetricStat: stat('Requests'), ReturnData: false },
      { Id: 'rate', Expression: '100 * errors / requests', Label: 'Error rate (max ${MAX})' },
      { Id: 'total', Expression: 'SUM(METRICS())' },
    ];
    const out = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 6 * 60_000), MetricDataQueries: queries, ScanBy: 'TimestampAscending' }));
    expect(out.MetricDataResults!.map((r) => [r.Id, r.Label, r.Values, r.StatusCode])).toEqual([
      ['rate', 'Error rate (max 5)', [0, 1, 2, 3, 4, 5], 'Complete'],
      ['total', 'total', [100, 101, 102, 103, 104, 105], 'Complete'],
    ]);
    expect(out.MetricDataResults![0].Timestamps!.map((t) => t.getTime())).toEqual(Array.from({ length: 6 }, (_, i) => t0 + i * 60_000));
    const first = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 6 * 60_000), MetricDataQueries: queries.slice(0, 3), MaxDatapoints: 4 }));
    expect(first.MetricDataResults![0]).toMatchObject({ Id: 'rate', Values: [5, 4, 3, 2], StatusCode: 'PartialData' });
    const second = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 6 * 60_000), MetricDataQueries: queries.slice(0, 3), MaxDatapoints: 4, NextToken: first.NextToken }));
    expect(second.MetricDataResults![0]).toMatchObject({ Id: 'rate', Values: [1, 0], StatusCode: 'Complete' });
    expect(second.NextToken).toBeUndefined();
    await expect(cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 60_000), MetricDataQueries: [{ Id: 'e1', Expression: 'NOPE(x)' }] }))).rejects.toThrow(/Error in expression 'e1'/);
  });

  it('lists metrics with dimension filters', async () => {
    await cw.send(new PutMetricDataCommand({ Namespace: `${ns}/List`, MetricData: [
      { MetricName: 'CPU', Dimensions: [{ Name: 'Host', Value: 'a' }], Value: 1 },
      { MetricName: 'CPU', Dimensions: [{ Name: 'Host', Value: 'b' }, { Name: 'Env', Value: 'prod' }], Value: 1 },
    ] }));
    const all = await cw.send(new ListMetricsCommand({ Namespace: `${ns}/List` }));
    expect(all.Metrics).toHaveLength(2);
    const prod = await cw.send(new ListMetricsCommand({ Namespace: `${ns}/List`, Dimensions: [{ Name: 'Env', Value: 'prod' }] }));
    expect(prod.Metrics!.map((m) => m.Dimensions)).toEqual([[{ Name: 'Env', Value: 'prod' }, { Name: 'Host', Value: 'b' }]]);
  });

  it('keeps metric, metric-math and composite alarms, tags and actions', async () => {
    await cw.send(new PutMetricAlarmCommand({ AlarmName: 'errors', MetricName: 'Errors', Namespace: ns, Statistic: 'Sum', Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 10, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', Tags: [{ Key: 'team', Value: 'ops' }] }));
    await cw.send(new PutMetricAlarmCommand({ AlarmName: 'error-rate', EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', Metrics: [
      { Id: 'e', MetricStat: { Metric: { Namespace: ns, MetricName: 'Errors' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'r', MetricStat: { Metric: { Namespace: ns, MetricName: 'Requests' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'rate', Expression: '100 * e / r' },
    ] }));
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'page-me', AlarmRule: 'ALARM(errors) OR ALARM("error-rate")' }));
    await expect(cw.send(new PutCompositeAlarmCommand({ AlarmName: 'broken', AlarmRule: 'ALARM(errors) AND' }))).rejects.toThrow(/Error in alarm rule/);
    const described = await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    expect(described.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['error-rate', 'errors']);
    expect(described.CompositeAlarms!.map((a) => [a.AlarmName, a.AlarmRule])).toEqual([['page-me', 'ALARM(errors) OR ALARM("error-rate")']]);
    expect(described.MetricAlarms![0].Metrics!.map((m) => m.Id)).toEqual(['e', 'r', 'rate']);
    const paged = await cw.send(new DescribeAlarmsCommand({ MaxRecords: 1 }));
    expect(paged.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['error-rate']);
    const rest = await cw.send(new DescribeAlarmsCommand({ MaxRecords: 1, NextToken: paged.NextToken }));
    expect(rest.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['errors']);
    const children = await cw.send(new DescribeAlarmsCommand({ ChildrenOfAlarmName: 'page-me' }));
    expect(children.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['error-rate', 'errors']);
    const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: ns, MetricName: 'Errors' }));
    expect(forMetric.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['error-rate', 'errors']);
    const arn = described.MetricAlarms![1].AlarmArn!;
    await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    expect((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'team', Value: 'ops' }, { Key: 'env', Value: 'dev' }]);
    await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ['errors'] }));
    expect((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['errors'] }))).MetricAlarms![0].ActionsEnabled).toBe(false);
    await expect(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['errors', 'ghost'] }))).rejects.toBeInstanceOf(ResourceNotFound);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['page-me'] }));
    expect((await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }))).CompositeAlarms).toEqual([]);
  });

  it('stores, lists and deletes dashboards', async () => {
    const body = JSON.stringify({ widgets: [{ type: 'text', x: 0, y: 0, width: 6, height: 2, properties: { markdown: '# Shop' } }] });
    for (const name of ['shop-api', 'shop-web', 'ops']) await cw.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: body }));
    const listed = await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: 'shop-' }));
    expect(listed.DashboardEntries!.map((d) => [d.DashboardName, d.Size, d.DashboardArn])).toEqual([
      ['shop-api', body.length, 'arn:aws:cloudwatch::000000000000:dashboard/shop-api'], ['shop-web', body.length, 'arn:aws:cloudwatch::000000000000:dashboard/shop-web'],
    ]);
    expect((await cw.send(new GetDashboardCommand({ DashboardName: 'ops' }))).DashboardBody).toBe(body);
    // The wire code is ResourceNotFound, which the SDK maps to its ResourceNotFound class here.
    await expect(cw.send(new DeleteDashboardsCommand({ DashboardNames: ['ops', 'ghost'] }))).rejects.toThrow(/does not exist. \[ghost\]/);
    expect((await cw.send(new GetDashboardCommand({ DashboardName: 'ops' }))).DashboardName).toBe('ops');
    await cw.send(new DeleteDashboardsCommand({ DashboardNames: ['ops', 'shop-api'] }));
    expect((await cw.send(new ListDashboardsCommand({}))).DashboardEntries!.map((d) => d.DashboardName)).toEqual(['shop-web']);
  });

  it('refuses an invalid dashboard with validation messages', async () => {
    const err = await cw.send(new PutDashboardCommand({ DashboardName: 'bad', DashboardBody: '{"widgets":[{"type":"text","width":40}]}' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DashboardInvalidInputError);
    expect((err as DashboardInvalidInputError).dashboardValidationMessages).toEqual([
      { DataPath: '/widgets/0/width', Message: 'Should be <= 24' },
      { DataPath: '/widgets/0', Message: "Should have required property 'properties'" },
    ]);
  });
});
