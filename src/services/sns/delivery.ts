import { uuid } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../state/database.js';
import type { EnqueueOptions, JobQueue } from '../../state/job-queue.js';
import { httpPolicy } from './attributes.js';
import { matchesPolicy } from './filter-match.js';
import { parseFilterPolicy, type FilterScope } from './filter-policy.js';
import type { Notification } from './message.js';
import { retryDelay } from './retry.js';
import type { SnsStore, SubscriptionRecord, TopicRecord } from './store.js';
import { deliver, deliveredBody, isRaw, sendConfirmation, sendToQueue, type Outcome, type TargetDeps } from './targets.js';

/** A durable delivery job: one message (or confirmation) for one subscription, and its attempt number. */
export type DeliveryJob =
  | { kind: 'notify'; subscriptionArn: string; attempt: number; notification: Notification }
  | { kind: 'confirm'; subscriptionArn: string; attempt: number; messageId: string; timestamp: string }
  /** An ended subscription travels whole: it is no longer in the store. */
  | { kind: 'unsubscribe'; subscriptionArn: string; attempt: number; messageId: string; timestamp: string; subscription: SubscriptionRecord };

/**
 * Fans published messages out to the matching subscriptions and delivers them in the
 * background through the job queue. Each attempt that fails schedules the next one as a
 * new delayed job, following the protocol's retry policy; when the policy runs out, or the
 * failure is the client's, the message goes to the subscription's dead-letter queue.
 */
export class Delivery {
  private readonly enqueue: (job: DeliveryJob, opts?: EnqueueOptions) => void;

  constructor(
    private readonly db: Database,
    private readonly store: SnsStore,
    jobs: JobQueue,
    private readonly targets: TargetDeps,
    private readonly log: Logger,
  ) {
    this.enqueue = jobs.define<DeliveryJob>('sns-delivery', (job) => this.run(job), {
      concurrency: 16,
      maxAttempts: 1,
      // Handlers schedule their own retries; reaching this means the handler itself broke.
      onExhausted: (job, error) => this.log.error('delivery job failed', { subscription: job.subscriptionArn, error: String(error) }),
    });
  }

  /** Queues a published message for every confirmed subscription whose filter policy matches. */
  fanOut(topic: TopicRecord, n: Notification): void {
    const subs = this.store.topicSubscriptions(topic).filter((s) => !s.pending && this.matches(s, n));
    this.db.transaction(() => {
      for (const sub of subs) this.enqueue({ kind: 'notify', subscriptionArn: sub.arn, attempt: 1, notification: n });
    });
  }

  private matches(sub: SubscriptionRecord, n: Notification): boolean {
    const text = sub.attributes.FilterPolicy;
    if (!text) return true;
    const scope = (sub.attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterScope;
    return matchesPolicy(parseFilterPolicy(text, scope), scope, { attributes: n.attributes, body: n.message });
  }

  /** Sends a new HTTP/S or email subscription its SubscriptionConfirmation. */
  requestConfirmation(sub: SubscriptionRecord): void {
    this.enqueue({ kind: 'confirm', subscriptionArn: sub.arn, attempt: 1, messageId: uuid(), timestamp: this.timestamp() });
  }

  /** Tells an HTTP/S endpoint its subscription ended, as SNS does on Unsubscribe. */
  unsubscribed(sub: SubscriptionRecord): void {
    this.enqueue({ kind: 'unsubscribe', subscriptionArn: sub.arn, attempt: 1, messageId: uuid(), timestamp: this.timestamp(), subscription: sub });
  }

  /** Publish to a phone number: the SMS goes straight to the outbox. */
  sms(phone: string, text: string, messageId: string): void {
    this.targets.outbox.writeSms(phone, text, messageId, new Date(this.targets.clock.now()));
  }

  timestamp(): string {
    return new Date(this.targets.clock.now()).toISOString();
  }

  private async run(job: DeliveryJob): Promise<void> {
    const found = this.lookup(job);
    if (!found) return; // unsubscribed or topic deleted since: nothing to deliver
    const { topic, sub } = found;
    const outcome = job.kind === 'notify'
      ? await deliver(this.targets, topic, sub, job.notification)
      : await sendConfirmation(this.targets, topic, sub, job.kind === 'confirm' ? 'SubscriptionConfirmation' : 'UnsubscribeConfirmation', job.messageId, job.timestamp);
    if (outcome.ok) return;
    const delay = outcome.retry ? retryDelay(sub.protocol, job.attempt, httpPolicy(topic, sub).retry) : undefined;
    if (delay !== undefined) {
      this.enqueue({ ...job, attempt: job.attempt + 1 }, { delayMs: delay });
      return;
    }
    this.log.warn('delivery failed', { subscription: sub.arn, attempts: job.attempt, error: outcome.error });
    if (job.kind === 'notify') await this.deadLetter(topic, sub, job.notification, outcome);
  }

  private lookup(job: DeliveryJob): { topic: TopicRecord; sub: SubscriptionRecord } | undefined {
    try {
      const sub = job.kind === 'unsubscribe' ? job.subscription : this.store.subscription(job.subscriptionArn);
      return { sub, topic: this.store.topic(sub.topicArn) };
    } catch {
      return undefined;
    }
  }

  /** Sends the message as it would have been delivered to the subscription's RedrivePolicy queue. */
  private async deadLetter(topic: TopicRecord, sub: SubscriptionRecord, n: Notification, cause: Outcome): Promise<void> {
    const arn = sub.attributes.RedrivePolicy ? (JSON.parse(sub.attributes.RedrivePolicy) as { deadLetterTargetArn: string }).deadLetterTargetArn : undefined;
    if (!arn) return;
    const result = await sendToQueue(this.targets, arn, deliveredBody(this.targets, topic, sub, n), isRaw(sub) ? n.attributes : {}, n);
    if (result.ok) this.log.info('message dead-lettered', { subscription: sub.arn, queue: arn });
    else this.log.error('dead-lettering failed', { subscription: sub.arn, queue: arn, error: result.error, cause: cause.ok ? '' : cause.error });
  }
}
