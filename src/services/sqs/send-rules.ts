import { createHash } from 'node:crypto';
import { invalidParameter, invalidValue, missingParameter } from './errors.js';
import type { QueueRecord } from './store.js';

export interface SendOptions {
  DelaySeconds?: number;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

/** How a message is to be stored, once its queue type's rules are applied. */
export interface SendPlan {
  delaySeconds: number;
  groupId: string | null;
  dedupId: string | null;
  /** The key duplicates are found by (FIFO only): the id, within its group if deduplication is per group. */
  dedupKey: string | null;
}

const ID = /^[\x21-\x7E]{1,128}$/;

/** Applies SQS's rules for standard and FIFO queues to a message's delay, group and deduplication id. */
export function planSend(queue: QueueRecord, body: string, o: SendOptions): SendPlan {
  if (o.MessageGroupId !== undefined && !ID.test(o.MessageGroupId)) {
    throw invalidValue('MessageGroupId', o.MessageGroupId, 'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
  }
  if (o.MessageDeduplicationId !== undefined && !ID.test(o.MessageDeduplicationId)) {
    throw invalidValue(
      'MessageDeduplicationId', o.MessageDeduplicationId,
      'MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
    );
  }
  return queue.fifo ? planFifo(queue, body, o) : planStandard(queue, o);
}

function planStandard(queue: QueueRecord, o: SendOptions): SendPlan {
  if (o.MessageDeduplicationId !== undefined) {
    throw invalidValue('MessageDeduplicationId', o.MessageDeduplicationId, 'The request includes a parameter that is not valid for this queue type.');
  }
  const delay = o.DelaySeconds ?? Number(queue.attributes.DelaySeconds);
  if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
    throw invalidValue('DelaySeconds', delay, 'DelaySeconds must be >= 0 and <= 900.');
  }
  // Standard queues accept a group id (fair queues) and report it back.
  return { delaySeconds: delay, groupId: o.MessageGroupId ?? null, dedupId: null, dedupKey: null };
}

function planFifo(queue: QueueRecord, body: string, o: SendOptions): SendPlan {
  if (o.DelaySeconds !== undefined && o.DelaySeconds !== 0) {
    throw invalidValue('DelaySeconds', o.DelaySeconds, 'The request include parameter that is not valid for this queue type.');
  }
  if (o.MessageGroupId === undefined) throw missingParameter('MessageGroupId');
  let dedupId = o.MessageDeduplicationId;
  if (dedupId === undefined) {
    if (queue.attributes.ContentBasedDeduplication !== 'true') {
      throw invalidParameter('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
    dedupId = createHash('sha256').update(body, 'utf8').digest('hex');
  }
  const perGroup = queue.attributes.DeduplicationScope === 'messageGroup';
  return {
    delaySeconds: Number(queue.attributes.DelaySeconds),
    groupId: o.MessageGroupId,
    dedupId,
    dedupKey: perGroup ? `${o.MessageGroupId}\u0000${dedupId}` : dedupId,
  };
}

/** FIFO sequence numbers: 20 digits, increasing with every message the server stores. */
export function sequenceNumber(seq: number): string {
  return (10n ** 19n + BigInt(seq)).toString();
}
