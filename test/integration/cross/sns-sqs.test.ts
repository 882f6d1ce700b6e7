import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand, DeleteQueueCommand, ListDeadLetterSourceQueuesCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createQueue, drain, drainJson } from './support.js';

/** SNS fan-out with filter policies into real queues, and dead-letter queues on both sides. */
describe('SNS topics and SQS queues together', () => {
  let sw: TestSlipway;
  let sns: SNSClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    sw = await startSlipway();
    sns = new SNSClient(sdkConfig(sw.url));
    sqs = new SQSClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('filter policies on attributes and on the message body pick what each queue gets', async () => {
    const cli = awsCli(sw.env);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'orders' }))).TopicArn!;
    const big = await createQueue(sqs, 'big-orders');
    const eu = await createQueue(sqs, 'eu-orders');
    const all = await createQueue(sqs, 'all-orders');
    // The seed's CLI commands, with a filter policy on message attributes.
    const sub = await cli('sns', 'subscribe', '--topic-arn', topicArn, '--protocol', 'sqs', '--notification-endpoint', big.arn,
      '--attributes', JSON.stringify({ FilterPolicy: JSON.stringify({ total: [{ numeric: ['>=', 100] }], status: [{ 'anything-but': 'cancelled' }] }), RawMessageDelivery: 'true' }));
    expect(sub.code, sub.stderr).toBe(0);
    await sns.send(new SubscribeCommand({
      TopicArn: topicArn, Protocol: 'sqs', Endpoint: eu.arn,
      Attributes: { FilterPolicyScope: 'MessageBody', FilterPolicy: JSON.stringify({ region: [{ prefix: 'eu-' }] }) },
    }));
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: all.arn }));

    const publish = (body: Record<string, unknown>, total: number, status: string) => sns.send(new PublishCommand({
      TopicArn: topicArn, Message: JSON.stringify(body),
      MessageAttributes: { total: { DataType: 'Number', StringValue: String(total) }, status: { DataType: 'String', StringValue: status } },
    }));
    await publish({ id: 1, region: 'eu-west-1' }, 250, 'confirmed');
    await publish({ id: 2, region: 'us-east-1' }, 50, 'confirmed');
    await publish({ id: 3, region: 'eu-central-1' }, 500, 'cancelled');
    const cliPublish = await cli('sns', 'publish', '--topic-arn', topicArn, '--message', '{"id":4,"region":"ap-south-1"}',
      '--message-attributes', 'total={DataType=Number,StringValue=120},status={DataType=String,StringValue=confirmed}');
    expect(cliPublish.code, cliPublish.stderr).toBe(0);
    await sw.slipway.settled();

    const bigOnes = await drain(sqs, big.url);
    expect(bigOnes.map((m) => JSON.parse(m.Body!).id)).toEqual([1, 4]);
    // Raw delivery carries the SNS message attributes over as SQS message attributes.
    expect(bigOnes[0].MessageAttributes).toEqual({ total: { DataType: 'Number', StringValue: '250' }, status: { DataType: 'String', StringValue: 'confirmed' } });
    const euOnes = await drainJson<{ Message: string; MessageAttributes: Record<string, { Type: string; Value: string }> }>(sqs, eu.url);
    expect(euOnes.map((n) => JSON.parse(n.Message).id)).toEqual([1, 3]);
    expect(euOnes[0].MessageAttributes.total).toEqual({ Type: 'Number', Value: '250' });
    expect((await drainJson<{ Message: string }>(sqs, all.url)).map((n) => JSON.parse(n.Message).id)).toEqual([1, 2, 3, 4]);
  });

  it('SQS moves a message received too often to a real dead-letter queue, and a move task redrives it back', async () => {
    const dlq = await createQueue(sqs, 'jobs-dlq');
    const jobs = await createQueue(sqs, 'jobs', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    await sqs.send(new SendMessageCommand({ QueueUrl: jobs.url, MessageBody: 'poison pill', MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } } }));
    const receive = () => sqs.send(new ReceiveMessageCommand({ QueueUrl: jobs.url, VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect((await receive()).Messages?.[0].Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await receive()).Messages?.[0].Attributes?.ApproximateReceiveCount).toBe('2');
    // The third receive finds the count exhausted: the message moves instead of being handed out.
    expect((await receive()).Messages ?? []).toEqual([]);
    const dead = await drain(sqs, dlq.url);
    expect(dead.map((m) => [m.Body, m.MessageAttributes?.kind?.StringValue])).toEqual([['poison pill', 'test']]);
    expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }))).queueUrls).toEqual([jobs.url]);

    // DLQ redrive: once the message is visible again, a move task sends it back where it came from.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: dlq.url, ReceiptHandle: dead[0].ReceiptHandle, VisibilityTimeout: 0 }));
    const notDlq = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: jobs.arn })).catch((e: Error) => e.message);
    expect(notDlq).toBe('Source queue must be configured as a Dead Letter Queue.');
    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    const back = await drain(sqs, jobs.url);
    expect(back.map((m) => [m.Body, m.MessageAttributes?.kind?.StringValue, m.Attributes?.ApproximateReceiveCount])).toEqual([['poison pill', 'test', '1']]);
    expect(await drain(sqs, dlq.url)).toEqual([]);
    const listed = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
    expect(listed.Results?.map((r) => [r.TaskHandle, r.Status, r.SourceArn, r.ApproximateNumberOfMessagesMoved, r.ApproximateNumberOfMessagesToMove])).toEqual([
      [task.TaskHandle, 'COMPLETED', dlq.arn, 1, 1],
    ]);
  });

  it('an SNS delivery to a queue that no longer exists goes to the subscription\'s dead-letter queue', async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'builds' }))).TopicArn!;
    const gone = await createQueue(sqs, 'gone');
    const dlq = await createQueue(sqs, 'builds-dlq');
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: gone.arn, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) } }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone.url }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: 'Build failed', Message: 'Build #7 failed' }));
    await sw.slipway.settled();
    const dead = await drainJson<{ Type: string; Subject: string; Message: string; TopicArn: string }>(sqs, dlq.url);
    expect(dead.map((n) => [n.Type, n.TopicArn, n.Subject, n.Message])).toEqual([['Notification', topicArn, 'Build failed', 'Build #7 failed']]);
  });
});
