import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { MessageAttributeValue, SqsOperations } from '../../aws/models/generated/sqs.js';
import { parseArn } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage, isServiceError } from '../../core/errors.js';
import { confirmationFields, formatEnvelope, lambdaEvent, notificationFields, subscribeUrl, unsubscribeUrl, type EnvelopeContext, type Target } from './envelope.js';
import { messageFor, type Notification, type StoredAttribute } from './message.js';
import type { Outbox } from './outbox.js';
import type { SubscriptionRecord, TopicRecord } from './store.js';

/** What one attempt came to: delivered, or failed and whether SNS would try again. */
export type Outcome = { ok: true } | { ok: false; retry: boolean; error: string };

export interface TargetDeps {
  aws: AwsClient;
  outbox: Outbox;
  clock: Clock;
  envelope: () => EnvelopeContext;
  /** POSTs to an HTTP/S endpoint; answers the status code. */
  post(url: string, headers: Record<string, string>, body: string): Promise<number>;
  contentType(topic: TopicRecord, sub: SubscriptionRecord): string;
}

const OK: Outcome = { ok: true };

function target(topic: TopicRecord, sub: SubscriptionRecord): Target {
  return { topicArn: topic.arn, subscriptionArn: sub.arn, protocol: sub.protocol, signatureVersion: topic.attributes.SignatureVersion ?? '1' };
}

export function isRaw(sub: SubscriptionRecord): boolean {
  return sub.attributes.RawMessageDelivery?.toLowerCase() === 'true';
}

/** The body a subscriber gets: the raw message, or the JSON envelope. */
export function deliveredBody(d: TargetDeps, topic: TopicRecord, sub: SubscriptionRecord, n: Notification): string {
  return isRaw(sub) ? messageFor(n, sub.protocol) : formatEnvelope(notificationFields(n, target(topic, sub), d.envelope()));
}

/** Delivers one notification to one subscription by its protocol. */
export async function deliver(d: TargetDeps, topic: TopicRecord, sub: SubscriptionRecord, n: Notification): Promise<Outcome> {
  switch (sub.protocol) {
    case 'sqs':
      return sendToQueue(d, sub.endpoint, deliveredBody(d, topic, sub, n), isRaw(sub) ? n.attributes : {}, n);
    case 'lambda':
      return invokeFunction(d, sub.endpoint, lambdaEvent(n, target(topic, sub), d.envelope()));
    case 'http':
    case 'https':
      return postNotification(d, topic, sub, n);
    case 'email':
    case 'email-json':
      return writeEmail(d, topic, sub, n);
    case 'sms':
      d.outbox.writeSms(sub.endpoint, smsText(topic, messageFor(n, 'sms')), n.messageId, new Date(d.clock.now()));
      return OK;
    default:
      return { ok: false, retry: false, error: `Slipway does not deliver to ${sub.protocol} endpoints` };
  }
}

export function smsText(topic: TopicRecord | undefined, text: string): string {
  const name = topic?.attributes.DisplayName;
  return name ? `${name}> ${text}` : text;
}

/** SendMessage to the queue an ARN names, through SQS's own API. */
export async function sendToQueue(d: TargetDeps, queueArn: string, body: string, attrs: Record<string, StoredAttribute>, n?: Notification): Promise<Outcome> {
  const arn = parseArn(queueArn);
  if (!arn || arn.service !== 'sqs') return { ok: false, retry: false, error: `${queueArn} is not an SQS queue ARN` };
  const fifoQueue = arn.resource.endsWith('.fifo');
  try {
    await d.aws.service<SqsOperations>('sqs', { accountId: arn.accountId, region: arn.region }).SendMessage({
      QueueUrl: `http://localhost/${arn.accountId}/${arn.resource}`,
      MessageBody: body,
      MessageAttributes: Object.keys(attrs).length ? sqsAttributes(attrs) : undefined,
      MessageGroupId: n?.groupId,
      MessageDeduplicationId: fifoQueue ? n?.dedupId ?? n?.messageId : undefined,
    });
    return OK;
  } catch (e) {
    return failure(e);
  }
}

function sqsAttributes(attrs: Record<string, StoredAttribute>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(Object.entries(attrs).map(([k, a]) => [
    k,
    a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: Buffer.from(a.BinaryValue, 'base64') } : { DataType: a.DataType, StringValue: a.StringValue },
  ]));
}

