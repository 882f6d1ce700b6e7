import {
  CreateQueueCommand, GetQueueAttributesCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, SQSServiceException, StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

async function failure(p: Promise<unknown>): Promise<SQSServiceException> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof SQSServiceException)) throw new Error(`expected an SQS error, got ${String(e)}`);
  return e;
}

describe('SQS dead-letter queue redrive (message move tasks)', () => {
  let sw: TestSlipway;
  let sqs: SQSClient;
  const queue = async (name: string, attributes: Record<string, string> = {}) => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    return { url, arn };
  };
  const bodies = async (url: string) => ((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }))).Messages ?? []).map((m) => m.Body);

  beforeAll(async () => {
    sw = await startSlipway();
    sqs = new SQSClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('refuses unknown queues, queues that are no dead-letter queue and bad rates', async () => {
    const e = await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:us-east-1:000000000000:nope' })));
    expect([e.name, e.message, e.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', "The resource that you specified for the SourceArn parameter doesn't exist.", 404]);
    const plain = await queue('plain');
    expect((await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plain.arn })))).message).toBe('Source queue must be configured as a Dead Letter Queue.');
    const dlq = await queue('refusing-dlq');
    await queue('refusing-src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
    expect((await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 501 })))).message)
      .toBe('Value 501 for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.');
    expect((await failure(sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 11 })))).name).toBe('InvalidParameterValue');
  });

  it('moves dead-lettered messages to a named destination, and fails on messages whose source is unknown', async () => {
    const dlq = await queue('orders-dlq');
    const orders = await queue('orders', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
    const retry = await queue('orders-retry');
    await sqs.send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'bad order' }));
    expect(await bodies(orders.url)).toEqual(['bad order']);
    expect(await bodies(orders.url)).toEqual([]); // moved to the DLQ on this receive
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: 'sent straight to the DLQ' }));

    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    // The dead-lettered message went home; the other one has no source queue to go back to.
    const [first] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results!;
    expect([first.Status, first.ApproximateNumberOfMessagesMoved, first.ApproximateNumberOfMessagesToMove, first.FailureReason]).toEqual(['FAILED', 1, 2, 'CouldNotDetermineMessageSource']);
    expect(await bodies(orders.url)).toEqual(['bad order']);

    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: retry.arn, MaxNumberOfMessagesPerSecond: 10 }));
    expect(await bodies(retry.url)).toEqual(['sent straight to the DLQ']);
    const listed = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 10 }))).Results!;
    expect(listed.map((t) => [t.Status, t.DestinationArn, t.MaxNumberOfMessagesPerSecond, t.ApproximateNumberOfMessagesMoved])).toEqual([
      ['COMPLETED', retry.arn, 10, 1],
      ['FAILED', undefined, undefined, 1],
    ]);
  });
});
