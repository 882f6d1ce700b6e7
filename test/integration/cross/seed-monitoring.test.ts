import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const ACCOUNT = '000000000000';

/** The seed's CloudWatch commands through the aws CLI, with the alarm's topic delivering to a real queue. */
describe('seed: custom metric and alarm, notifying a topic subscribed by a queue', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let queueUrl: string;

  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
    await ok('sns', 'create-topic', '--name', 'alert-topic');
    // aws CLI v1 points `sqs` at queue.amazonaws.com unless --endpoint-url is given (AWS_ENDPOINT_URL is not enough).
    queueUrl = (await ok('sqs', 'create-queue', '--queue-name', 'oncall', '--endpoint-url', sw.url)).json<{ QueueUrl: string }>().QueueUrl;
    await ok('sns', 'subscribe', '--topic-arn', `arn:aws:sns:us-east-1:${ACCOUNT}:alert-topic`, '--protocol', 'sqs', '--notification-endpoint', `arn:aws:sqs:us-east-1:${ACCOUNT}:oncall`);
  });
  afterAll(() => sw.close());

  it('put-metric-data stores the seed\'s custom metric', async () => {
    await ok('cloudwatch', 'put-metric-data', '--namespace', 'MyApplication', '--metric-name', 'ProcessedRecords', '--value', '123', '--unit', 'Count');
    const now = Date.now();
    const stats = await ok('cloudwatch', 'get-metric-statistics', '--namespace', 'MyApplication', '--metric-name', 'ProcessedRecords',
      '--start-time', new Date(now - 600_000).toISOString(), '--end-time', new Date(now + 60_000).toISOString(), '--period', '60', '--statistics', 'Sum');
    expect(stats.json<{ Datapoints: { Sum: number; Unit: string }[] }>().Datapoints.map((d) => [d.Sum, d.Unit])).toEqual([[123, 'Count']]);
  });

  it('put-metric-alarm as the seed writes it; an ALARM state notifies the topic, and the queue receives AWS\'s alarm JSON', async () => {
    await ok('cloudwatch', 'put-metric-alarm', '--alarm-name', 'high-error-rate', '--alarm-description', 'Alert when error rate exceeds 5%',
      '--metric-name', 'Errors', '--namespace', 'AWS/Lambda', '--statistic', 'Sum', '--period', '300', '--threshold', '50',
      '--comparison-operator', 'GreaterThanThreshold', '--evaluation-periods', '2', '--alarm-actions', `arn:aws:sns:us-east-1:${ACCOUNT}:alert-topic`);
    // AWS/Lambda metrics come from Lambda itself; set-alarm-state drives the alarm the way operators test one.
    await ok('cloudwatch', 'set-alarm-state', '--alarm-name', 'high-error-rate', '--state-value', 'ALARM', '--state-reason', 'testing the pager');
    await sw.slipway.settled();

    const received = (await ok('sqs', 'receive-message', '--queue-url', queueUrl, '--max-number-of-messages', '10', '--endpoint-url', sw.url)).json<{ Messages: { Body: string }[] }>().Messages;
    const alarms = received.map((m) => JSON.parse(m.Body) as { Type: string; Subject: string; Message: string }).filter((n) => n.Subject.startsWith('ALARM'));
    expect(alarms.map((n) => [n.Type, n.Subject])).toEqual([['Notification', 'ALARM: "high-error-rate" in US East (N. Virginia)']]);
    expect(JSON.parse(alarms[0].Message)).toMatchObject({
      AlarmName: 'high-error-rate', AlarmDescription: 'Alert when error rate exceeds 5%', AWSAccountId: ACCOUNT, NewStateValue: 'ALARM', NewStateReason: 'testing the pager',
      OldStateValue: 'INSUFFICIENT_DATA', Region: 'US East (N. Virginia)', AlarmActions: [`arn:aws:sns:us-east-1:${ACCOUNT}:alert-topic`],
      Trigger: { MetricName: 'Errors', Namespace: 'AWS/Lambda', Statistic: 'SUM', Period: 300, EvaluationPeriods: 2, ComparisonOperator: 'GreaterThanThreshold', Threshold: 50 },
    });
    const described = (await ok('cloudwatch', 'describe-alarms', '--alarm-names', 'high-error-rate')).json<{ MetricAlarms: { StateValue: string }[] }>();
    expect(described.MetricAlarms[0].StateValue).toBe('ALARM');
  });
});
