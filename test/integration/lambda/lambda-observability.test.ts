import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { ROLE, makeZip } from './zip.js';

const START = Date.UTC(2024, 0, 1);
const flaky = makeZip({ 'index.js': 'exports.handler = async (event) => { console.log("handling", event.n); if (event.fail) throw new Error("failed " + event.n); return event.n; };\n' });

describe('logs, metrics and alarms from real invocations (ManualClock)', () => {
  const clock = new ManualClock(START);
  let s: TestSlipway;
  let lambda: LambdaClient;
  let cw: CloudWatchClient;
  let logs: CloudWatchLogsClient;

  beforeAll(async () => {
    s = await startSlipway({ clock });
    lambda = new LambdaClient(sdkConfig(s.url));
    cw = new CloudWatchClient(sdkConfig(s.url));
    logs = new CloudWatchLogsClient(sdkConfig(s.url));
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'flaky', Runtime: 'nodejs18.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: flaky }, Publish: true }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'flaky', Name: 'live', FunctionVersion: '1' }));
  });
  afterAll(async () => {
    for (const c of [lambda, cw, logs]) c.destroy();
    await s.close();
  });

  it('writes each invocation to /aws/lambda/<name> with START, END and REPORT lines', async () => {
    await lambda.send(new InvokeCommand({ FunctionName: 'flaky', Qualifier: 'live', Payload: Buffer.from('{"n":1}') }));
    await s.slipway.settled(); // the log is written by a durable job right after the answer
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/flaky' }));
    expect(streams.logStreams?.[0]?.logStreamName).toMatch(/^2024\/01\/01\/\[1\][0-9a-f]{32}$/);
    const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/flaky' }))).events!.map((e) => e.message!);
    expect(events[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: 1$/);
    expect(events[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\thandling 1$/);
    expect(events[2]).toMatch(/^END RequestId: /);
    expect(events[3]).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB/);
  });

  it('times a hung function out in real time, whatever the Slipway clock says', async () => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'hung', Runtime: 'python3.12', Role: ROLE, Handler: 'app.handler', Timeout: 1, Code: { ZipFile: makeZip({ 'app.py': 'import time\n\ndef handler(event, context):\n    time.sleep(60)\n' }) } }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'hung' }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });
  });

  it('publishes AWS/Lambda metrics per function, alias and executed version, and an Errors alarm on the alias fires', async () => {
    const dims = [{ Name: 'FunctionName', Value: 'flaky' }, { Name: 'Resource', Value: 'flaky:live' }];
    await cw.send(new PutMetricAlarmCommand({ AlarmName: 'live-errors', Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: dims, Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' }));
    for (let n = 0; n < 3; n++) await lambda.send(new InvokeCommand({ FunctionName: 'flaky:live', Payload: Buffer.from(JSON.stringify({ n, fail: true })) }));
    await lambda.send(new InvokeCommand({ FunctionName: 'flaky', Payload: Buffer.from('{"n":9}') }));
    clock.advance(60_000);
    await s.slipway.settled();
    const stat = async (MetricName: string, Dimensions: { Name: string; Value: string }[], Statistics: ('Sum' | 'Average')[] = ['Sum']) =>
      (await cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/Lambda', MetricName, Dimensions, StartTime: new Date(START), EndTime: new Date(START + 120_000), Period: 60, Statistics }))).Datapoints ?? [];
    expect((await stat('Errors', dims))[0]?.Sum).toBe(3);
    expect((await stat('Invocations', dims))[0]?.Sum).toBe(4); // the first test's invocation too
    expect((await stat('Invocations', [{ Name: 'FunctionName', Value: 'flaky' }]))[0]?.Sum).toBe(5);
    expect((await stat('Errors', [...dims, { Name: 'ExecutedVersion', Value: '1' }]))[0]?.Sum).toBe(3);
    expect((await stat('Duration', dims, ['Average']))[0]?.Average).toBeGreaterThan(0);
    clock.advance(60_000);
    await s.slipway.settled();
    const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['live-errors'] }))).MetricAlarms![0]!;
    expect(alarm.StateValue).toBe('ALARM');
  });
});

describe('Event invocations are durable jobs', () => {
  it('sends an asynchronous invocation that failed all three attempts to the dead-letter queue', async () => {
    const clock = new ManualClock(START);
    const s = await startSlipway({ clock });
    const lambda = new LambdaClient(sdkConfig(s.url));
    const sqs = new SQSClient(sdkConfig(s.url));
    try {
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'failed-events' }))).QueueUrl!;
      await lambda.send(new CreateFunctionCommand({
        FunctionName: 'always-fails', Runtime: 'nodejs18.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: makeZip({ 'index.js': 'exports.handler = async (e) => { throw new Error("cannot handle " + e.id); };\n' }) },
        DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:000000000000:failed-events' },
      }));
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'always-fails', InvocationType: 'Event', Payload: Buffer.from('{"id":"e-7"}') }));
      await s.slipway.settled();
      const receive = () => sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }));
      expect((await receive()).Messages ?? []).toEqual([]); // two retries, a minute and two minutes later, come first
      clock.advance(60_000);
      await s.slipway.settled();
      clock.advance(120_000);
      await s.slipway.settled();
      const [message] = (await receive()).Messages!;
      expect(JSON.parse(message.Body!)).toEqual({ id: 'e-7' });
      expect(message.MessageAttributes).toMatchObject({
        RequestID: { StringValue: out.$metadata.requestId }, ErrorCode: { DataType: 'Number', StringValue: '200' }, ErrorMessage: { StringValue: 'cannot handle e-7' },
      });
    } finally {
      lambda.destroy();
      sqs.destroy();
      await s.close();
    }
  });

  it('retries a failed asynchronous invocation after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-lambda-'));
    // The first attempt leaves a mark in Slipway's S3 and fails; the retry finds it and succeeds.
    const code = makeZip({
      'index.js': `const { S3Client, HeadObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({ forcePathStyle: true });
exports.handler = async (e) => {
  const seen = await s3.send(new HeadObjectCommand({ Bucket: 'marks', Key: e.id })).then(() => true, () => false);
  if (!seen) { await s3.send(new PutObjectCommand({ Bucket: 'marks', Key: e.id, Body: 'x' })); throw new Error('first attempt fails'); }
  console.log('retried', e.id);
};`,
    });
    try {
      const first = await startSlipway({ clock: new ManualClock(START), dataDir });
      const lambda = new LambdaClient(sdkConfig(first.url));
      const s3 = new S3Client(sdkConfig(first.url));
      await s3.send(new CreateBucketCommand({ Bucket: 'marks' }));
      s3.destroy();
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'later', Runtime: 'nodejs18.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: code } }));
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'later', InvocationType: 'Event', Payload: Buffer.from('{"id":"e-1"}') }));
      expect(out.StatusCode).toBe(202);
      await first.slipway.settled();
      lambda.destroy();
      await first.close();

      const clock = new ManualClock(START);
      const second = await startSlipway({ clock, dataDir });
      clock.advance(61_000); // AWS retries an asynchronous invocation after a minute
      await second.slipway.settled();
      const logs = new CloudWatchLogsClient(sdkConfig(second.url));
      const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/later', filterPattern: 'retried' }))).events ?? [];
      expect(events.map((e) => e.message)).toEqual([expect.stringMatching(/INFO\tretried e-1$/)]);
      logs.destroy();
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
