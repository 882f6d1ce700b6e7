import type { RequestContext } from '../../aws/gateway/context.js';
import type { SnsOperations, Subscription } from '../../aws/models/generated/sns.js';
import { parseArn } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { hexId, uuid } from '../../core/ids.js';
import { paginate } from '../common/paging.js';
import { checkSubscriptionAttribute, subscriptionAttributes } from './attributes.js';
import type { Sns } from './context.js';
import { invalidParameter } from './errors.js';
import type { SubscriptionRecord, TopicRecord } from './store.js';

type Ops = Partial<SnsOperations<RequestContext>>;

const PROTOCOLS = new Set(['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'lambda', 'application', 'firehose']);
const NEEDS_CONFIRMATION = new Set(['http', 'https', 'email', 'email-json']);
const CLEARABLE = new Set(['FilterPolicy', 'RedrivePolicy', 'DeliveryPolicy', 'ReplayPolicy', 'SubscriptionRoleArn']);

/** Subscriptions: subscribe (confirmed at once, or after the endpoint confirms), list, attributes, unsubscribe. */
export function subscriptionOperations(sns: Sns): Ops {
  const { store, delivery } = sns;
  const nextPage = () => invalidParameter('NextToken');
  const listed = (s: SubscriptionRecord): Subscription => ({
    SubscriptionArn: s.pending ? 'PendingConfirmation' : s.arn, Owner: s.owner, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn,
  });

  return {
    async Subscribe(input, ctx) {
      const topic = store.topic(input.TopicArn);
      const protocol = input.Protocol.toLowerCase();
      const endpoint = checkEndpoint(protocol, input.Endpoint, topic);
      const attrs = { ...(input.Attributes ?? {}) };
      for (const [name, value] of Object.entries(attrs)) checkSubscriptionAttribute(name, value, protocol, attrs);
      const existing = store.topicSubscriptions(topic).find((s) => s.protocol === protocol && s.endpoint === endpoint);
      if (existing) {
        if (Object.entries(attrs).some(([k, v]) => (existing.attributes[k] ?? '') !== v)) {
          throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
        }
        return { SubscriptionArn: existing.pending && !input.ReturnSubscriptionArn ? 'pending confirmation' : existing.arn };
      }
      const id = uuid();
      const pending = NEEDS_CONFIRMATION.has(protocol);
      const sub: SubscriptionRecord = {
        id, arn: `${topic.arn}:${id}`, topicArn: topic.arn, owner: ctx.accountId, protocol, endpoint, attributes: attrs,
        pending, token: hexId(128), authenticated: false, createdAt: sns.clock.now(),
      };
      sns.db.transaction(() => {
        store.saveSubscription(sub);
        if (pending) delivery.requestConfirmation(sub);
      });
      return { SubscriptionArn: pending && !input.ReturnSubscriptionArn ? 'pending confirmation' : sub.arn };
    },

    async ConfirmSubscription(input) {
      const topic = store.topic(input.TopicArn);
      const sub = store.topicSubscriptions(topic).find((s) => s.token === input.Token);
      if (!sub) throw invalidParameter('Invalid token');
      if (sub.pending) {
        sub.pending = false;
        sub.authenticated = input.AuthenticateOnUnsubscribe === 'true';
        store.saveSubscription(sub);
      }
      return { SubscriptionArn: sub.arn };
    },

    async Unsubscribe(input, ctx) {
      const sub = store.subscription(input.SubscriptionArn);
      if (sub.authenticated && ctx.protocol !== 'internal' && !ctx.headers.authorization) {
        throw new ServiceError('AuthorizationErrorException', 'Unsubscribe requires authentication for this subscription (AuthenticateOnUnsubscribe was set when it was confirmed).');
      }
      sns.db.transaction(() => {
        store.deleteSubscription(sub);
        if (!sub.pending && (sub.protocol === 'http' || sub.protocol === 'https')) delivery.unsubscribed(sub);
      });
      return {};
    },

    async ListSubscriptions(input, ctx) {
      const page = paginate(store.subscriptions.list(ctx), (s) => s.arn, input.NextToken, 100, nextPage);
      return { Subscriptions: page.items.map(listed), NextToken: page.next };
    },

    async ListSubscriptionsByTopic(input) {
      const topic = store.topic(input.TopicArn);
      const page = paginate(store.topicSubscriptions(topic), (s) => s.arn, input.NextToken, 100, nextPage);
      return { Subscriptions: page.items.map(listed), NextToken: page.next };
    },

    async GetSubscriptionAttributes(input) {
      const sub = store.subscription(input.SubscriptionArn);
      const topic = safeTopic(sns, sub.topicArn);
      return { Attributes: subscriptionAttributes(sub, topic) };
    },

    async SetSubscriptionAttributes(input) {
      const sub = store.subscription(input.SubscriptionArn);
      const value = input.AttributeValue ?? '';
      checkSubscriptionAttribute(input.AttributeName, value, sub.protocol, sub.attributes);
      if (value === '' && CLEARABLE.has(input.AttributeName)) delete sub.attributes[input.AttributeName];
      else sub.attributes[input.AttributeName] = input.AttributeName === 'RawMessageDelivery' ? value.toLowerCase() : value;
      store.saveSubscription(sub);
      return {};
    },
  };
}

function safeTopic(sns: Sns, arn: string): TopicRecord | undefined {
  try {
    return sns.store.topic(arn);
  } catch {
    return undefined;
  }
}

/** Checks that an endpoint fits its protocol and the topic's type; answers the endpoint to store. */
function checkEndpoint(protocol: string, endpoint: string | undefined, topic: TopicRecord): string {
  if (!PROTOCOLS.has(protocol)) throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
  if (protocol === 'application' || protocol === 'firehose') {
    throw invalidParameter(`Protocol Reason: Slipway does not deliver to ${protocol} endpoints (mobile push and Kinesis Data Firehose are not emulated)`);
  }
  if (topic.fifo && protocol !== 'sqs') throw invalidParameter(`Invalid protocol type: ${protocol}`);
  if (!endpoint) throw invalidParameter('Endpoint');
  const arn = parseArn(endpoint);
  switch (protocol) {
    case 'http':
    case 'https':
      if (!endpoint.toLowerCase().startsWith(`${protocol}://`) || !URL.canParse(endpoint)) throw invalidParameter('Endpoint must match the specified protocol');
      return endpoint;
    case 'email':
    case 'email-json':
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(endpoint)) throw invalidParameter('Email address');
      return endpoint;
    case 'sms':
      if (!/^\+?[0-9]{5,15}$/.test(endpoint.replace(/[\s()-]/g, ''))) throw invalidParameter('SMS endpoint must be a phone number in E.164 format');
      return endpoint;
    case 'sqs':
      if (arn?.service !== 'sqs') throw invalidParameter('SQS endpoint ARN');
      if (!topic.fifo && arn.resource.endsWith('.fifo')) throw invalidParameter('Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
      return endpoint;
    default:
      if (arn?.service !== 'lambda') throw invalidParameter('Lambda endpoint ARN');
      return endpoint;
  }
}
