import { CloudWatchClient, DescribeAlarmHistoryCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CodePipelineClient, CreatePipelineCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { putZip } from '../codepipeline/support.js';
import { makeZip, ROLE } from '../lambda/zip.js';

/** Services that invoke Lambda functions (EventBridge targets, SNS subscriptions, alarm actions) run real code. */
let s: TestSlipway;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
let functionArn: string;

/** The events the `record` function was invoked with, read back from its log group. */
async function received(): Promise<Record<string, unknown>[]> {
  const out = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/record', filterPattern: '"RECEIVED"' }));
  return (out.events ?? []).map((e) => JSON.parse(e.message!.slice(e.message!.indexOf('RECEIVED ') + 'RECEIVED '.length)) as Record<string, unknown>);
}

beforeAll(async () => {
  s = await startSlipway();
  lambda = new LambdaClient(sdkConfig(s.url));
  logs = new CloudWatchLogsClient(sdkConfig(s.url));
  const code = makeZip({ 'index.mjs': 'export const handler = async (event) => { console.log("RECEIVED " + JSON.stringify(event)); return "ok"; };\n' });
  const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: 'record', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: code } }));
  functionArn = fn.FunctionArn!;
});
afterAll(async () => {
  lambda?.destroy();
  logs?.destroy();
  await s?.close();
});

describe('Lambda functions as targets of other services', () => {
  it('an EventBridge rule delivers matching events to the function', async () => {
    const events = new EventBridgeClient(sdkConfig(s.url));
    await events.send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['order.service'], 'detail-type': ['Order Placed'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'orders', Targets: [{ Id: 'fn', Arn: functionArn }] }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'order.service', DetailType: 'Order Placed', Detail: JSON.stringify({ orderId: 'o-1', status: 'confirmed' }) }] }));
    events.destroy();
    await s.slipway.settled();
    const got = (await received()).filter((e) => e.source === 'order.service');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ 'detail-type': 'Order Placed', detail: { orderId: 'o-1', status: 'confirmed' } });
  });

  it('an SNS lambda subscription invokes the function with the SNS record', async () => {
    const sns = new SNSClient(sdkConfig(s.url));
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: functionArn }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'disk almost full', Subject: 'ops' }));
    sns.destroy();
    await s.slipway.settled();
    const got = (await received()).filter((e) => Array.isArray(e.Records));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ Records: [{ EventSource: 'aws:sns', Sns: { TopicArn: topic, Message: 'disk almost full', Subject: 'ops' } }] });
  });

  it("a CodePipeline Invoke action runs a function that reports the job's result with the SDK", async () => {
    // The function uses the SDK the runtime provides, reaching Slipway through AWS_ENDPOINT_URL.
    const checker = makeZip({
      'index.js': `const { CodePipelineClient, PutJobSuccessResultCommand, PutJobFailureResultCommand } = require('@aws-sdk/client-codepipeline');
const cp = new CodePipelineClient({});
exports.handler = async (event) => {
  const job = event['CodePipeline.job'];
  const url = job.data.actionConfiguration.configuration.UserParameters;
  console.log('checking', url);
  if (url.startsWith('https://')) await cp.send(new PutJobSuccessResultCommand({ jobId: job.id, outputVariables: { checked: url } }));
  else await cp.send(new PutJobFailureResultCommand({ jobId: job.id, failureDetails: { type: 'JobFailed', message: 'not https: ' + url } }));
};`,
    });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'smoke-test', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: checker } }));
    const s3 = new S3Client(sdkConfig(s.url));
    const cp = new CodePipelineClient(sdkConfig(s.url));
    for (const b of ['artifacts', 'sources']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await putZip(s3, 'sources', 'app.zip', { 'index.html': 'hi' });
    const pipeline = (name: string, url: string) => cp.send(new CreatePipelineCommand({
      pipeline: {
        name, roleArn: 'arn:aws:iam::000000000000:role/r', artifactStore: { type: 'S3', location: 'artifacts' },
        stages: [
          { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip' }, outputArtifacts: [{ name: 'Src' }] }] },
          { name: 'Check', actions: [{ name: 'Smoke', actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' }, configuration: { FunctionName: 'smoke-test', UserParameters: url }, inputArtifacts: [{ name: 'Src' }] }] },
        ],
      },
    }));
    await pipeline('smoke-ok', 'https://staging.example');
    await pipeline('smoke-bad', 'http://staging.example');
    await s.slipway.settled();
    const status = async (name: string) => (await cp.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries![0].status;
    await vi.waitFor(async () => expect([await status('smoke-ok'), await status('smoke-bad')]).toEqual(['Succeeded', 'Failed']), { timeout: 20_000, interval: 100 });
    s3.destroy();
    cp.destroy();
  });

  it('a CloudWatch alarm action invokes the function with the state change', async () => {
    const cw = new CloudWatchClient(sdkConfig(s.url));
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'queue-depth', Namespace: 'App', MetricName: 'Depth', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [functionArn],
    }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'queue-depth', StateValue: 'ALARM', StateReason: 'drill' }));
    await s.slipway.settled();
    const got = (await received()).filter((e) => e.source === 'aws.cloudwatch');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      alarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:queue-depth', accountId: '000000000000', region: 'us-east-1',
      alarmData: { alarmName: 'queue-depth', state: { value: 'ALARM', reason: 'drill' }, previousState: { value: 'INSUFFICIENT_DATA' } },
    });
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'queue-depth', HistoryItemType: 'Action' }));
    expect(history.AlarmHistoryItems!.map((h) => h.HistorySummary)).toEqual([`Successfully executed action ${functionArn}`]);
    cw.destroy();
  });
});
