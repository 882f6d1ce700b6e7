import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createQueue, drain, drainJson, type Queue } from './support.js';

const ACCOUNT = '000000000000';
const PATTERN = '{"source":["order.service"],"detail-type":["Order Placed"],"detail":{"status":["confirmed"]}}';

/** The seed's event-driven architecture: one rule fanning out to a queue, a topic and a log group, all real. */
describe('EventBridge rules deliver to real SQS queues, SNS topics and log groups', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let sqs: SQSClient;
  let sns: SNSClient;
  let logs: CloudWatchLogsClient;
  let events: EventBridgeClient;
  let orders: Queue;
  let enveloped: Queue;
  let raw: Queue;
  let topicArn: string;

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
    sqs = new SQSClient(sdkConfig(sw.url));
    sns = new SNSClient(sdkConfig(sw.url));
    logs = new CloudWatchLogsClient(sdkConfig(sw.url));
    events = new EventBridgeClient(sdkConfig(sw.url));
    orders = await createQueue(sqs, 'orders');
    enveloped = await createQueue(sqs, 'admin-enveloped');
    raw = await createQueue(sqs, 'admin-raw');
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'notify-admin' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: enveloped.arn }));
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: raw.arn, Attributes: { RawMessageDelivery: 'true' } }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/events/orders' }));
  });
  afterAll(() => sw.close());

  it('the seed commands route a confirmed order to the queue, the topic (raw and enveloped) and the log group', async () => {
    const rule = await cli('events', 'put-rule', '--name', 'order-processing', '--event-pattern', PATTERN, '--state', 'ENABLED');
    expect(rule.code, rule.stderr).toBe(0);
    const targets = await cli('events', 'put-targets', '--rule', 'order-processing', '--targets',
      `Id=q,Arn=${orders.arn}`, `Id=t,Arn=${topicArn}`, `Id=l,Arn=arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/events/orders:*`);
    expect(targets.json()).toEqual({ FailedEntryCount: 0, FailedEntries: [] });

    const entries = join(sw.dataDir, 'entries.json');
    writeFileSync(entries, JSON.stringify([
      { Source: 'order.service', DetailType: 'Order Placed', Detail: JSON.stringify({ status: 'confirmed', orderId: 'o-1', total: 42.5 }), Resources: ['arn:aws:shop:order/o-1'] },
      { Source: 'order.service', DetailType: 'Order Placed', Detail: JSON.stringify({ status: 'pending', orderId: 'o-2' }) },
    ]));
    const put = await cli('events', 'put-events', '--entries', `file://${entries}`);
    expect(put.code, put.stderr).toBe(0);
    const eventId = put.json<{ Entries: { EventId: string }[] }>().Entries[0].EventId;
    await sw.slipway.settled();

    const expected = {
      version: '0', id: eventId, 'detail-type': 'Order Placed', source: 'order.service', account: ACCOUNT, region: 'us-east-1',
      resources: ['arn:aws:shop:order/o-1'], detail: { status: 'confirmed', orderId: 'o-1', total: 42.5 },
    };
    const queued = await drainJson(sqs, orders.url);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toEqual({ ...expected, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    const time = queued[0].time;

    // SNS wraps the event in its notification envelope; raw delivery passes the event through.
    const notes = await drainJson<Record<string, string>>(sqs, enveloped.url);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ Type: 'Notification', TopicArn: topicArn, SignatureVersion: '1' });
    expect(JSON.parse(notes[0].Message)).toEqual(queued[0]);
    const raws = await drain(sqs, raw.url);
    expect(raws.map((m) => JSON.parse(m.Body!))).toEqual([queued[0]]);

    // The log group gets one stream per event, named after the event id, holding the event.
    const logged = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/events/orders' }));
    expect(logged.events?.map((e) => [e.logStreamName, JSON.parse(e.message!), e.timestamp])).toEqual([[eventId, queued[0], Date.parse(time as string)]]);

    // Logs Insights discovers the event's JSON fields in what EventBridge wrote.
    const t = Date.parse(time as string) / 1000;
    const { queryId } = await logs.send(new StartQueryCommand({
      logGroupName: '/aws/events/orders', startTime: t - 60, endTime: t + 60,
      queryString: 'filter detail.status = "confirmed" | stats count() as n, sum(detail.total) as total by source',
    }));
    const results = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(results.status).toBe('Complete');
    expect(results.results?.map((row) => Object.fromEntries(row.map((f) => [f.field, f.value])))).toEqual([{ source: 'order.service', n: '1', total: '42.5' }]);
  });

  it('input transformers shape what each real target receives', async () => {
    await events.send(new PutRuleCommand({ Name: 'shaped', EventPattern: JSON.stringify({ source: ['deploy.service'] }) }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/deploys' }));
    const shapedQueue = await createQueue(sqs, 'shaped');
    const transformer = { InputPathsMap: { app: '$.detail.app', ver: '$.detail.version', src: '$.source' }, InputTemplate: '{"summary": "<app> at <ver>", "from": <src>, "rule": <aws.events.rule-name>}' };
    const out = await events.send(new PutTargetsCommand({
      Rule: 'shaped',
      Targets: [
        { Id: 'q', Arn: shapedQueue.arn, InputTransformer: transformer },
        { Id: 't', Arn: topicArn, InputTransformer: { InputPathsMap: { app: '$.detail.app' }, InputTemplate: '"<app> was deployed"' } },
        { Id: 'l', Arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/deploys`, InputPath: '$.detail' },
      ],
    }));
    expect(out.FailedEntryCount).toBe(0);
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: 'deploy.service', DetailType: 'Deployed', Detail: JSON.stringify({ app: 'web', version: '1.2.3' }) }] }));
    expect(put.FailedEntryCount).toBe(0);
    await sw.slipway.settled();

    expect(await drainJson(sqs, shapedQueue.url)).toEqual([{ summary: 'web at 1.2.3', from: 'deploy.service', rule: 'shaped' }]);
    const note = (await drainJson<Record<string, string>>(sqs, enveloped.url))[0];
    expect(note.Message).toBe('"web was deployed"');
    expect((await drain(sqs, raw.url)).map((m) => m.Body)).toEqual(['"web was deployed"']);
    const logged = await logs.send(new FilterLogEventsCommand({ logGroupName: '/deploys' }));
    expect(logged.events?.map((e) => JSON.parse(e.message!))).toEqual([{ app: 'web', version: '1.2.3' }]);
  });

  it('a FIFO queue with content-based deduplication receives events in the target\'s message group', async () => {
    const fifo = await createQueue(sqs, 'orders.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    await events.send(new PutRuleCommand({ Name: 'ordered', EventPattern: JSON.stringify({ source: ['ledger'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'ordered', Targets: [{ Id: 'f', Arn: fifo.arn, SqsParameters: { MessageGroupId: 'ledger-1' } }] }));
    for (const n of [1, 2, 3]) await events.send(new PutEventsCommand({ Entries: [{ Source: 'ledger', DetailType: 'Entry', Detail: JSON.stringify({ n }) }] }));
    await sw.slipway.settled();
    const got = await drain(sqs, fifo.url);
    expect(got.map((m) => [(JSON.parse(m.Body!) as { detail: { n: number } }).detail.n, m.Attributes?.MessageGroupId])).toEqual([[1, 'ledger-1'], [2, 'ledger-1'], [3, 'ledger-1']]);
  });
});
