import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { ROLE, makeZip } from './zip.js';

describe('Lambda as a target of other services', () => {
  let s: TestSlipway;
  beforeAll(async () => {
    s = await startSlipway();
  });
  afterAll(() => s.close());

  it('runs the function for each message SNS delivers to it', async () => {
    const lambda = new LambdaClient(sdkConfig(s.url));
    const sns = new SNSClient(sdkConfig(s.url));
    const logs = new CloudWatchLogsClient(sdkConfig(s.url));
    const code = 'exports.handler = async (event) => { for (const r of event.Records) console.log("got", r.EventSource, r.Sns.Message); };\n';
    const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: 'on-alert', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: makeZip({ 'index.js': code }) } }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fn.FunctionArn }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'disk almost full' }));
    await s.slipway.settled();
    const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/on-alert', filterPattern: '"got"' }))).events ?? [];
    expect(events.map((e) => e.message)).toEqual([expect.stringMatching(/INFO\tgot aws:sns disk almost full$/)]);
    for (const c of [lambda, sns, logs]) c.destroy();
  });
});
