import { ConfirmSubscriptionCommand, CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

interface Hit {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP endpoint on this machine that records what SNS posts and answers with the next scripted status. */
class Endpoint {
  readonly hits: Hit[] = [];
  statuses: number[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        this.hits.push({ headers: req.headers, body });
        res.writeHead(this.statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sns`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  json(i: number): Record<string, string> {
    return JSON.parse(this.hits[i].body) as Record<string, string>;
  }
}

describe('SNS delivery to HTTP endpoints and the email outbox', () => {
  let sw: TestSlipway;
  let sns: SNSClient;
  let sqs: SQSClient;
  const clock = new ManualClock();
  const endpoint = new Endpoint();

  beforeAll(async () => {
    sw = await startSlipway({ clock });
    sns = new SNSClient(sdkConfig(sw.url));
    sqs = new SQSClient(sdkConfig(sw.url));
    await endpoint.start();
  });
  afterAll(async () => {
    await endpoint.close();
    await sw.close();
  });

  const topic = async (Name: string) => (await sns.send(new CreateTopicCommand({ Name }))).TopicArn!;

  it('confirms an HTTP subscription through the SubscribeURL, then posts notifications with AWS headers', async () => {
    const arn = await topic('webhooks');
    const out = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: endpoint.url }));
    expect(out.SubscriptionArn).toBe('pending confirmation');
    await sw.slipway.settled();
    expect(endpoint.hits).toHaveLength(1);
    expect(endpoint.hits[0].headers).toMatchObject({ 'x-amz-sns-message-type': 'SubscriptionConfirmation', 'x-amz-sns-topic-arn': arn, 'user-agent': 'Amazon Simple Notification Service Agent' });
    const confirmation = endpoint.json(0);
    expect(confirmation).toMatchObject({ Type: 'SubscriptionConfirmation', TopicArn: arn, SignatureVersion: '1' });
    expect(confirmation.Token).toMatch(/^[0-9a-f]{128}$/);
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions?.[0].SubscriptionArn).toBe('PendingConfirmation');

    // Until it is confirmed, nothing is delivered.
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'too early' }));
    await sw.slipway.settled();
    expect(endpoint.hits).toHaveLength(1);

    const visited = await fetch(confirmation.SubscribeURL);
    expect(visited.status).toBe(200);
    const subArn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await visited.text())![1];
    expect(subArn).toMatch(new RegExp(`^${arn}:`));

    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Subject: 'Deployed', Message: 'v2 is live' }));
    await sw.slipway.settled();
    expect(endpoint.hits).toHaveLength(2);
    expect(endpoint.hits[1].headers).toMatchObject({
      'x-amz-sns-message-type': 'Notification', 'x-amz-sns-message-id': MessageId, 'x-amz-sns-subscription-arn': subArn, 'content-type': 'text/plain; charset=UTF-8',
    });
    expect(endpoint.json(1)).toMatchObject({ Type: 'Notification', MessageId, Subject: 'Deployed', Message: 'v2 is live' });

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: subArn }));
    await sw.slipway.settled();
    expect(endpoint.hits[2].headers['x-amz-sns-message-type']).toBe('UnsubscribeConfirmation');
    await expect(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: 'f00d' }))).rejects.toMatchObject({ message: 'Invalid parameter: Invalid token' });
  });

  it('retries a failing endpoint by its delivery policy, then dead-letters the message', async () => {
    const arn = await topic('flaky');
    await sqs.send(new CreateQueueCommand({ QueueName: 'flaky-dlq' }));
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({
      TopicArn: arn, Protocol: 'http', Endpoint: endpoint.url, ReturnSubscriptionArn: true,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:flaky-dlq' }) },
    }));
    await sw.slipway.settled();
    const token = endpoint.json(endpoint.hits.length - 1).Token;
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
    const before = endpoint.hits.length;
    endpoint.statuses = [500, 503, 500, 502];
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'retry me' }));
    await sw.slipway.settled();
    expect(endpoint.hits.length - before).toBe(1);
    // The default policy: three more attempts, 20 seconds apart.
    for (let i = 2; i <= 4; i++) {
      clock.advance(19_999);
      await sw.slipway.settled();
      expect(endpoint.hits.length - before).toBe(i - 1);
      clock.advance(1);
      await sw.slipway.settled();
      expect(endpoint.hits.length - before).toBe(i);
    }
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${sw.url}/000000000000/flaky-dlq` }));
    expect(JSON.parse(dead.Messages![0].Body!)).toMatchObject({ Message: 'retry me', UnsubscribeURL: expect.stringContaining(encodeURIComponent(SubscriptionArn!)) });

    // A 4xx answer is the endpoint refusing the message: no retries.
    endpoint.statuses = [403];
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'refused' }));
    await sw.slipway.settled();
    clock.advance(60_000);
    await sw.slipway.settled();
    expect(endpoint.hits.length - before).toBe(5);
  });

  it('writes email subscriptions\' confirmation and notifications to the outbox', async () => {
    const arn = await topic('mail');
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'dev@example.com' }));
    await sw.slipway.settled();
    const outbox = join(sw.dataDir, 'services', 'sns', 'outbox', 'email');
    const mails = () => readdirSync(outbox).sort().map((f) => readFileSync(join(outbox, f), 'utf8'));
    const [confirmation] = mails();
    expect(confirmation).toContain('To: dev@example.com\r\n');
    expect(confirmation).toContain('Subject: AWS Notification - Subscription Confirmation\r\n');
    const link = /Confirm subscription: (\S+)/.exec(confirmation)![1];
    expect((await fetch(link)).status).toBe(200);
    clock.advance(1000);
    await sns.send(new PublishCommand({ TopicArn: arn, Subject: 'Build failed', Message: 'Build #7 failed in stage Test.' }));
    await sw.slipway.settled();
    const notification = mails()[1];
    expect(notification).toContain('Subject: Build failed\r\n');
    expect(notification).toContain('\r\n\r\nBuild #7 failed in stage Test.\r\n');
    expect(notification).toContain(`${sw.url}/?Action=Unsubscribe&SubscriptionArn=`);

    await sns.send(new PublishCommand({ PhoneNumber: '+15555550100', Message: 'Your code is 1234' }));
    const sms = readdirSync(join(sw.dataDir, 'services', 'sns', 'outbox', 'sms'));
    expect(readFileSync(join(sw.dataDir, 'services', 'sns', 'outbox', 'sms', sms[0]), 'utf8')).toContain('To: +15555550100\n');
  });
});
