import { invalidParameter } from './errors.js';
import { FilterPolicyError, parseFilterPolicy, type FilterScope } from './filter-policy.js';
import type { SubscriptionRecord, TopicRecord } from './store.js';

/** An HTTP/S retry policy (DeliveryPolicy's healthyRetryPolicy). */
export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numMaxDelayRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  backoffFunction: string;
}

export const DEFAULT_HTTP_RETRY: RetryPolicy = {
  minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear',
};

const FEEDBACK = ['Application', 'HTTP', 'Firehose', 'Lambda', 'SQS'].flatMap((p) => [
  `${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`,
]);
const TOPIC_FREE_TEXT = new Set(['DisplayName', 'KmsMasterKeyId', ...FEEDBACK]);

/** Checks one topic attribute as CreateTopic and SetTopicAttributes take it. */
export function checkTopicAttribute(name: string, value: string, fifo: boolean): void {
  if (TOPIC_FREE_TEXT.has(name)) {
    if (name === 'DisplayName' && value.length > 100) throw invalidParameter('DisplayName');
    return;
  }
  switch (name) {
    case 'Policy':
    case 'DeliveryPolicy':
      return checkJson(name, value);
    case 'ArchivePolicy':
      if (!fifo) throw invalidParameter('AttributeName');
      return checkJson(name, value);
    case 'TracingConfig':
      return checkChoice(name, value, ['Active', 'PassThrough']);
    case 'SignatureVersion':
      return checkChoice(name, value, ['1', '2']);
    case 'ContentBasedDeduplication':
      if (!fifo) throw invalidParameter('ContentBasedDeduplication Reason: Content based deduplication can only be set for FIFO topics');
      return checkChoice(name, value, ['true', 'false']);
    case 'FifoThroughputScope':
      if (!fifo) throw invalidParameter('FifoThroughputScope Reason: FifoThroughputScope can only be set for FIFO topics');
      return checkChoice(name, value, ['Topic', 'MessageGroup']);
    default:
      throw invalidParameter('AttributeName');
  }
}

/** GetTopicAttributes: what the owner set plus what SNS computes. */
export function topicAttributes(topic: TopicRecord, subs: SubscriptionRecord[]): Record<string, string> {
  const confirmed = subs.filter((s) => !s.pending).length;
  const out: Record<string, string> = {
    Policy: defaultTopicPolicy(topic),
    Owner: topic.accountId,
    SubscriptionsPending: String(subs.length - confirmed),
    TopicArn: topic.arn,
    EffectiveDeliveryPolicy: JSON.stringify(effectiveTopicDeliveryPolicy(topic)),
    SubscriptionsConfirmed: String(confirmed),
    DisplayName: '',
    SubscriptionsDeleted: '0',
  };
  if (topic.fifo) Object.assign(out, { FifoTopic: 'true', ContentBasedDeduplication: 'false', FifoThroughputScope: 'Topic' });
  return { ...out, ...topic.attributes };
}

export function defaultTopicPolicy(topic: TopicRecord): string {
  const actions = ['GetTopicAttributes', 'SetTopicAttributes', 'AddPermission', 'RemovePermission', 'DeleteTopic', 'Subscribe', 'ListSubscriptionsByTopic', 'Publish'];
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [{
      Sid: '__default_statement_ID', Effect: 'Allow', Principal: { AWS: '*' }, Action: actions.map((a) => `SNS:${a}`),
      Resource: topic.arn, Condition: { StringEquals: { 'AWS:SourceOwner': topic.accountId } },
    }],
  });
}

function effectiveTopicDeliveryPolicy(topic: TopicRecord): Record<string, unknown> {
  const given = topic.attributes.DeliveryPolicy ? (JSON.parse(topic.attributes.DeliveryPolicy) as { http?: Record<string, unknown> }) : {};
  const http = given.http ?? {};
  return {
    http: {
      defaultHealthyRetryPolicy: { ...DEFAULT_HTTP_RETRY, ...(http.defaultHealthyRetryPolicy as object | undefined) },
      disableSubscriptionOverrides: http.disableSubscriptionOverrides ?? false,
      defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8', ...(http.defaultRequestPolicy as object | undefined) },
    },
  };
}

