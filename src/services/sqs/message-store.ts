import type { Statement } from 'better-sqlite3';
import type { Database } from '../../state/database.js';

/** A message row. Times are epoch ms; a message is in flight when received and not yet visible. */
export interface MessageRow {
  seq: number;
  queue_id: number;
  message_id: string;
  body: string;
  md5_body: string;
  attributes: string | null;
  md5_attributes: string | null;
  system_attributes: string | null;
  md5_system: string | null;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_received_at: number | null;
  receipt: string | null;
  group_id: string | null;
  dedup_id: string | null;
  dlq_source: string | null;
}

export type NewMessage = Omit<MessageRow, 'seq' | 'receive_count' | 'first_received_at' | 'receipt'>;

export interface Counts {
  visible: number;
  inFlight: number;
  delayed: number;
}

/**
 * Messages and FIFO deduplication records in SQLite. The index on (queue, visible_at, seq)
 * serves receives: the oldest visible messages of a queue are the first entries of a range.
 */
export class MessageStore {
  private readonly s: Record<string, Statement>;

  constructor(db: Database) {
    db.migrate(
      'sqs-messages-v1',
      `CREATE TABLE sqs_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, queue_id INTEGER NOT NULL, message_id TEXT NOT NULL,
         body TEXT NOT NULL, md5_body TEXT NOT NULL, attributes TEXT, md5_attributes TEXT, system_attributes TEXT, md5_system TEXT,
         sender_id TEXT NOT NULL, sent_at INTEGER NOT NULL, visible_at INTEGER NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0,
         first_received_at INTEGER, receipt TEXT, group_id TEXT, dedup_id TEXT, dlq_source TEXT);
       CREATE INDEX sqs_messages_visible ON sqs_messages (queue_id, visible_at, seq);
       CREATE TABLE sqs_dedup (queue_id INTEGER NOT NULL, key TEXT NOT NULL, message_id TEXT NOT NULL, sequence_number TEXT,
         expires_at INTEGER NOT NULL, PRIMARY KEY (queue_id, key)) WITHOUT ROWID;`,
    );
    const p = (sql: string) => db.sql.prepare(sql);
    this.s = {
      insert: p(`INSERT INTO sqs_messages (queue_id, message_id, body, md5_body, attributes, md5_attributes, system_attributes, md5_system,
                   sender_id, sent_at, visible_at, group_id, dedup_id, dlq_source)
                 VALUES (@queue_id, @message_id, @body, @md5_body, @attributes, @md5_attributes, @system_attributes, @md5_system,
                   @sender_id, @sent_at, @visible_at, @group_id, @dedup_id, @dlq_source)`),
      get: p('SELECT * FROM sqs_messages WHERE seq = ?'),
      visible: p('SELECT * FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?'),
      inOrder: p('SELECT * FROM sqs_messages WHERE queue_id = ? ORDER BY seq'),
      busyGroups: p('SELECT DISTINCT group_id FROM sqs_messages WHERE queue_id = ? AND visible_at > ? AND receive_count > 0'),
      received: p('UPDATE sqs_messages SET visible_at = ?, receive_count = receive_count + 1, first_received_at = COALESCE(first_received_at, ?), receipt = ? WHERE seq = ?'),
      visibility: p('UPDATE sqs_messages SET visible_at = ? WHERE seq = ?'),
      move: p('UPDATE sqs_messages SET queue_id = ?, visible_at = ?, sent_at = ?, receive_count = 0, first_received_at = NULL, receipt = NULL, dlq_source = ? WHERE seq = ?'),
      remove: p('DELETE FROM sqs_messages WHERE seq = ?'),
      purge: p('DELETE FROM sqs_messages WHERE queue_id = ?'),
      expire: p('DELETE FROM sqs_messages WHERE queue_id = ? AND sent_at <= ?'),
      counts: p(`SELECT COUNT(*) FILTER (WHERE visible_at <= @now) AS visible,
                   COUNT(*) FILTER (WHERE visible_at > @now AND receive_count > 0) AS inFlight,
                   COUNT(*) FILTER (WHERE visible_at > @now AND receive_count = 0) AS delayed
                 FROM sqs_messages WHERE queue_id = @queue AND sent_at > @cutoff`),
      nextVisible: p('SELECT MIN(visible_at) AS at FROM sqs_messages WHERE queue_id = ? AND visible_at > ?'),
      dedupGet: p('SELECT message_id, sequence_number FROM sqs_dedup WHERE queue_id = ? AND key = ? AND expires_at > ?'),
      dedupPut: p('INSERT OR REPLACE INTO sqs_dedup (queue_id, key, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)'),
      dedupExpire: p('DELETE FROM sqs_dedup WHERE queue_id = ? AND expires_at <= ?'),
      dedupPurge: p('DELETE FROM sqs_dedup WHERE queue_id = ?'),
    };
  }

  insert(message: NewMessage): number {
    return Number(this.s.insert.run(message).lastInsertRowid);
  }

  get(seq: number): MessageRow | undefined {
    return this.s.get.get(seq) as MessageRow | undefined;
  }

  /** Up to `limit` visible messages, earliest visible first. */
  visible(queueId: number, now: number, limit: number): MessageRow[] {
    return this.s.visible.all(queueId, now, limit) as MessageRow[];
  }

  /** Every message of a queue in send order, read lazily (FIFO receives stop early). */
  inOrder(queueId: number): IterableIterator<MessageRow> {
    return this.s.inOrder.iterate(queueId) as IterableIterator<MessageRow>;
  }

  /** FIFO message groups with a message in flight; no other message of theirs may be received. */
  busyGroups(queueId: number, now: number): Set<string> {
    return new Set((this.s.busyGroups.all(queueId, now) as { group_id: string }[]).map((r) => r.group_id));
  }

  markReceived(seq: number, visibleAt: number, now: number, receipt: string): void {
    this.s.received.run(visibleAt, now, receipt, seq);
  }

  setVisibleAt(seq: number, visibleAt: number): void {
    this.s.visibility.run(visibleAt, seq);
  }

  /** Moves a message to another queue as if it had just arrived there; `source` is set for a dead-letter queue. */
  move(seq: number, queueId: number, now: number, sentAt: number, source: string | null): void {
    this.s.move.run(queueId, now, sentAt, source, seq);
  }

  delete(seq: number): boolean {
    return this.s.remove.run(seq).changes > 0;
  }

  purge(queueId: number): void {
    this.s.purge.run(queueId);
  }

  /** Deletes a queue's messages and deduplication records. */
  drop(queueId: number): void {
    this.s.purge.run(queueId);
    this.s.dedupPurge.run(queueId);
  }

  /** Removes messages past the retention period and expired deduplication records. */
  expire(queueId: number, sentCutoff: number, now: number): void {
    this.s.expire.run(queueId, sentCutoff);
    this.s.dedupExpire.run(queueId, now);
  }

  counts(queueId: number, now: number, cutoff: number): Counts {
    return this.s.counts.get({ queue: queueId, now, cutoff }) as Counts;
  }

  nextVisibleAt(queueId: number, now: number): number | undefined {
    return (this.s.nextVisible.get(queueId, now) as { at: number | null }).at ?? undefined;
  }

  findDuplicate(queueId: number, key: string, now: number): { message_id: string; sequence_number: string | null } | undefined {
    return this.s.dedupGet.get(queueId, key, now) as { message_id: string; sequence_number: string | null } | undefined;
  }

  remember(queueId: number, key: string, messageId: string, sequenceNumber: string | null, expiresAt: number): void {
    this.s.dedupPut.run(queueId, key, messageId, sequenceNumber, expiresAt);
  }
}
