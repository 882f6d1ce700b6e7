import {
  CreateTopicCommand, DeleteTopicCommand, GetSubscriptionAttributesCommand, GetTopicAttributesCommand, InvalidParameterException, ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand, ListTopicsCommand, NotFoundException, PublishBatchCommand, PublishCommand, SetSubscriptionAttributesCommand, SetTopicAttributesCommand,
  SNSClient, SubscribeCommand, TagResourceCommand, UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { SERVICES } from '../../../src/services/registry.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const ACCOUNT = '000000000000';
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

describe('SNS through the SDK v3 client', () => {
  let sw: TestSlipway;
  let sns: SNSClient;
  let sqs: SQSClient;
  const clock = new ManualClock();

  beforeAll(async () => {
    // Without Lambda, a lambda endpoint answers NotImplemented: the server-error retry path.
    sw = await startSlipway({ clock, services: SERVICES.filter((s) => s.name !== 'lambda') });
    sns = new SNSClient(sdkConfig(sw.url));
    sqs = new SQSClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  const topic = async (Name: string, Attributes?: Record<string, string>) => (await sns.send(new CreateTopicCommand({ Name, Attributes }))).TopicArn!;
  const queue = async (QueueName: string, Attributes?: Record<string, string>) => (await sqs.send(new CreateQueueCommand({ QueueName, Attributes }))).QueueUrl!;
  const subscribeQueue = async (TopicArn: string, name: string, Attributes?: Record<string, string>) =>
    (await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn(name), Attributes }))).SubscriptionArn!;
  const drain = async (QueueUrl: string): Promise<Message[]> => {
    await sw.slipway.settled();
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], VisibilityTimeout: 3600 }));
    return out.Messages ?? [];
  };

  it('creates topics idempotently and manages their attributes and tags', async () => {
    const arn = await topic('alerts', { DisplayName: 'Alerts' });
    expect(arn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:alerts`);
    expect(await topic('alerts', { DisplayName: 'Alerts' })).toBe(arn);
    await expect(topic('alerts', { DisplayName: 'Other' })).rejects.toMatchObject({
      name: 'InvalidParameterException', message: 'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
    });
    await expect(topic('bad name')).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(topic('plain.fifo')).rejects.toMatchObject({ message: 'Invalid parameter: Topic Name' });
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Ops alerts' }));
    const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
    expect(attrs).toMatchObject({ TopicArn: arn, Owner: ACCOUNT, DisplayName: 'Ops alerts', SubscriptionsConfirmed: '0', SubscriptionsPending: '0' });
    expect(JSON.parse(attrs.Policy).Statement[0].Resource).toBe(arn);
    await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'ops' }] }));
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: 'team', Value: 'ops' }]);
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:missing` }))).rejects.toBeInstanceOf(NotFoundException);
    for (let i = 0; i < 100; i++) await topic(`bulk-${String(i).padStart(3, '0')}`);
    const first = await sns.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    expect(second.Topics?.length).toBe(1);
  });

  it('delivers to a subscribed queue in the signed JSON envelope', async () => {
    const arn = await topic('orders');
    const url = await queue('orders-q');
    const sub = await subscribeQueue(arn, 'orders-q');
    expect(sub).toMatch(new RegExp(`^${arn}:[0-9a-f-]{36}$`));
    const { MessageId } = await sns.send(new PublishCommand({
      TopicArn: arn, Subject: 'New order', Message: 'order 42 placed', MessageAttributes: { kind: { DataType: 'String', StringValue: 'created' } },
    }));
    const [m] = await drain(url);
    const envelope = JSON.parse(m.Body!) as Record<string, string> & { MessageAttributes: object };
    expect(envelope).toMatchObject({
      Type: 'Notification', MessageId, TopicArn: arn, Subject: 'New order', Message: 'order 42 placed', Timestamp: new Date(clock.now()).toISOString(),
      SignatureVersion: '1', MessageAttributes: { kind: { Type: 'String', Value: 'created' } },
    });
    expect(envelope.UnsubscribeURL).toBe(`${sw.url}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(sub)}`);
    // The signature verifies against the key served at SigningCertURL.
    const key = await (await fetch(envelope.SigningCertURL)).text();
    const canonical = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'].map((k) => `${k}\n${envelope[k]}\n`).join('');
    expect(verify('sha1', Buffer.from(canonical), key, Buffer.from(envelope.Signature, 'base64'))).toBe(true);
    expect(m.MessageAttributes).toBeUndefined();
  });

  it('delivers raw messages with their attributes, and the per-protocol text of MessageStructure json', async () => {
    const arn = await topic('raw');
    const url = await queue('raw-q');
    await subscribeQueue(arn, 'raw-q', { RawMessageDelivery: 'true' });
    await sns.send(new PublishCommand({
      TopicArn: arn, Message: 'just the text',
      MessageAttributes: { n: { DataType: 'Number', StringValue: '7' }, b: { DataType: 'Binary', BinaryValue: Buffer.from([9, 8]) }, l: { DataType: 'String.Array', StringValue: '["a","b"]' } },
    }));
    await sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues' }) }));
    const got = await drain(url);
    expect(got.map((m) => m.Body)).toEqual(['just the text', 'for queues']);
    expect(got[0].MessageAttributes).toEqual({
      n: { DataType: 'Number', StringValue: '7' }, b: { DataType: 'Binary', BinaryValue: Uint8Array.from([9, 8]) }, l: { DataType: 'String.Array', StringValue: '["a","b"]' },
    });
    await expect(sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: '{"sqs":"x"}' }))).rejects.toMatchObject({
      message: 'Invalid parameter: Message Structure - No default entry in JSON message body',
    });
  });

  it('filters by message attributes and by message body', async () => {
    const arn = await topic('events');
    const byAttr = await queue('by-attr');
    const byBody = await queue('by-body');
    await subscribeQueue(arn, 'by-attr', { FilterPolicy: JSON.stringify({ store: ['example_corp'], price: [{ numeric: ['>=', 100] }] }), RawMessageDelivery: 'true' });
    const bodySub = await subscribeQueue(arn, 'by-body', { RawMessageDelivery: 'true' });
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: bodySub, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageBody' }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: bodySub, AttributeName: 'FilterPolicy', AttributeValue: JSON.stringify({ detail: { status: ['confirmed'] } }) }));
    const publish = (Message: string, store: string, price: string) => sns.send(new PublishCommand({
      TopicArn: arn, Message, MessageAttributes: { store: { DataType: 'String', StringValue: store }, price: { DataType: 'Number', StringValue: price } },
    }));
    await publish('{"detail":{"status":"confirmed"}}', 'example_corp', '150');
    await publish('{"detail":{"status":"pending"}}', 'example_corp', '99');
    await publish('not json', 'other', '500');
    expect((await drain(byAttr)).map((m) => m.Body)).toEqual(['{"detail":{"status":"confirmed"}}']);
    expect((await drain(byBody)).map((m) => m.Body)).toEqual(['{"detail":{"status":"confirmed"}}']);
    const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: bodySub }))).Attributes!;
    expect(attrs).toMatchObject({ FilterPolicyScope: 'MessageBody', RawMessageDelivery: 'true', Protocol: 'sqs', PendingConfirmation: 'false' });
    await expect(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: bodySub, AttributeName: 'FilterPolicy', AttributeValue: '{"a":[{"numeric":["<",1,">",0]}]}' })))
      .rejects.toMatchObject({ message: 'Invalid parameter: FilterPolicy: Too many elements in numeric expression' });
  });

  it('passes FIFO topics\' group and deduplication ids to FIFO queues, deduplicating for five minutes', async () => {
    const arn = await topic('deploys.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    const url = await queue('deploys.fifo', { FifoQueue: 'true' });
    await subscribeQueue(arn, 'deploys.fifo', { RawMessageDelivery: 'true' });
    const one = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'v1', MessageGroupId: 'app' }));
    const dup = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'v1', MessageGroupId: 'app' }));
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'v2', MessageGroupId: 'app' }));
    expect(dup).toMatchObject({ MessageId: one.MessageId, SequenceNumber: one.SequenceNumber });
    expect(one.SequenceNumber).toMatch(/^\d{20}$/);
    const got = await drain(url);
    expect(got.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([['v1', 'app'], ['v2', 'app']]);
    await expect(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' }))).rejects.toMatchObject({
      message: 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics',
    });
    await expect(sns.send(new SubscribeCommand({ TopicArn: await topic('std'), Protocol: 'sqs', Endpoint: queueArn('deploys.fifo') }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('publishes batches, reporting each entry', async () => {
    const arn = await topic('batch');
    const url = await queue('batch-q');
    await subscribeQueue(arn, 'batch-q', { RawMessageDelivery: 'true' });
    const out = await sns.send(new PublishBatchCommand({
      TopicArn: arn,
      PublishBatchRequestEntries: [{ Id: 'a', Message: 'first' }, { Id: 'b', Message: '' }, { Id: 'c', Message: 'third' }],
    }));
    expect(out.Successful?.map((s) => s.Id)).toEqual(['a', 'c']);
    expect(out.Failed).toEqual([{ Id: 'b', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message', SenderFault: true }]);
    expect((await drain(url)).map((m) => m.Body).sort()).toEqual(['first', 'third']);
    await expect(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: 'x', Message: '1' }, { Id: 'x', Message: '2' }] })))
      .rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinctException' });
  });

  it('dead-letters a message at once when the subscribed queue is gone (a client error)', async () => {
    const arn = await topic('lost');
    const dlq = await queue('lost-dlq');
    const gone = await queue('gone');
    await subscribeQueue(arn, 'gone', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('lost-dlq') }) });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone }));
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'nobody home' }));
    const [m] = await drain(dlq);
    expect(JSON.parse(m.Body!)).toMatchObject({ Type: 'Notification', Message: 'nobody home' });
  });

  it('retries a Lambda target that cannot be reached, then dead-letters the message', async () => {
    const arn = await topic('to-lambda');
    const dlq = await queue('lambda-dlq');
    await sns.send(new SubscribeCommand({
      TopicArn: arn, Protocol: 'lambda', Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:handler`,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('lambda-dlq') }) },
    }));
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'to a function' }));
    expect(await drain(dlq)).toEqual([]);
    // Lambda is not running here: each attempt fails with NotImplemented, a server error SNS retries.
    for (let i = 0; i < 30 && (await drain(dlq)).length === 0; i++) clock.advance(20_000);
    clock.advance(3600_000);
    const [m] = await drain(dlq);
    expect(JSON.parse(m.Body!)).toMatchObject({ Message: 'to a function', TopicArn: arn });
  });

  it('lists and removes subscriptions, and deleting a topic removes its subscriptions', async () => {
    const arn = await topic('cleanup');
    await queue('cleanup-q');
    const sub = await subscribeQueue(arn, 'cleanup-q');
    expect(await subscribeQueue(arn, 'cleanup-q')).toBe(sub);
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions).toEqual([
      { SubscriptionArn: sub, Owner: ACCOUNT, Protocol: 'sqs', Endpoint: queueArn('cleanup-q'), TopicArn: arn },
    ]);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub }));
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions).toEqual([]);
    const again = await subscribeQueue(arn, 'cleanup-q');
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    await expect(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: again }))).rejects.toBeInstanceOf(NotFoundException);
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    await expect(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' }))).rejects.toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist' });
    await expect(sns.send(new SubscribeCommand({ TopicArn: await topic('p'), Protocol: 'carrier-pigeon', Endpoint: 'x' }))).rejects.toMatchObject({
      message: 'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon',
    });
  });
});
