import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand, type Target } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src/core/errors.js';
import { ManualClock } from '../../../src/core/clock.js';
import { publishEvent } from '../../../src/services/common/events.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { fakeLambda, fakeLogs, fakeSns, fakeSqs, messages, servicesWith, type FakeService } from './fakes.js';

const ACCOUNT = '000000000000';
const queue = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

describe('EventBridge delivery to targets', () => {
  let sw: TestSlipway;
  let eb: EventBridgeClient;
  let clock: ManualClock;
  let sqs: FakeService;
  let sns: FakeService;
  let logs: FakeService;
  let lambda: FakeService;
  let n = 0;

  /** A rule matching source `src` with the given targets; returns the source to put events with. */
  async function ruleWith(targets: Target[], bus?: string): Promise<string> {
    const src = `app.test${++n}`;
    await eb.send(new PutRuleCommand({ Name: `r${n}`, EventPattern: JSON.stringify({ source: [src] }), EventBusName: bus }));
    const out = await eb.send(new PutTargetsCommand({ Rule: `r${n}`, EventBusName: bus, Targets: targets }));
    expect(out.FailedEntries).toEqual([]);
    return src;
  }

  async function put(source: string, detail: object = { k: 'v' }, bus?: string): Promise<string> {
    const out = await eb.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: 'Thing Happened', Detail: JSON.stringify(detail), EventBusName: bus }] }));
    expect(out.FailedEntryCount).toBe(0);
    return out.Entries![0].EventId!;
  }

  async function advance(ms: number): Promise<void> {
    await sw.slipway.settled();
    clock.advance(ms);
    await sw.slipway.settled();
  }

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2024, 0, 1, 11, 0, 0));
    [sqs, sns, logs, lambda] = [fakeSqs(), fakeSns(), fakeLogs(), fakeLambda()];
    sw = await startSlipway({ clock, services: servicesWith(sqs, sns, logs, lambda) });
    eb = new EventBridgeClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());
  beforeEach(() => {
    for (const f of [sqs, sns, logs, lambda]) f.recover();
  });

  it('retries a failing target with backoff until it recovers, then delivers once', async () => {
    const src = await ruleWith([{ Id: 't', Arn: queue('flaky') }]);
    sqs.fail(3);
    const id = await put(src);
    await sw.slipway.settled();
    expect(messages(sqs, 'flaky')).toHaveLength(0);
    await advance(1000); // second attempt after 1 s, fails
    await advance(2000); // third after 2 s more, fails
    expect(messages(sqs, 'flaky')).toHaveLength(0);
    await advance(4000); // fourth succeeds
    const got = messages(sqs, 'flaky');
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0].body).id).toBe(id);
  });

  it('dead-letters after MaximumRetryAttempts with the reason in message attributes', async () => {
    const src = await ruleWith([{ Id: 't', Arn: queue('down'), RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: queue('dlq') } }]);
    sqs.fail(3);
    const id = await put(src);
    await advance(1000);
    await advance(2000);
    await advance(60_000);
    const dead = messages(sqs, 'dlq');
    expect(messages(sqs, 'down')).toHaveLength(0);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0].body).id).toBe(id);
    expect(dead[0].attributes).toMatchObject({
      RULE_ARN: { StringValue: `arn:aws:events:us-east-1:${ACCOUNT}:rule/r${n}` },
      TARGET_ARN: { StringValue: queue('down') },
      ERROR_CODE: { StringValue: 'InternalError' },
      EXHAUSTED_RETRY_CONDITION: { StringValue: 'MaximumRetryAttemptsExhausted' },
      RETRY_ATTEMPTS: { StringValue: '2' },
    });
  });

  it('dead-letters once an event is older than MaximumEventAgeInSeconds', async () => {
    const src = await ruleWith([{ Id: 't', Arn: queue('slow'), RetryPolicy: { MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: queue('dlq-age') } }]);
    sqs.fail(Infinity, { when: (input) => String(input.QueueUrl ?? input.QueueName).endsWith('slow') });
    await put(src);
    for (const wait of [1000, 2000, 4000, 8000, 16_000, 32_000]) await advance(wait);
    sqs.recover();
    expect(messages(sqs, 'slow')).toHaveLength(0);
    const dead = messages(sqs, 'dlq-age');
    expect(dead).toHaveLength(1);
    expect(dead[0].attributes?.EXHAUSTED_RETRY_CONDITION.StringValue).toBe('MaximumEventAgeExceeded');
  });

  it('treats a pipeline that does not exist as a failed delivery, dead-lettered at once', async () => {
    const src = await ruleWith([{ Id: 'p', Arn: `arn:aws:codepipeline:us-east-1:${ACCOUNT}:my-pipeline`, DeadLetterConfig: { Arn: queue('dlq-ni') } }]);
    await put(src);
    await sw.slipway.settled();
    const dead = messages(sqs, 'dlq-ni');
    expect(dead).toHaveLength(1);
    expect(dead[0].attributes).toMatchObject({ ERROR_CODE: { StringValue: 'PipelineNotFoundException' }, EXHAUSTED_RETRY_CONDITION: { StringValue: 'NonRetryableError' } });
  });

  it('delivers to SNS, CloudWatch Logs (a stream per event) and Lambda', async () => {
    const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`;
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:update-inventory`;
    const src = await ruleWith([
      { Id: 'sns', Arn: topic },
      { Id: 'log', Arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/events/orders:*` },
      { Id: 'fn', Arn: fn, InputPath: '$.detail' },
    ]);
    const id = await put(src, { orderId: 'o-9' });
    await sw.slipway.settled();
    expect(sns.of('Publish').map((c) => [c.input.TopicArn, JSON.parse(String(c.input.Message)).id])).toEqual([[topic, id]]);
    expect(logs.of('CreateLogStream').map((c) => c.input)).toEqual([{ logGroupName: '/aws/events/orders', logStreamName: id }]);
    const [written] = logs.of('PutLogEvents');
    expect(written.input.logStreamName).toBe(id);
    const logEvents = written.input.logEvents as { timestamp: number; message: string }[];
    expect(JSON.parse(logEvents[0].message).detail).toEqual({ orderId: 'o-9' });
    expect(logEvents[0].timestamp).toBe(Date.parse(JSON.parse(logEvents[0].message).time));
    const [invoked] = lambda.of('Invoke');
    expect(invoked.input).toMatchObject({ FunctionName: fn, InvocationType: 'Event' });
    expect(JSON.parse(Buffer.from(invoked.input.Payload as Uint8Array).toString())).toEqual({ orderId: 'o-9' });
  });

  it('transforms input with InputTransformer, and sends constant Input', async () => {
    const src = await ruleWith([
      {
        Id: 'x',
        Arn: queue('shaped'),
        InputTransformer: {
          InputPathsMap: { order: '$.detail.orderId', status: '$.detail.status' },
          InputTemplate: '{"text": "order <order> is <status>", "order": <order>, "rule": <aws.events.rule-name>}',
        },
      },
      { Id: 'c', Arn: queue('constant'), Input: '{"fixed":true}' },
    ]);
    await put(src, { orderId: 'o-7', status: 'confirmed' });
    await sw.slipway.settled();
    expect(JSON.parse(messages(sqs, 'shaped')[0].body)).toEqual({ text: 'order o-7 is confirmed', order: 'o-7', rule: `r${n}` });
    expect(messages(sqs, 'constant')[0].body).toBe('{"fixed":true}');
  });

  it('passes the FIFO message group to SQS', async () => {
    const src = await ruleWith([{ Id: 'f', Arn: queue('orders.fifo'), SqsParameters: { MessageGroupId: 'orders' } }]);
    await put(src);
    await sw.slipway.settled();
    expect(messages(sqs, 'orders.fifo')[0].groupId).toBe('orders');
    const refused = await eb.send(new PutTargetsCommand({ Rule: `r${n}`, Targets: [{ Id: 'g', Arn: queue('other.fifo') }] }));
    expect(refused.FailedEntries).toEqual([{ TargetId: 'g', ErrorCode: 'ValidationException', ErrorMessage: 'Parameter(s) SqsParameters must be specified for target: g.' }]);
  });

  it('forwards to another event bus, whose rules route it on', async () => {
    await eb.send(new (await import('@aws-sdk/client-eventbridge')).CreateEventBusCommand({ Name: 'analytics' }));
    const downstream = await ruleWith([{ Id: 'q', Arn: queue('analytics-q') }], 'analytics');
    const src = await ruleWith([{ Id: 'bus', Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/analytics` }]);
    await eb.send(new PutRuleCommand({ Name: `r${n}`, EventPattern: JSON.stringify({ source: [src, downstream] }) }));
    await put(src, { hop: 1 });
    await sw.slipway.settled();
    expect(messages(sqs, 'analytics-q')).toHaveLength(0); // forwarded events keep their source, which the downstream rule does not match
    await eb.send(new PutRuleCommand({ Name: `r${n - 1}`, EventBusName: 'analytics', EventPattern: JSON.stringify({ source: [src] }) }));
    await put(src, { hop: 2 });
    await sw.slipway.settled();
    const got = messages(sqs, 'analytics-q').map((m) => JSON.parse(m.body));
    expect(got.map((e) => [e.source, e.detail])).toEqual([[src, { hop: 2 }]]);
  });

  it("accepts aws.* events from Slipway's own services and routes them", async () => {
    await eb.send(new PutRuleCommand({ Name: 'builds', EventPattern: JSON.stringify({ source: ['aws.codebuild'], 'detail-type': ['CodeBuild Build State Change'], detail: { 'build-status': ['FAILED'] } }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'builds', Targets: [{ Id: 'q', Arn: queue('build-failures') }] }));
    const scope = { accountId: ACCOUNT, region: 'us-east-1' };
    const log = sw.slipway.log;
    await publishEvent(sw.slipway.aws, log, scope, { source: 'aws.codebuild', detailType: 'CodeBuild Build State Change', detail: { 'build-status': 'SUCCEEDED' } });
    await publishEvent(sw.slipway.aws, log, scope, { source: 'aws.codebuild', detailType: 'CodeBuild Build State Change', detail: { 'build-status': 'FAILED', 'project-name': 'app' }, resources: ['arn:aws:codebuild:us-east-1:000000000000:build/app:1'] });
    await sw.slipway.settled();
    const got = messages(sqs, 'build-failures').map((m) => JSON.parse(m.body));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ source: 'aws.codebuild', detail: { 'build-status': 'FAILED', 'project-name': 'app' }, resources: ['arn:aws:codebuild:us-east-1:000000000000:build/app:1'] });
  });

  it('does not deliver for a disabled rule', async () => {
    const src = await ruleWith([{ Id: 'q', Arn: queue('quiet') }]);
    const { DisableRuleCommand, EnableRuleCommand } = await import('@aws-sdk/client-eventbridge');
    await eb.send(new DisableRuleCommand({ Name: `r${n}` }));
    await put(src);
    await sw.slipway.settled();
    expect(messages(sqs, 'quiet')).toHaveLength(0);
    await eb.send(new EnableRuleCommand({ Name: `r${n}` }));
    await put(src);
    await sw.slipway.settled();
    expect(messages(sqs, 'quiet')).toHaveLength(1);
  });

  it('a client error from the target is not retried', async () => {
    const src = await ruleWith([{ Id: 'q', Arn: queue('gone'), DeadLetterConfig: { Arn: queue('dlq-gone') } }]);
    sqs.fail(1, { error: () => new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.', { statusCode: 400 }) });
    await put(src);
    await advance(10_000);
    expect(messages(sqs, 'gone')).toHaveLength(0);
    expect(messages(sqs, 'dlq-gone')[0].attributes?.ERROR_CODE.StringValue).toBe('QueueDoesNotExist');
  });
});
