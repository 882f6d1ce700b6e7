import type { Clock } from '../../core/clock.js';
import { hexId, uuid } from '../../core/ids.js';
import type { Database } from '../../state/database.js';
import { redrivePolicy } from './attributes.js';
import { messageNotInflight, receiptHandleExpired, receiptHandleIsInvalid } from './errors.js';
import { LongPoll } from './long-poll.js';
import type { PreparedMessage } from './message-input.js';
import type { Counts, MessageRow, MessageStore } from './message-store.js';
import { parseQueueArn, queueArn } from './queue-url.js';
import { sequenceNumber, type SendPlan } from './send-rules.js';
import type { QueueRecord, QueueStore } from './store.js';

export interface Sent {
  messageId: string;
  sequenceNumber?: string;
}

/** A message handed out by a receive, with the receipt handle of this receipt. */
export interface Received {
  row: MessageRow;
  receiptHandle: string;
}

const DEDUP_WINDOW_MS = 5 * 60_000;
const SWEEP_EVERY_MS = 60_000;

/**
 * Message life cycle on top of the stores: sending (with FIFO deduplication), receiving
 * (visibility timeouts, FIFO group order, dead-lettering past maxReceiveCount), deleting and
 * changing visibility by receipt handle. Durations are AWS time, scaled by the clock.
 */
export class QueueEngine {
  readonly polls: LongPoll;
  private readonly lastSweep = new Map<number, number>();

  constructor(
    private readonly db: Database,
    private readonly queues: QueueStore,
    private readonly messages: MessageStore,
    private readonly clock: Clock,
  ) {
    this.polls = new LongPoll(clock);
  }

  /** Clock time `awsMs` of AWS time from now. */
  later(awsMs: number): number {
    return this.clock.now() + awsMs / this.clock.timeScale;
  }

  send(queue: QueueRecord, message: PreparedMessage, plan: SendPlan, senderId: string): Sent {
    const now = this.clock.now();
    const sent = this.db.transaction((): Sent => {
      if (plan.dedupKey) {
        const dup = this.messages.findDuplicate(queue.id, plan.dedupKey, now);
        if (dup) return { messageId: dup.message_id, sequenceNumber: dup.sequence_number ?? undefined };
      }
      const messageId = uuid();
      const seq = this.messages.insert({
        queue_id: queue.id, message_id: messageId, body: message.body, md5_body: message.md5Body,
        attributes: message.attributes, md5_attributes: message.md5Attributes ?? null,
        system_attributes: message.systemAttributes, md5_system: message.md5System ?? null,
        sender_id: senderId, sent_at: now, visible_at: this.later(plan.delaySeconds * 1000),
        group_id: plan.groupId, dedup_id: plan.dedupId, dlq_source: null,
      });
      const sequence = queue.fifo ? sequenceNumber(seq) : undefined;
      if (plan.dedupKey) this.messages.remember(queue.id, plan.dedupKey, messageId, sequence ?? null, this.later(DEDUP_WINDOW_MS));
      return { messageId, sequenceNumber: sequence };
    });
    if (plan.delaySeconds === 0) this.polls.notify(queue.id);
    return sent;
  }

  /** Takes up to `max` visible messages and hides them for `visibilitySeconds`. */
  receive(queue: QueueRecord, max: number, visibilitySeconds: number): Received[] {
    const now = this.clock.now();
    this.sweep(queue, now);
    const cutoff = this.retentionCutoff(queue, now);
    const policy = redrivePolicy(queue.attributes);
    const dlq = policy && this.deadLetterQueue(policy.deadLetterTargetArn);
    const { take, dead } = queue.fifo ? this.fifoCandidates(queue, now, cutoff, max, policy?.maxReceiveCount) : this.candidates(queue, now, cutoff, max, policy?.maxReceiveCount);
    const visibleAt = this.later(visibilitySeconds * 1000);
    const out = this.db.transaction(() => {
      if (dlq) for (const row of dead) this.messages.move(row.seq, dlq.id, now, dlq.fifo ? now : row.sent_at, queueArn(queue));
      const limit = dlq ? take : [...dead, ...take].sort((a, b) => a.seq - b.seq).slice(0, max);
      return limit.map((row) => {
        const token = hexId(24);
        this.messages.markReceived(row.seq, visibleAt, now, token);
        const updated = { ...row, receive_count: row.receive_count + 1, first_received_at: row.first_received_at ?? now, visible_at: visibleAt };
        return { row: updated, receiptHandle: encodeHandle(queue.id, row.seq, token) };
      });
    });
    if (dlq && dead.length) this.polls.notify(dlq.id);
    return out;
  }

  private candidates(queue: QueueRecord, now: number, cutoff: number, max: number, maxReceives: number | undefined) {
    const take: MessageRow[] = [];
    const dead: MessageRow[] = [];
    for (const row of this.messages.visible(queue.id, now, max + 10)) {
      if (take.length >= max) break;
      if (row.sent_at <= cutoff) continue;
      (maxReceives !== undefined && row.receive_count >= maxReceives ? dead : take).push(row);
    }
    return { take, dead };
  }