async function invokeFunction(d: TargetDeps, functionArn: string, event: string): Promise<Outcome> {
  const arn = parseArn(functionArn);
  if (!arn || arn.service !== 'lambda') return { ok: false, retry: false, error: `${functionArn} is not a Lambda function ARN` };
  try {
    await d.aws.service<LambdaOperations>('lambda', { accountId: arn.accountId, region: arn.region }).Invoke({
      FunctionName: functionArn, InvocationType: 'Event', Payload: Buffer.from(event),
    });
    return OK;
  } catch (e) {
    return failure(e);
  }
}

/** A missing queue or function is a client error (no retries); a service that failed or is absent, a server error. */
function failure(e: unknown): Outcome {
  const message = errorMessage(e);
  if (isServiceError(e) && e.senderFault && e.code !== 'NotImplemented') return { ok: false, retry: false, error: `${e.code}: ${message}` };
  return { ok: false, retry: true, error: isServiceError(e) ? `${e.code}: ${message}` : message };
}

async function postNotification(d: TargetDeps, topic: TopicRecord, sub: SubscriptionRecord, n: Notification): Promise<Outcome> {
  const headers: Record<string, string> = {
    'x-amz-sns-message-type': 'Notification',
    'x-amz-sns-message-id': n.messageId,
    'x-amz-sns-topic-arn': topic.arn,
    'x-amz-sns-subscription-arn': sub.arn,
    'content-type': d.contentType(topic, sub),
  };
  if (isRaw(sub)) headers['x-amz-sns-rawdelivery'] = 'true';
  return post(d, sub.endpoint, headers, deliveredBody(d, topic, sub, n));
}

/** Sends a SubscriptionConfirmation (or UnsubscribeConfirmation) to an HTTP/S or email endpoint. */
export async function sendConfirmation(
  d: TargetDeps, topic: TopicRecord, sub: SubscriptionRecord, kind: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', messageId: string, timestamp: string,
): Promise<Outcome> {
  const ctx = d.envelope();
  const url = subscribeUrl(ctx.endpoint, topic.arn, sub.token!);
  const fields = confirmationFields(kind, topic.arn, sub.token!, messageId, timestamp, url, ctx);
  if (sub.protocol === 'email' || sub.protocol === 'email-json') {
    const name = topic.attributes.DisplayName || 'AWS Notification';
    const body = sub.protocol === 'email-json' ? formatEnvelope(fields) : confirmationText(topic.arn, url);
    d.outbox.writeEmail({ to: sub.endpoint, from: fromAddress(topic), subject: `${name} - Subscription Confirmation`, body, messageId, date: new Date(timestamp) });
    return OK;
  }
  const headers = { 'x-amz-sns-message-type': kind, 'x-amz-sns-message-id': messageId, 'x-amz-sns-topic-arn': topic.arn, 'content-type': 'text/plain; charset=UTF-8' };
  return post(d, sub.endpoint, headers, formatEnvelope(fields));
}

function confirmationText(topicArn: string, url: string): string {
  return `You have chosen to subscribe to the topic: \n${topicArn}\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary): \nConfirm subscription: ${url}\n`;
}

async function post(d: TargetDeps, url: string, headers: Record<string, string>, body: string): Promise<Outcome> {
  try {
    const status = await d.post(url, { ...headers, 'user-agent': 'Amazon Simple Notification Service Agent' }, body);
    if (status >= 200 && status < 300) return OK;
    // 4xx (but 429) means the endpoint refused this request: retrying would not help.
    return { ok: false, retry: status >= 500 || status === 429 || status < 200, error: `HTTP ${status} from ${url}` };
  } catch (e) {
    return { ok: false, retry: true, error: `${url}: ${errorMessage(e)}` };
  }
}

function writeEmail(d: TargetDeps, topic: TopicRecord, sub: SubscriptionRecord, n: Notification): Outcome {
  const ctx = d.envelope();
  const text = sub.protocol === 'email-json'
    ? formatEnvelope(notificationFields(n, target(topic, sub), ctx))
    : `${messageFor(n, 'email')}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n${unsubscribeUrl(ctx.endpoint, sub.arn)}\n`;
  d.outbox.writeEmail({
    to: sub.endpoint, from: fromAddress(topic), subject: n.subject ?? (topic.attributes.DisplayName || 'AWS Notification Message'), body: text,
    messageId: n.messageId, date: new Date(n.timestamp),
    headers: { 'X-Amz-Sns-Message-Id': n.messageId, 'X-Amz-Sns-Topic-Arn': topic.arn, 'X-Amz-Sns-Subscription-Arn': sub.arn },
  });
  return OK;
}

function fromAddress(topic: TopicRecord): string {
  return `${topic.attributes.DisplayName || 'AWS Notifications'} <no-reply@sns.amazonaws.com>`;
}
