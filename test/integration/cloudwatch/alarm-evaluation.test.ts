import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutCompositeAlarmCommand, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { SERVICES } from '../../../src/services/registry.js';
import type { ServiceDefinition } from '../../../src/services/service.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

/** Stand-ins for SNS and EventBridge that record what CloudWatch sends them. */
const published: { TopicArn: string; Subject?: string; Message: string }[] = [];
const events: { Source: string; DetailType: string; Detail: string; Resources: string[] }[] = [];
const fakeSns: ServiceDefinition = {
  name: 'sns',
  create: () => ({ provider: { Publish: async (input: { TopicArn: string; Subject?: string; Message: string }) => (published.push(input), { MessageId: `m-${published.length}` }) } }),
};
const fakeEvents: ServiceDefinition = {
  name: 'events',
  create: () => ({ provider: { PutEvents: async (input: { Entries: (typeof events)[number][] }) => (events.push(...input.Entries), { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] }) } }),
};

const topic = 'arn:aws:sns:us-east-1:000000000000:alert-topic';

describe('alarms evaluate on their periods (ManualClock)', () => {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  let sw: TestSlipway;
  let cw: CloudWatchClient;
  const put = (value: number) => cw.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'Errors', Value: value, Timestamp: new Date(clock.now()) }] }));
  const state = async (name: string) => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })));
  const minute = async () => {
    clock.advance(60_000);
    await sw.slipway.settled();
  };

  beforeAll(async () => {
    sw = await startSlipway({ clock, services: [...SERVICES, fakeSns, fakeEvents] });
    cw = new CloudWatchClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('goes OK -> ALARM -> OK, notifying SNS and EventBridge on each change', async () => {
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'errors', MetricName: 'Errors', Namespace: 'Shop', Statistic: 'Sum', Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: 2,
      Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', AlarmActions: [topic], OKActions: [topic],
    }));
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'page', AlarmRule: 'ALARM(errors)' }));
    await sw.slipway.settled();
    expect((await state('errors')).MetricAlarms![0].StateValue).toBe('OK');

    await put(3);
    await minute();
    expect((await state('errors')).MetricAlarms![0].StateValue).toBe('OK');
    await put(7);
    await minute();
    expect((await state('errors')).MetricAlarms![0].StateValue).toBe('OK'); // 1 of 2 breaching
    await put(9);
    await minute();
    const alarmed = (await state('errors')).MetricAlarms![0];
    expect(alarmed.StateValue).toBe('ALARM');
    expect(alarmed.StateReason).toBe('Threshold Crossed: 2 out of the last 2 datapoints [9.0 (01/01/24 00:02:00), 7.0 (01/01/24 00:01:00)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).');
    expect(JSON.parse(alarmed.StateReasonData!)).toMatchObject({ version: '1.0', statistic: 'Sum', period: 60, recentDatapoints: [7, 9], threshold: 5 });
    expect((await state('page')).CompositeAlarms![0].StateValue).toBe('ALARM');

    await put(1);
    await minute();
    expect((await state('errors')).MetricAlarms![0].StateValue).toBe('OK');
    expect((await state('page')).CompositeAlarms![0].StateValue).toBe('OK');

    const messages = published.map((p) => JSON.parse(p.Message) as Record<string, unknown>);
    expect(messages.map((m) => [m.OldStateValue, m.NewStateValue])).toEqual([['INSUFFICIENT_DATA', 'OK'], ['OK', 'ALARM'], ['ALARM', 'OK']]);
    expect(published[1].Subject).toBe('ALARM: "errors" in US East (N. Virginia)');
    expect(messages[1]).toMatchObject({ AlarmName: 'errors', AWSAccountId: '000000000000', Region: 'US East (N. Virginia)', AlarmActions: [topic],
      Trigger: { MetricName: 'Errors', Namespace: 'Shop', StatisticType: 'Statistic', Statistic: 'SUM', Period: 60, EvaluationPeriods: 2, ComparisonOperator: 'GreaterThanThreshold', Threshold: 5, TreatMissingData: 'notBreaching' } });
    const changes = events.filter((e) => e.Resources[0].endsWith(':alarm:errors')).map((e) => JSON.parse(e.Detail) as { state: { value: string }; previousState: { value: string } });
    expect(events.every((e) => e.Source === 'aws.cloudwatch' && e.DetailType === 'CloudWatch Alarm State Change')).toBe(true);
    expect(changes.map((c) => [c.previousState.value, c.state.value])).toEqual([['INSUFFICIENT_DATA', 'OK'], ['OK', 'ALARM'], ['ALARM', 'OK']]);
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'errors', HistoryItemType: 'Action', ScanBy: 'TimestampAscending' }));
    expect(history.AlarmHistoryItems!.map((h) => h.HistorySummary)).toEqual(Array(3).fill(`Successfully executed action ${topic}`));
  });

  it('treats missing data as told and records a failed action when the scaling policy does not exist', async () => {
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'silent', MetricName: 'Heartbeat', Namespace: 'Shop', Statistic: 'SampleCount', Period: 60, EvaluationPeriods: 1,
      Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
      AlarmActions: ['arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:1:autoScalingGroupName/web:policyName/up'],
    }));
    await sw.slipway.settled();
    const a = (await state('silent')).MetricAlarms![0];
    expect(a.StateValue).toBe('ALARM');
    expect(a.StateReason).toBe('Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].');
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'silent', HistoryItemType: 'Action' }));
    expect(history.AlarmHistoryItems![0].HistorySummary).toMatch(/^Failed to execute action arn:aws:autoscaling:.*ValidationError: No policy found/);
  });
});