  /** FIFO: messages in send order, skipping groups with a message in flight or not yet visible. */
  private fifoCandidates(queue: QueueRecord, now: number, cutoff: number, max: number, maxReceives: number | undefined) {
    const take: MessageRow[] = [];
    const dead: MessageRow[] = [];
    const blocked = this.messages.busyGroups(queue.id, now);
    for (const row of this.messages.inOrder(queue.id)) {
      if (take.length >= max) break;
      const group = row.group_id ?? '';
      if (blocked.has(group) || row.sent_at <= cutoff) continue;
      if (row.visible_at > now) blocked.add(group);
      else (maxReceives !== undefined && row.receive_count >= maxReceives ? dead : take).push(row);
    }
    return { take, dead };
  }

  private deadLetterQueue(arn: string): QueueRecord | undefined {
    const ref = parseQueueArn(arn);
    return ref && this.queues.get(ref);
  }

  /** Deletes by receipt handle; a stale handle succeeds without deleting, as SQS documents. */
  delete(queue: QueueRecord, handle: string): void {
    const row = this.lookup(queue, handle);
    if (!row) return;
    if (queue.fifo && row.visible_at <= this.clock.now()) throw receiptHandleExpired(handle);
    this.messages.delete(row.seq);
  }

  changeVisibility(queue: QueueRecord, handle: string, seconds: number): void {
    const row = this.lookup(queue, handle);
    if (!row) throw receiptHandleExpired(handle);
    if (row.visible_at <= this.clock.now()) throw messageNotInflight();
    this.messages.setVisibleAt(row.seq, this.later(seconds * 1000));
    if (seconds === 0) this.polls.notify(queue.id);
  }

  /** The message a handle names if it is still the latest receipt of a message in this queue. */
  private lookup(queue: QueueRecord, handle: string): MessageRow | undefined {
    const parsed = decodeHandle(handle);
    if (!parsed || parsed.queueId !== queue.id) throw receiptHandleIsInvalid(handle);
    const row = this.messages.get(parsed.seq);
    return row && row.queue_id === queue.id && row.receipt === parsed.token ? row : undefined;
  }

  /**
   * Moves the visible messages of a dead-letter queue to the queue `destination` picks for each
   * (a fixed queue, or the one it was dead-lettered from), as a message move task does.
   */
  redrive(dlq: QueueRecord, destination: (row: MessageRow) => QueueRecord | undefined): { moved: number; unplaced: number } {
    const now = this.clock.now();
    const rows = [...this.messages.inOrder(dlq.id)].filter((r) => r.visible_at <= now);
    const touched = new Set<number>();
    const moved = this.db.transaction(() => {
      let n = 0;
      for (const row of rows) {
        const to = destination(row);
        if (!to) continue;
        // Standard queues keep the original enqueue time for retention, as on a dead-letter move.
        this.messages.move(row.seq, to.id, now, to.fifo ? now : row.sent_at, null);
        touched.add(to.id);
        n++;
      }
      return n;
    });
    for (const id of touched) this.polls.notify(id);
    return { moved, unplaced: rows.length - moved };
  }

  purge(queue: QueueRecord): void {
    this.messages.purge(queue.id);
  }

  drop(queue: QueueRecord): void {
    this.messages.drop(queue.id);
    this.polls.notify(queue.id);
  }

  counts(queue: QueueRecord): Counts {
    const now = this.clock.now();
    return this.messages.counts(queue.id, now, this.retentionCutoff(queue, now));
  }

  /** When the next delayed or in-flight message of the queue becomes visible. */
  nextVisibleAt(queue: QueueRecord): number | undefined {
    return this.messages.nextVisibleAt(queue.id, this.clock.now());
  }

  private retentionCutoff(queue: QueueRecord, now: number): number {
    return now - Number(queue.attributes.MessageRetentionPeriod) * 1000 / this.clock.timeScale;
  }

  /** Deletes expired messages and deduplication records now and then, not on every receive. */
  private sweep(queue: QueueRecord, now: number): void {
    const last = this.lastSweep.get(queue.id) ?? 0;
    if (now - last < SWEEP_EVERY_MS / this.clock.timeScale) return;
    this.lastSweep.set(queue.id, now);
    this.messages.expire(queue.id, this.retentionCutoff(queue, now), now);
  }

  reset(): void {
    this.lastSweep.clear();
  }
}

/** Receipt handles name the queue row, the message and this receipt's token. */
function encodeHandle(queueId: number, seq: number, token: string): string {
  return Buffer.from(`slipway:${queueId}:${seq}:${token}`, 'utf8').toString('base64');
}

function decodeHandle(handle: string): { queueId: number; seq: number; token: string } | undefined {
  const m = /^slipway:(\d+):(\d+):([0-9a-f]+)$/.exec(Buffer.from(handle, 'base64').toString('utf8'));
  return m ? { queueId: Number(m[1]), seq: Number(m[2]), token: m[3] } : undefined;
}
