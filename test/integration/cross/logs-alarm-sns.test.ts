import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createQueue, drainJson, type Queue } from './support.js';

const GROUP = '/aws/lambda/my-fn';
const MIN = 60_000;

/** Log lines become a metric, the metric trips an alarm, the alarm notifies a topic, the topic fills a queue. */
describe('CloudWatch Logs metric filter -> CloudWatch metric -> alarm -> SNS -> SQS (ManualClock)', () => {
  const start = Date.UTC(2024, 0, 1);
  const clock = new ManualClock(start);
  let sw: TestSlipway;
  let logs: CloudWatchLogsClient;
  let cw: CloudWatchClient;
  let sqs: SQSClient;
  let alerts: Queue;
  let stateChanges: Queue;
  let topicArn: string;

  const log = (...messages: string[]) =>
    logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 's1', logEvents: messages.map((message, i) => ({ timestamp: clock.now() + i, message })) }));
  const minute = async () => {
    await sw.slipway.settled();
    clock.advance(MIN);
    await sw.slipway.settled();
  };
  const alarmState = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['high-error-rate'] }))).MetricAlarms![0].StateValue;

  beforeAll(async () => {
    sw = await startSlipway({ clock });
    logs = new CloudWatchLogsClient(sdkConfig(sw.url));
    cw = new CloudWatchClient(sdkConfig(sw.url));
    sqs = new SQSClient(sdkConfig(sw.url));
    const sns = new SNSClient(sdkConfig(sw.url));
    const events = new EventBridgeClient(sdkConfig(sw.url));
    alerts = await createQueue(sqs, 'alerts');
    stateChanges = await createQueue(sqs, 'alarm-changes');
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'alert-topic' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: alerts.arn }));
    await events.send(new PutRuleCommand({ Name: 'alarm-changes', EventPattern: JSON.stringify({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'alarm-changes', Targets: [{ Id: 'q', Arn: stateChanges.arn }] }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 's1' }));
    await logs.send(new PutMetricFilterCommand({
      logGroupName: GROUP, filterName: 'errors', filterPattern: 'ERROR',
      metricTransformations: [{ metricName: 'Errors', metricNamespace: 'MyApp', metricValue: '1', defaultValue: 0 }],
    }));
  });
  afterAll(() => sw.close());

  it('counts ERROR lines as a metric that CloudWatch stores', async () => {
    await log('INFO started', 'ERROR db timeout', 'ERROR db timeout again', 'INFO done');
    await sw.slipway.settled();
    const stats = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'MyApp', MetricName: 'Errors', StartTime: new Date(start - MIN), EndTime: new Date(start + MIN), Period: 60, Statistics: ['Sum', 'SampleCount'],
    }));
    // Matching lines count 1 each; the default value is for periods without a match.
    expect(stats.Datapoints?.map((d) => [d.Sum, d.SampleCount])).toEqual([[2, 2]]);
  });

  it('an alarm on the metric goes to ALARM and its SNS action lands in the queue as AWS shapes it', async () => {
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'high-error-rate', AlarmDescription: 'Alert when error rate exceeds 5%', MetricName: 'Errors', Namespace: 'MyApp', Statistic: 'Sum',
      Period: 60, Threshold: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching', AlarmActions: [topicArn],
    }));
    await minute();
    // The errors logged in the first minute crossed the threshold.
    expect(await alarmState()).toBe('ALARM');
    // AWS looks back over twice the evaluation periods when data is missing: the datapoint keeps
    // the alarm in ALARM for one more minute, then the quiet minutes bring it back to OK.
    await minute();
    expect(await alarmState()).toBe('ALARM');
    await minute();
    expect(await alarmState()).toBe('OK');

    const notes = await drainJson<Record<string, string>>(sqs, alerts.url);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ Type: 'Notification', TopicArn: topicArn, Subject: 'ALARM: "high-error-rate" in US East (N. Virginia)' });
    const message = JSON.parse(notes[0].Message) as Record<string, unknown>;
    expect(message).toMatchObject({
      AlarmName: 'high-error-rate', AlarmDescription: 'Alert when error rate exceeds 5%', AWSAccountId: '000000000000', NewStateValue: 'ALARM',
      Region: 'US East (N. Virginia)', AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-error-rate', AlarmActions: [topicArn],
      Trigger: { MetricName: 'Errors', Namespace: 'MyApp', StatisticType: 'Statistic', Statistic: 'SUM', Period: 60, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 2 },
    });
    expect(message.NewStateReason).toMatch(/^Threshold Crossed: 1 datapoint \[2\.0 \(01\/01\/24 00:0\d:00\)\] was greater than or equal to the threshold \(2\.0\)\.$/);

    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'high-error-rate', HistoryItemType: 'Action' }));
    expect(history.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([`Successfully executed action ${topicArn}`]);

    // Each state change is also an EventBridge event, routed by a rule to a second queue.
    const changes = await drainJson<{ source: string; 'detail-type': string; resources: string[]; detail: { alarmName: string; state: { value: string }; previousState: { value: string } } }>(sqs, stateChanges.url);
    expect(changes.map((e) => [e.source, e['detail-type'], e.detail.alarmName, e.detail.previousState.value, e.detail.state.value])).toEqual([
      ['aws.cloudwatch', 'CloudWatch Alarm State Change', 'high-error-rate', 'INSUFFICIENT_DATA', 'OK'],
      ['aws.cloudwatch', 'CloudWatch Alarm State Change', 'high-error-rate', 'OK', 'ALARM'],
      ['aws.cloudwatch', 'CloudWatch Alarm State Change', 'high-error-rate', 'ALARM', 'OK'],
    ]);
    expect(changes[1].resources).toEqual(['arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-error-rate']);
  });
});
