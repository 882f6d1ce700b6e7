import { AddPermissionCommand, CreateTopicCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnsOperations } from '../../../src/aws/models/generated/sns.js';
import type { SqsOperations } from '../../../src/aws/models/generated/sqs.js';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };

describe('SNS and SQS called by other services through the in-process client', () => {
  let sw: TestSlipway;
  let sqs: SQSClient;
  let sns: SNSClient;

  beforeAll(async () => {
    sw = await startSlipway();
    sqs = new SQSClient(sdkConfig(sw.url));
    sns = new SNSClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('takes SendMessage from a queue ARN\'s name (as an EventBridge target would) and Publish (as an alarm action would)', async () => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'targets' }))).QueueUrl!;
    const inner = sw.slipway.aws.service<SqsOperations>('sqs', scope);
    const { QueueUrl } = await inner.GetQueueUrl({ QueueName: 'targets', QueueOwnerAWSAccountId: '000000000000' });
    const sent = await inner.SendMessage({
      QueueUrl: QueueUrl!, MessageBody: '{"detail-type":"Order Placed"}', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } },
    });
    expect(sent.MD5OfMessageBody).toMatch(/^[0-9a-f]{32}$/);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'alert-topic' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:targets', Attributes: { RawMessageDelivery: 'true' } }));
    await sw.slipway.aws.service<SnsOperations>('sns', scope).Publish({ TopicArn: topicArn, Subject: 'ALARM: "high-error-rate"', Message: '{"AlarmName":"high-error-rate"}' });
    await sw.slipway.settled();
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(got.Messages?.map((m) => m.Body).sort()).toEqual(['{"AlarmName":"high-error-rate"}', '{"detail-type":"Order Placed"}']);
    expect(got.Messages?.find((m) => m.Body?.includes('Order'))?.MessageAttributes?.b.BinaryValue).toEqual(Uint8Array.from(Buffer.from('hi')));
  });

  it('keeps a topic policy edited by AddPermission, and unsubscribes through the UnsubscribeURL', async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'shared' }))).TopicArn!;
    await sns.send(new AddPermissionCommand({ TopicArn: topicArn, Label: 'partner', AWSAccountId: ['111122223333'], ActionName: ['Publish'] }));
    const policy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes!.Policy) as { Statement: { Sid: string }[] };
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['__default_statement_ID', 'partner']);
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'shared-q' }))).QueueUrl!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:shared-q' }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'hello' }));
    await sw.slipway.settled();
    const [m] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages!;
    const { UnsubscribeURL } = JSON.parse(m.Body!) as { UnsubscribeURL: string };
    expect((await fetch(UnsubscribeURL)).status).toBe(200);
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions).toEqual([]);
  });
});

describe('SNS delivery across a restart', () => {
  let server: Server;
  const bodies: string[] = [];
  let status = 500;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('resumes a pending retry after Slipway restarts and delivers it', async () => {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const first = await startSlipway({ clock: new ManualClock(Date.UTC(2024, 0, 1)) });
    const sns = new SNSClient(sdkConfig(first.url));
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'durable' }))).TopicArn!;
    status = 200;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpoint }));
    await first.slipway.settled();
    const token = (JSON.parse(bodies[0]) as { Token: string }).Token;
    await first.slipway.aws.service<SnsOperations>('sns', scope).ConfirmSubscription({ TopicArn: topicArn, Token: token });
    status = 500;
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'survives' }));
    await first.slipway.settled();
    expect(bodies).toHaveLength(2);
    await first.slipway.close();

    // Restarted 20 seconds later (AWS time) with the endpoint back up: the retry is due and runs.
    status = 200;
    const second = await startSlipway({ dataDir: first.dataDir, clock: new ManualClock(Date.UTC(2024, 0, 1) + 20_000) });
    try {
      await second.slipway.settled();
      expect(bodies).toHaveLength(3);
      expect(JSON.parse(bodies[2])).toMatchObject({ Type: 'Notification', Message: 'survives' });
    } finally {
      await second.close();
      await first.close().catch(() => undefined);
    }
  });
});
