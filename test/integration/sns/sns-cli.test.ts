import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

// The seed's flow: a topic, a queue subscribed to it, a publish, and the envelope received.
describe('SNS and SQS through the aws CLI', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  const topicArn = 'arn:aws:sns:us-east-1:000000000000:alert-topic';

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
  });
  afterAll(() => sw.close());

  it('create-topic, create-queue, subscribe, publish, receive-message', async () => {
    const created = await cli('sns', 'create-topic', '--name', 'alert-topic');
    expect(created.code, created.stderr).toBe(0);
    expect(created.json()).toEqual({ TopicArn: topicArn });
    const queue = await cli('sqs', 'create-queue', '--queue-name', 'alerts', '--endpoint-url', sw.url);
    const queueUrl = queue.json<{ QueueUrl: string }>().QueueUrl;
    const sub = await cli('sns', 'subscribe', '--topic-arn', topicArn, '--protocol', 'sqs', '--notification-endpoint', 'arn:aws:sqs:us-east-1:000000000000:alerts');
    expect(sub.code, sub.stderr).toBe(0);
    const subscriptionArn = sub.json<{ SubscriptionArn: string }>().SubscriptionArn;
    expect(subscriptionArn.startsWith(`${topicArn}:`)).toBe(true);
    const published = await cli('sns', 'publish', '--topic-arn', topicArn, '--subject', 'High error rate', '--message', 'Errors > 50 for 2 periods',
      '--message-attributes', '{"severity":{"DataType":"String","StringValue":"high"}}');
    expect(published.code, published.stderr).toBe(0);
    const { MessageId } = published.json<{ MessageId: string }>();
    await sw.slipway.settled();
    const got = await cli('sqs', 'receive-message', '--queue-url', queueUrl, '--endpoint-url', sw.url);
    const body = JSON.parse(got.json<{ Messages: { Body: string }[] }>().Messages[0].Body) as Record<string, unknown>;
    expect(body).toMatchObject({
      Type: 'Notification', MessageId, TopicArn: topicArn, Subject: 'High error rate', Message: 'Errors > 50 for 2 periods',
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });
    const attrs = await cli('sns', 'get-subscription-attributes', '--subscription-arn', subscriptionArn);
    expect(attrs.json<{ Attributes: Record<string, string> }>().Attributes).toMatchObject({ Protocol: 'sqs', PendingConfirmation: 'false', RawMessageDelivery: 'false' });
  });

  it('reports missing topics and bad parameters as SNS does', async () => {
    const missing = await cli('sns', 'publish', '--topic-arn', 'arn:aws:sns:us-east-1:000000000000:nope', '--message', 'x');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (NotFound) when calling the Publish operation: Topic does not exist');
    const bad = await cli('sns', 'subscribe', '--topic-arn', topicArn, '--protocol', 'http', '--notification-endpoint', 'ftp://example.com/');
    expect(bad.stderr).toContain('(InvalidParameter) when calling the Subscribe operation: Invalid parameter: Endpoint must match the specified protocol');
  });
});
