import {
  ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand, DeleteQueueCommand,
  GetQueueAttributesCommand, GetQueueUrlCommand, ListDeadLetterSourceQueuesCommand, ListQueuesCommand, ListQueueTagsCommand, PurgeQueueCommand,
  QueueDoesNotExist, QueueNameExists, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient,
  TagQueueCommand, UntagQueueCommand, AddPermissionCommand, RemovePermissionCommand, type ReceiveMessageCommandInput,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('SQS through the SDK v3 client', () => {
  let sw: TestSlipway;
  let sqs: SQSClient;
  const clock = new ManualClock();

  beforeAll(async () => {
    sw = await startSlipway({ clock });
    sqs = new SQSClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  const create = async (name: string, Attributes?: Record<string, string>) => (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl!;
  const receive = (input: ReceiveMessageCommandInput) => sqs.send(new ReceiveMessageCommand(input)).then((r) => r.Messages ?? []);
  const attrs = async (QueueUrl: string, ...names: string[]) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: (names.length ? names : ['All']) as never }))).Attributes ?? {};

  it('creates queues idempotently, refuses a clash of attributes, and finds them by name and prefix', async () => {
    const url = await create('orders', { VisibilityTimeout: '45' });
    expect(url).toBe(`${sw.url}/000000000000/orders`);
    expect(await create('orders', { VisibilityTimeout: '45' })).toBe(url);
    expect(await create('orders')).toBe(url);
    const clash = await sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '46' } })).catch((e: unknown) => e);
    expect(clash).toBeInstanceOf(QueueNameExists);
    expect((clash as Error).message).toBe('A queue already exists with the same name and a different value for attribute VisibilityTimeout');
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl).toBe(url);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    for (const n of ['orders-a', 'orders-b', 'other']) await create(n);
    const page1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'orders', MaxResults: 2 }));
    expect(page1.QueueUrls).toEqual([url, `${url}-a`]);
    const page2 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'orders', MaxResults: 2, NextToken: page1.NextToken }));
    expect(page2.QueueUrls).toEqual([`${url}-b`]);
    expect(page2.NextToken).toBeUndefined();
  });

  it('answers queue URLs in any host form the client uses', async () => {
    const raw = new SQSClient({ ...sdkConfig(sw.url), useQueueUrlAsEndpoint: false });
    for (const form of ['https://sqs.us-east-1.amazonaws.com/000000000000/orders', 'http://127.0.0.1:1/000000000000/orders', 'https://queue.amazonaws.com/000000000000/orders']) {
      const got = await raw.send(new GetQueueAttributesCommand({ QueueUrl: form, AttributeNames: ['QueueArn'] }));
      expect(got.Attributes?.QueueArn).toBe('arn:aws:sqs:us-east-1:000000000000:orders');
    }
  });

  it('reports and changes attributes, refusing unknown names and bad values', async () => {
    const url = await create('attrs');
    const all = await attrs(url);
    expect(all).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:attrs', VisibilityTimeout: '30', DelaySeconds: '0', MaximumMessageSize: '262144',
      MessageRetentionPeriod: '345600', ReceiveMessageWaitTimeSeconds: '0', ApproximateNumberOfMessages: '0', SqsManagedSseEnabled: 'true',
      CreatedTimestamp: String(clock.now() / 1000),
    });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '5', Policy: '{"Version":"2012-10-17","Statement":[]}' } }));
    expect(await attrs(url, 'VisibilityTimeout', 'Policy')).toEqual({ VisibilityTimeout: '5', Policy: '{"Version":"2012-10-17","Statement":[]}' });
    await expect(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '43201' } }))).rejects.toMatchObject({
      name: 'InvalidAttributeValue', message: 'Invalid value for the parameter VisibilityTimeout.',
    });
    await expect(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Colour: 'blue' } as never }))).rejects.toMatchObject({
      name: 'InvalidAttributeName', message: 'Unknown Attribute Colour.',
    });
    await expect(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ContentBasedDeduplication: 'true' } }))).rejects.toMatchObject({ name: 'InvalidAttributeName' });
  });

  it('sends and receives messages with their attributes and checksums', async () => {
    const url = await create('messages');
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: 'héllo 😀',
      MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) }, 'app.kind': { DataType: 'String.custom', StringValue: 'x' } },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } },
    }));
    expect(sent.MD5OfMessageBody).toBe(md5('héllo 😀'));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const [m] = await receive({ QueueUrl: url, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['timestamp'] });
    expect(m.Body).toBe('héllo 😀');
    expect(m.MessageId).toBe(sent.MessageId);
    expect(m.MessageAttributes).toEqual({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } });
    // The digest AWS documents for this single attribute (and the one moto's suite pins).
    expect(m.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(m.Attributes).toMatchObject({
      SenderId: '000000000000', SentTimestamp: String(clock.now()), ApproximateReceiveCount: '1', AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
    });
    const [again] = await receive({ QueueUrl: url, MessageAttributeNames: ['All'], VisibilityTimeout: 0 });
    expect(again).toBeUndefined();
    clock.advance(30_000);
    const [third] = await receive({ QueueUrl: url, MessageAttributeNames: ['app.*'], AttributeNames: ['ApproximateReceiveCount'] as never });
    expect(third.MessageAttributes).toEqual({ 'app.kind': { DataType: 'String.custom', StringValue: 'x' } });
    expect(third.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.ReceiptHandle }));
    clock.advance(60_000);
    expect(await receive({ QueueUrl: url })).toEqual([]);
  });

  it('refuses malformed messages with AWS errors', async () => {
    const url = await create('strict', { MaximumMessageSize: '1024' });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) }))).rejects.toMatchObject({
      name: 'InvalidParameterValue', message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
    });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \u0001 char' }))).rejects.toMatchObject({ name: 'InvalidMessageContents' });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } }))).rejects.toMatchObject({
      message: "Can't cast the value of message (user) attribute 'n' to a number.",
    });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }))).rejects.toMatchObject({
      message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    });
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' }))).rejects.toMatchObject({
      name: 'ReceiptHandleIsInvalid', message: 'The input receipt handle "garbage" is not a valid receipt handle.',
    });
  });

  it('hides received messages for the visibility timeout, which receivers can change', async () => {
    const url = await create('visibility', { VisibilityTimeout: '10' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    const [m] = await receive({ QueueUrl: url });
    expect(await attrs(url, 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible')).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    clock.advance(9_000);
    expect(await receive({ QueueUrl: url })).toEqual([]);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 60 }));
    clock.advance(30_000);
    expect(await receive({ QueueUrl: url })).toEqual([]);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    const [back] = await receive({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(back.Attributes?.ApproximateReceiveCount).toBe('2');
    // The first receipt's handle is stale now: deleting with it succeeds but deletes nothing, as AWS documents.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    expect(await attrs(url, 'ApproximateNumberOfMessagesNotVisible')).toEqual({ ApproximateNumberOfMessagesNotVisible: '1' });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: back.ReceiptHandle }));
    expect(await attrs(url, 'ApproximateNumberOfMessagesNotVisible')).toEqual({ ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('delays messages per message and per queue', async () => {
    const url = await create('delayed', { DelaySeconds: '5' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'queue delay' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'own delay', DelaySeconds: 60 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now', DelaySeconds: 0 }));
    expect(await attrs(url, 'ApproximateNumberOfMessagesDelayed')).toEqual({ ApproximateNumberOfMessagesDelayed: '2' });
    const bodies = async () => (await receive({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600 })).map((m) => m.Body);
    expect(await bodies()).toEqual(['now']);
    clock.advance(5_000);
    expect(await bodies()).toEqual(['queue delay']);
    clock.advance(55_000);
    expect(await bodies()).toEqual(['own delay']);
  });

  it('long-polls: answers as soon as a message arrives, or empty when the wait ends', async () => {
    const url = await create('poll');
    const waiting = receive({ QueueUrl: url, WaitTimeSeconds: 20 });
    await new Promise((r) => setImmediate(r));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'arrived' }));
    expect((await waiting).map((m) => m.Body)).toEqual(['arrived']);

    const timers = clock.pendingTimers();
    const empty = receive({ QueueUrl: url, WaitTimeSeconds: 20 });
    await until(() => clock.pendingTimers() > timers);
    clock.advance(20_000);
    expect(await empty).toEqual([]);

    // A delayed message wakes a waiting receiver when it becomes visible.
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 3 }));
    const delayed = receive({ QueueUrl: url, WaitTimeSeconds: 10 });
    await until(() => clock.pendingTimers() > timers);
    clock.advance(3_000);
    expect((await delayed).map((m) => m.Body)).toEqual(['later']);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const dlq = await create('work-dlq');
    const redrive = JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq', maxReceiveCount: '2' });
    const url = await create('work', { RedrivePolicy: redrive, VisibilityTimeout: '1' });
    expect((await attrs(url, 'RedrivePolicy')).RedrivePolicy).toBe('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:work-dlq","maxReceiveCount":2}');
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      expect(await receive({ QueueUrl: url })).toHaveLength(1);
      clock.advance(1_000);
    }
    expect(await receive({ QueueUrl: url })).toEqual([]);
    const [dead] = await receive({ QueueUrl: dlq, MessageSystemAttributeNames: ['DeadLetterQueueSourceArn', 'ApproximateReceiveCount'] });
    expect(dead).toMatchObject({ MessageId: sent.MessageId, Body: 'poison' });
    expect(dead.Attributes).toEqual({ DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:work', ApproximateReceiveCount: '1' });
    expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls).toEqual([url]);
    await expect(sqs.send(new SetQueueAttributesCommand({
      QueueUrl: url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:missing', maxReceiveCount: 2 }) },
    }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('keeps FIFO order per message group, blocks a group while a message is in flight, and deduplicates for five minutes', async () => {
    const url = await create('jobs.fifo', { FifoQueue: 'true' });
    const send = (body: string, group: string, dedup = body) => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedup }));
    const a1 = await send('a1', 'a');
    await send('b1', 'b');
    await send('a2', 'a');
    const dup = await send('a1 again', 'a', 'a1');
    expect(dup.MessageId).toBe(a1.MessageId);
    expect(dup.SequenceNumber).toBe(a1.SequenceNumber);
    expect(a1.SequenceNumber).toMatch(/^\d{20}$/);
    const first = await receive({ QueueUrl: url, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['MessageGroupId', 'SequenceNumber'] });
    expect(first.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([['a1', 'a']]);
    // Group a is blocked while a1 is in flight; b is not.
    expect((await receive({ QueueUrl: url, MaxNumberOfMessages: 10 })).map((m) => m.Body)).toEqual(['b1']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle }));
    expect((await receive({ QueueUrl: url, MaxNumberOfMessages: 10 })).map((m) => m.Body)).toEqual(['a2']);
    clock.advance(5 * 60_000);
    expect((await send('a1', 'a')).MessageId).not.toBe(a1.MessageId);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))).rejects.toMatchObject({
      name: 'MissingParameter', message: 'The request must contain the parameter MessageGroupId.',
    });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' }))).rejects.toMatchObject({
      message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    });
    const cbd = await create('cbd.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const x1 = await sqs.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: 'same', MessageGroupId: 'g' }));
    const x2 = await sqs.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: 'same', MessageGroupId: 'g' }));
    expect(x2.MessageId).toBe(x1.MessageId);
    await expect(create('plain.fifo')).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('sends, deletes and changes visibility in batches, reporting each entry', async () => {
    const url = await create('batch');
    const sent = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [{ Id: 'one', MessageBody: 'first' }, { Id: 'two', MessageBody: 'second' }, { Id: 'bad', MessageBody: 'x', DelaySeconds: 1000 }],
    }));
    expect(sent.Successful?.map((s) => [s.Id, s.MD5OfMessageBody])).toEqual([['one', md5('first')], ['two', md5('second')]]);
    expect(sent.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'InvalidParameterValue', SenderFault: true })]);
    const got = await receive({ QueueUrl: url, MaxNumberOfMessages: 10 });
    expect(got.map((m) => m.Body).sort()).toEqual(['first', 'second']);
    const changed = await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url, Entries: [{ Id: 'a', ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: 100 }, { Id: 'b', ReceiptHandle: 'nope' }],
    }));
    expect(changed.Successful).toEqual([{ Id: 'a' }]);
    expect(changed.Failed?.[0]).toMatchObject({ Id: 'b', Code: 'ReceiptHandleIsInvalid' });
    const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })) }));
    expect(deleted.Successful).toHaveLength(2);
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'x', MessageBody: 'a' }, { Id: 'x', MessageBody: 'b' }] }))).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] }))).rejects.toMatchObject({ name: 'EmptyBatchRequest' });
  });

  it('purges once a minute, expires messages past retention, tags and deletes queues', async () => {
    const url = await create('purge', { MessageRetentionPeriod: '60' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'gone' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await receive({ QueueUrl: url })).toEqual([]);
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl: url }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress', message: 'Only one PurgeQueue operation on purge is allowed every 60 seconds.',
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'old' }));
    clock.advance(61_000);
    expect(await receive({ QueueUrl: url })).toEqual([]);
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'ops', env: 'dev' } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ team: 'ops' });
    await sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'sender', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
    const policy = JSON.parse((await attrs(url, 'Policy')).Policy!) as { Statement: { Sid: string; Action: string }[] };
    expect(policy.Statement).toEqual([expect.objectContaining({ Sid: 'sender', Action: 'SQS:SendMessage', Principal: { AWS: 'arn:aws:iam::111122223333:root' } })]);
    await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'sender' }));
    expect(await attrs(url, 'Policy')).toEqual({});
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
  });
});

describe('SQS state across a restart', () => {
  it('keeps queues and messages, in flight or not', async () => {
    const first = await startSlipway();
    const dataDir = first.dataDir;
    const sqs = new SQSClient(sdkConfig(first.url));
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'durable' }))).QueueUrl!;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'in flight' }));
    await first.slipway.close();
    const second = await startSlipway({ dataDir });
    try {
      const sqs2 = new SQSClient(sdkConfig(second.url));
      const url2 = (await sqs2.send(new GetQueueUrlCommand({ QueueName: 'durable' }))).QueueUrl!;
      const got = (await sqs2.send(new ReceiveMessageCommand({ QueueUrl: url2, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages ?? [];
      expect(got.map((m) => m.Body).sort()).toEqual(['in flight', 'kept']);
      expect(got.find((m) => m.Body === 'kept')?.MessageAttributes).toEqual({ k: { DataType: 'String', StringValue: 'v' } });
    } finally {
      await second.close();
      await first.close().catch(() => undefined);
    }
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setImmediate(r));
  if (!check()) throw new Error('condition never held');
}
