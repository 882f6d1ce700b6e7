import type { Scope } from '../../core/scope.js';
import type { Tag } from '../../aws/models/generated/sns.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';
import { invalidParameter, subscriptionNotFound, topicNotFound } from './errors.js';

export interface TopicRecord extends Scope {
  name: string;
  arn: string;
  fifo: boolean;
  /** Attributes the owner set (DisplayName, Policy, DeliveryPolicy...); computed ones are added on read. */
  attributes: Record<string, string>;
  tags: Tag[];
  dataProtectionPolicy?: string;
  /** The last FIFO sequence number handed out. */
  sequence: number;
  createdAt: number;
}

export interface SubscriptionRecord {
  id: string;
  arn: string;
  topicArn: string;
  owner: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
  pending: boolean;
  token?: string;
  authenticated: boolean;
  createdAt: number;
}

/** A FIFO topic's deduplication record: a repeated id within five minutes gets the first answer. */
export interface DedupRecord {
  dedupId: string;
  messageId: string;
  sequenceNumber: string;
  expiresAt: number;
}

/** Topic and subscription ARNs share the topic's account and region; subscriptions add `:<id>`. */
export function parseTopicArn(arn: string): (Scope & { name: string }) | undefined {
  const m = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([\w-]{1,256}(?:\.fifo)?)$/.exec(arn);
  return m ? { region: m[1], accountId: m[2], name: m[3] } : undefined;
}

export function parseSubscriptionArn(arn: string): (Scope & { topic: string; id: string }) | undefined {
  const m = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([\w-]{1,256}(?:\.fifo)?):([0-9a-f-]{36})$/.exec(arn);
  return m ? { region: m[1], accountId: m[2], topic: m[3], id: m[4] } : undefined;
}

/** Topics keyed by name; subscriptions keyed `<topic>/<id>` so a topic's are one prefix scan. */
export class SnsStore {
  readonly topics: Collection<TopicRecord>;
  readonly subscriptions: Collection<SubscriptionRecord>;
  readonly dedup: Collection<DedupRecord>;

  constructor(db: Database) {
    this.topics = new Collection(db, 'sns.topics');
    this.subscriptions = new Collection(db, 'sns.subscriptions');
    this.dedup = new Collection(db, 'sns.dedup');
  }

  /** The topic an ARN names, from the ARN's own account and region. */
  topic(arn: string): TopicRecord {
    const ref = parseTopicArn(arn);
    if (!ref) throw invalidParameter('TopicArn');
    const topic = this.topics.get(ref, ref.name);
    if (!topic) throw topicNotFound();
    return topic;
  }

  topicSubscriptions(topic: TopicRecord): SubscriptionRecord[] {
    return this.subscriptions.list(topic, `${topic.name}/`);
  }

  subscription(arn: string): SubscriptionRecord {
    const ref = parseSubscriptionArn(arn);
    if (!ref) throw invalidParameter('SubscriptionArn');
    const sub = this.subscriptions.get(ref, `${ref.topic}/${ref.id}`);
    if (!sub) throw subscriptionNotFound();
    return sub;
  }

  saveSubscription(sub: SubscriptionRecord): void {
    const ref = parseSubscriptionArn(sub.arn)!;
    this.subscriptions.put(ref, `${ref.topic}/${ref.id}`, sub);
  }

  deleteSubscription(sub: SubscriptionRecord): void {
    const ref = parseSubscriptionArn(sub.arn)!;
    this.subscriptions.delete(ref, `${ref.topic}/${ref.id}`);
  }
}
