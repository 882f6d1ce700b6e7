import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

interface Message {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
}

// This aws CLI does not apply AWS_ENDPOINT_URL to SQS, so every call names the endpoint.
describe('SQS through the aws CLI', () => {
  let sw: TestSlipway;
  let sqs: (...args: string[]) => ReturnType<ReturnType<typeof awsCli>>;
  let url: string;

  beforeAll(async () => {
    sw = await startSlipway();
    const cli = awsCli(sw.env);
    sqs = (...args) => cli('sqs', ...args, '--endpoint-url', sw.url);
  });
  afterAll(() => sw.close());

  it('create-queue answers the queue URL on the host the CLI used', async () => {
    const r = await sqs('create-queue', '--queue-name', 'orders', '--attributes', 'VisibilityTimeout=60', '--tags', 'team=ops');
    expect(r.code, r.stderr).toBe(0);
    url = r.json<{ QueueUrl: string }>().QueueUrl;
    expect(url).toBe(`${sw.url}/000000000000/orders`);
    const attrs = await sqs('get-queue-attributes', '--queue-url', url, '--attribute-names', 'VisibilityTimeout', 'QueueArn');
    expect(attrs.json()).toEqual({ Attributes: { VisibilityTimeout: '60', QueueArn: 'arn:aws:sqs:us-east-1:000000000000:orders' } });
  });

  it('send-message, receive-message and delete-message move a message through the queue', async () => {
    const sent = await sqs('send-message', '--queue-url', url, '--message-body', '{"order": 42}', '--message-attributes', 'kind={DataType=String,StringValue=new}');
    expect(sent.code, sent.stderr).toBe(0);
    const { MessageId, MD5OfMessageBody } = sent.json<{ MessageId: string; MD5OfMessageBody: string }>();
    expect(MD5OfMessageBody).toBe(createHash('md5').update('{"order": 42}').digest('hex'));
    const got = await sqs('receive-message', '--queue-url', url, '--attribute-names', 'All', '--message-attribute-names', 'All');
    expect(got.code, got.stderr).toBe(0);
    const [m] = got.json<{ Messages: Message[] }>().Messages;
    expect(m).toMatchObject({ MessageId, Body: '{"order": 42}', MD5OfBody: MD5OfMessageBody, MessageAttributes: { kind: { DataType: 'String', StringValue: 'new' } } });
    expect(m.Attributes?.ApproximateReceiveCount).toBe('1');
    const del = await sqs('delete-message', '--queue-url', url, '--receipt-handle', m.ReceiptHandle);
    expect(del.code, del.stderr).toBe(0);
    const counts = await sqs('get-queue-attributes', '--queue-url', url, '--attribute-names', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible');
    expect(counts.json()).toEqual({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
  });

  it('reports AWS query-compatible error codes', async () => {
    const missing = await sqs('get-queue-url', '--queue-name', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does not exist.');
    const clash = await sqs('create-queue', '--queue-name', 'orders', '--attributes', 'VisibilityTimeout=61');
    expect(clash.stderr).toContain('(QueueAlreadyExists) when calling the CreateQueue operation: A queue already exists with the same name and a different value for attribute VisibilityTimeout');
    const bad = await sqs('delete-message', '--queue-url', url, '--receipt-handle', 'not-a-handle');
    expect(bad.stderr).toContain('(ReceiptHandleIsInvalid) when calling the DeleteMessage operation: The input receipt handle "not-a-handle" is not a valid receipt handle.');
  });

  it('create-queue for FIFO, list-queues and delete-queue', async () => {
    await sqs('create-queue', '--queue-name', 'jobs.fifo', '--attributes', 'FifoQueue=true,ContentBasedDeduplication=true');
    expect((await sqs('list-queues', '--queue-name-prefix', 'jobs')).json()).toEqual({ QueueUrls: [`${sw.url}/000000000000/jobs.fifo`] });
    expect((await sqs('delete-queue', '--queue-url', `${sw.url}/000000000000/jobs.fifo`)).code).toBe(0);
  });
});