/** The retry policy and content type an HTTP/S subscription is delivered with. */
export function httpPolicy(topic: TopicRecord | undefined, sub: SubscriptionRecord): { retry: RetryPolicy; contentType: string } {
  const topicPolicy = topic ? (effectiveTopicDeliveryPolicy(topic).http as Record<string, Record<string, unknown>>) : undefined;
  const own = sub.attributes.DeliveryPolicy ? (JSON.parse(sub.attributes.DeliveryPolicy) as Record<string, Record<string, unknown> | undefined>) : {};
  const overrides = topicPolicy?.disableSubscriptionOverrides === (true as unknown) ? {} : own;
  return {
    retry: { ...DEFAULT_HTTP_RETRY, ...topicPolicy?.defaultHealthyRetryPolicy, ...overrides.healthyRetryPolicy } as RetryPolicy,
    contentType: String(overrides.requestPolicy?.headerContentType ?? topicPolicy?.defaultRequestPolicy?.headerContentType ?? 'text/plain; charset=UTF-8'),
  };
}

const SUBSCRIPTION_ATTRIBUTES = new Set(['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy']);
const RAW_PROTOCOLS = new Set(['http', 'https', 'sqs', 'firehose']);

/** Checks one subscription attribute against the subscription it would apply to. */
export function checkSubscriptionAttribute(name: string, value: string, protocol: string, attrs: Record<string, string>): void {
  if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalidParameter('AttributeName');
  switch (name) {
    case 'RawMessageDelivery':
      checkChoice(name, value.toLowerCase(), ['true', 'false']);
      if (!RAW_PROTOCOLS.has(protocol) && value.toLowerCase() === 'true') {
        throw invalidParameter(`Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`);
      }
      return;
    case 'FilterPolicyScope':
      if (value !== 'MessageAttributes' && value !== 'MessageBody') {
        throw invalidParameter(`FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
      }
      if (attrs.FilterPolicy) checkFilterPolicy(attrs.FilterPolicy, value);
      return;
    case 'FilterPolicy':
      if (value !== '') checkFilterPolicy(value, (attrs.FilterPolicyScope as FilterScope | undefined) ?? 'MessageAttributes');
      return;
    case 'RedrivePolicy':
      return checkRedrivePolicy(value);
    case 'DeliveryPolicy':
      return checkJson(name, value);
    default:
      return;
  }
}

export function checkFilterPolicy(value: string, scope: FilterScope): void {
  try {
    parseFilterPolicy(value, scope);
  } catch (e) {
    if (e instanceof FilterPolicyError) throw invalidParameter(`FilterPolicy: ${e.message}`);
    throw e;
  }
}

function checkRedrivePolicy(value: string): void {
  if (value === '') return;
  let doc: { deadLetterTargetArn?: unknown };
  try {
    doc = JSON.parse(value) as { deadLetterTargetArn?: unknown };
  } catch {
    throw invalidParameter('RedrivePolicy: failed to parse JSON.');
  }
  if (typeof doc?.deadLetterTargetArn !== 'string') throw invalidParameter('RedrivePolicy: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (!/^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w.-]+$/.test(doc.deadLetterTargetArn)) {
    throw invalidParameter('RedrivePolicy: deadLetterTargetArn is an invalid arn');
  }
}

/** GetSubscriptionAttributes. */
export function subscriptionAttributes(sub: SubscriptionRecord, topic: TopicRecord | undefined): Record<string, string> {
  const out: Record<string, string> = {
    ConfirmationWasAuthenticated: String(sub.authenticated),
    Owner: sub.owner,
    RawMessageDelivery: 'false',
    TopicArn: sub.topicArn,
    Endpoint: sub.endpoint,
    Protocol: sub.protocol,
    PendingConfirmation: String(sub.pending),
    SubscriptionArn: sub.arn,
    SubscriptionPrincipal: `arn:aws:iam::${sub.owner}:root`,
  };
  if (sub.protocol === 'http' || sub.protocol === 'https') {
    const { retry, contentType } = httpPolicy(topic, sub);
    out.EffectiveDeliveryPolicy = JSON.stringify({ healthyRetryPolicy: retry, requestPolicy: { headerContentType: contentType } });
  }
  const attrs = { ...sub.attributes };
  if (attrs.FilterPolicy) attrs.FilterPolicyScope ??= 'MessageAttributes';
  return { ...out, ...attrs };
}

function checkJson(name: string, value: string): void {
  try {
    const doc: unknown = JSON.parse(value);
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return;
  } catch {
    // fall through
  }
  throw invalidParameter(`${name}: failed to parse JSON.`);
}

function checkChoice(name: string, value: string, allowed: string[]): void {
  if (!allowed.includes(value)) throw invalidParameter(`${name}: Invalid value [${value}]. Valid values are: ${allowed.join(', ')}`);
}
