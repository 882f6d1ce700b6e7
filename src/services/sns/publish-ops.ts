import { createHash } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { BatchResultErrorEntry, PublishBatchResultEntry, PublishInput, SnsOperations } from '../../aws/models/generated/sns.js';
import { isServiceError, ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import type { Sns } from './context.js';
import { invalidParameter } from './errors.js';
import { checkPublish, type Notification } from './message.js';
import { parseTopicArn, type TopicRecord } from './store.js';
import { smsText } from './targets.js';

type Ops = Partial<SnsOperations<RequestContext>>;

const DEDUP_WINDOW_MS = 5 * 60_000;
const MAX_BATCH_BYTES = 262_144;

/** Publish and PublishBatch: check the message, apply FIFO rules, fan out to subscriptions. */
export function publishOperations(sns: Sns): Ops {
  const publish = (topic: TopicRecord, input: Omit<PublishInput, 'TopicArn'>) => publishToTopic(sns, topic, input);

  return {
    async Publish(input) {
      if (input.PhoneNumber && !input.TopicArn && !input.TargetArn) return publishSms(sns, input);
      if (input.TopicArn && input.TargetArn) throw invalidParameter('TopicArn Reason: Only one of TopicArn or TargetArn may be specified');
      const arn = input.TopicArn ?? input.TargetArn;
      if (!arn) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
      if (!input.TopicArn && !parseTopicArn(arn)) throw invalidParameter('TargetArn Reason: Slipway publishes to topics and phone numbers; mobile push endpoints are not emulated');
      return publish(sns.store.topic(arn), input);
    },

    async PublishBatch(input) {
      const topic = sns.store.topic(input.TopicArn);
      const entries = input.PublishBatchRequestEntries;
      checkBatch(entries.map((e) => e.Id));
      const bytes = entries.reduce((n, e) => n + Buffer.byteLength(e.Message ?? ''), 0);
      if (bytes > MAX_BATCH_BYTES) throw new ServiceError('BatchRequestTooLongException', 'The length of all the messages put together is more than the limit.');
      if (topic.fifo && entries.some((e) => !e.MessageGroupId)) throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
      const Successful: PublishBatchResultEntry[] = [];
      const Failed: BatchResultErrorEntry[] = [];
      for (const entry of entries) {
        try {
          Successful.push({ Id: entry.Id, ...publish(topic, entry) });
        } catch (e) {
          if (!isServiceError(e)) throw e;
          Failed.push({ Id: entry.Id, Code: e.code.replace(/Exception$/, ''), Message: e.message, SenderFault: e.senderFault });
        }
      }
      return { Successful, Failed };
    },
  };
}

function publishToTopic(sns: Sns, topic: TopicRecord, input: Omit<PublishInput, 'TopicArn'>): { MessageId: string; SequenceNumber?: string } {
  const checked = checkPublish(input);
  const n: Notification = { messageId: uuid(), ...checked, timestamp: sns.delivery.timestamp() };
  if (!topic.fifo) {
    if (input.MessageDeduplicationId !== undefined) {
      throw invalidParameter('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    }
    n.groupId = input.MessageGroupId;
    sns.delivery.fanOut(topic, n);
    return { MessageId: n.messageId };
  }
  if (!input.MessageGroupId) throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
  let dedupId = input.MessageDeduplicationId;
  if (dedupId === undefined) {
    if (topic.attributes.ContentBasedDeduplication !== 'true') {
      throw invalidParameter('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
    dedupId = createHash('sha256').update(input.Message, 'utf8').digest('hex');
  }
  return sns.db.transaction(() => {
    const now = sns.clock.now();
    const key = `${topic.name}/${dedupId}`;
    const dup = sns.store.dedup.get(topic, key);
    if (dup && dup.expiresAt > now) return { MessageId: dup.messageId, SequenceNumber: dup.sequenceNumber };
    topic.sequence += 1;
    sns.store.topics.put(topic, topic.name, topic);
    Object.assign(n, { groupId: input.MessageGroupId, dedupId, sequenceNumber: (10n ** 19n + BigInt(topic.sequence)).toString() });
    sns.store.dedup.put(topic, key, { dedupId, messageId: n.messageId, sequenceNumber: n.sequenceNumber!, expiresAt: now + DEDUP_WINDOW_MS / sns.clock.timeScale });
    if (topic.sequence % 100 === 0) pruneDedup(sns, topic, now);
    sns.delivery.fanOut(topic, n);
    return { MessageId: n.messageId, SequenceNumber: n.sequenceNumber };
  });
}

function pruneDedup(sns: Sns, topic: TopicRecord, now: number): void {
  for (const entry of sns.store.dedup.list(topic, `${topic.name}/`)) {
    if (entry.expiresAt <= now) sns.store.dedup.delete(topic, `${topic.name}/${entry.dedupId}`);
  }
}

/** Publish with PhoneNumber: one SMS, written to the outbox. */
function publishSms(sns: Sns, input: PublishInput): { MessageId: string } {
  const phone = input.PhoneNumber!;
  if (!/^\+[1-9][0-9]{4,14}$/.test(phone)) throw invalidParameter('PhoneNumber Reason: +' + phone.replace(/^\+/, '') + ' is not valid to publish to');
  const checked = checkPublish(input);
  const messageId = uuid();
  sns.delivery.sms(phone, smsText(undefined, checked.perProtocol?.sms ?? checked.message), messageId);
  return { MessageId: messageId };
}

function checkBatch(ids: string[]): void {
  if (ids.length === 0) throw new ServiceError('EmptyBatchRequestException', "The batch request doesn't contain any entries.");
  if (ids.length > 10) throw new ServiceError('TooManyEntriesInBatchRequestException', 'The batch request contains more entries than permissible.');
  if (new Set(ids).size !== ids.length) throw new ServiceError('BatchEntryIdsNotDistinctException', 'Two or more batch entries in the request have the same Id.');
  if (ids.some((id) => !/^[\w-]{1,80}$/.test(id))) {
    throw new ServiceError('InvalidBatchEntryIdException', "The Id of a batch entry in a batch request doesn't abide by the specification.");
  }
}
