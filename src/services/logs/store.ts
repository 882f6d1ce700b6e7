import type { Statement } from 'better-sqlite3';
import type { Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';
import type { MetricTransformation } from '../../aws/models/generated/logs.js';
import { BLOCKS_SCHEMA, BlockStore, type BlockEvent } from './blocks.js';

export interface GroupRow {
  id: number;
  name: string;
  created: number;
  retention: number | null;
  kms: string | null;
  cls: string;
  deletion_protection: number;
  tags: string;
  retention_gen: number;
}

export interface StreamRow {
  id: number;
  group_id: number;
  name: string;
  created: number;
  first_ts: number | null;
  last_ts: number | null;
  last_ingest: number | null;
  /** Events and UTF-8 bytes stored, kept as events come and go (query statistics read them). */
  n: number;
  bytes: number;
  seq: number;
}

/** One stored event; `id` orders events ingested at the same timestamp. */
export interface EventRow {
  id: number;
  stream_id: number;
  ts: number;
  ingest: number;
  message: string;
}

export interface MetricFilterRecord {
  logGroupName: string;
  filterName: string;
  filterPattern: string;
  metricTransformations: MetricTransformation[];
  creationTime: number;
  applyOnTransformedLogs: boolean;
}

export interface SubscriptionFilterRecord {
  logGroupName: string;
  filterName: string;
  filterPattern: string;
  destinationArn: string;
  roleArn?: string;
  distribution: 'Random' | 'ByLogStream';
  creationTime: number;
}

export type QueryStatus = 'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout';

export interface QueryRecord {
  queryId: string;
  queryString: string;
  logGroupNames: string[];
  startTime: number;
  endTime: number;
  limit?: number;
  status: QueryStatus;
  createTime: number;
  finishedTime?: number;
  statistics?: { recordsMatched: number; recordsScanned: number; bytesScanned: number; logGroupsScanned: number };
  error?: string;
}

const SCHEMA = `
CREATE TABLE logs_groups (id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
  created INTEGER NOT NULL, retention INTEGER, kms TEXT, cls TEXT NOT NULL, deletion_protection INTEGER NOT NULL DEFAULT 0,
  tags TEXT NOT NULL DEFAULT '{}', retention_gen INTEGER NOT NULL DEFAULT 0, UNIQUE (account, region, name));
CREATE TABLE logs_streams (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL,
  first_ts INTEGER, last_ts INTEGER, last_ingest INTEGER, n INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
  seq INTEGER NOT NULL DEFAULT 0, UNIQUE (group_id, name));
CREATE TABLE logs_events (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, stream_id INTEGER NOT NULL, ts INTEGER NOT NULL,
  ingest INTEGER NOT NULL, message TEXT NOT NULL);
CREATE INDEX logs_events_group ON logs_events (group_id, ts, stream_id);`;

const QUERY_RESULTS_SCHEMA = `
CREATE TABLE logs_query_results (account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (account, region, id));`;

/** Rows per multi-row INSERT: fewer statement runs per batch. */
const ROWS_PER_INSERT = 50;
const GROUP_COLS = 'id, name, created, retention, kms, cls, deletion_protection, tags, retention_gen';

/**
 * CloudWatch Logs state. Events live in one table of their own, indexed by stream and by
 * group with the timestamp, so reads by time range and scans for queries stay sequential;
 * filters and queries are documents.
 */
export class LogsStore {
  readonly metricFilters: Collection<MetricFilterRecord>;
  readonly subscriptions: Collection<SubscriptionFilterRecord>;
  readonly queries: Collection<QueryRecord>;
  /** Results stored as rows by earlier versions (now kept as text in logs_query_results). */
  private readonly oldQueryResults: Collection<{ field: string; value: string }[][]>;
  /** The search copy of the events (see blocks.ts). */
  readonly blocks: BlockStore;
  /** Bumped when stored events are deleted: cached search results name the count they saw. */
  deletions = 0;
  private readonly s: Record<string, Statement>;

  constructor(readonly db: Database) {
    db.migrate('logs-v1', SCHEMA);
    const hadBlocks = db.sql.prepare("SELECT 1 FROM _migrations WHERE name = 'logs-v2-blocks'").get() !== undefined;
    // Events stored before blocks existed get theirs in the same transaction as the table.
    db.transaction(() => {
      db.migrate('logs-v2-blocks', BLOCKS_SCHEMA);
      if (!hadBlocks) new BlockStore(db).backfill();
    });
    this.blocks = new BlockStore(db);
    this.metricFilters = new Collection(db, 'logs.metric-filters');
    this.subscriptions = new Collection(db, 'logs.subscription-filters');
    this.queries = new Collection(db, 'logs.queries');
    this.oldQueryResults = new Collection(db, 'logs.query-results');
    db.migrate('logs-v3-query-results', QUERY_RESULTS_SCHEMA);
    const p = (sql: string) => db.sql.prepare(sql);
    this.s = {
      group: p(`SELECT ${GROUP_COLS} FROM logs_groups WHERE account = ? AND region = ? AND name = ?`),
      groupById: p(`SELECT ${GROUP_COLS} FROM logs_groups WHERE id = ?`),
      groupsFrom: p(`SELECT ${GROUP_COLS} FROM logs_groups WHERE account = ? AND region = ? AND name > ? ORDER BY name`),
      insertGroup: p('INSERT INTO logs_groups (account, region, name, created, kms, cls, deletion_protection, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      deleteGroup: p('DELETE FROM logs_groups WHERE id = ?'),
      deleteGroupStreams: p('DELETE FROM logs_streams WHERE group_id = ?'),
      deleteGroupEvents: p('DELETE FROM logs_events WHERE group_id = ?'),
      setRetention: p('UPDATE logs_groups SET retention = ?, retention_gen = retention_gen + 1 WHERE id = ?'),
      setKms: p('UPDATE logs_groups SET kms = ? WHERE id = ?'),
      setTags: p('UPDATE logs_groups SET tags = ? WHERE id = ?'),
      setProtection: p('UPDATE logs_groups SET deletion_protection = ? WHERE id = ?'),
      groupBytes: p('SELECT COALESCE(SUM(bytes), 0) AS b FROM logs_streams WHERE group_id = ?'),
      groupEvents: p('SELECT COALESCE(SUM(n), 0) AS n FROM logs_streams WHERE group_id = ?'),
      maxEventId: p('SELECT COALESCE(max(id), 0) AS m FROM logs_events'),
      stream: p('SELECT * FROM logs_streams WHERE group_id = ? AND name = ?'),
      streams: p('SELECT * FROM logs_streams WHERE group_id = ? ORDER BY name'),
      streamNames: p('SELECT id, name FROM logs_streams WHERE group_id = ?'),
      insertStream: p('INSERT INTO logs_streams (group_id, name, created) VALUES (?, ?, ?)'),
      deleteStream: p('DELETE FROM logs_streams WHERE id = ?'),
      deleteStreamEvents: p('DELETE FROM logs_events WHERE group_id = ? AND stream_id = ?'),
      touchStream: p(`UPDATE logs_streams SET first_ts = MIN(COALESCE(first_ts, ?), ?), last_ts = MAX(COALESCE(last_ts, ?), ?),
        last_ingest = ?, n = n + ?, bytes = bytes + ?, seq = seq + 1 WHERE id = ?`),
      insertEvent: p('INSERT INTO logs_events (group_id, stream_id, ts, ingest, message) VALUES (?, ?, ?, ?, ?)'),
      insertEvents: p(`INSERT INTO logs_events (group_id, stream_id, ts, ingest, message) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?, ?)').join(', ')}`),
      expire: p('DELETE FROM logs_events WHERE group_id = ? AND ts < ?'),
      putResults: p('INSERT OR REPLACE INTO logs_query_results (account, region, id, body) VALUES (?, ?, ?, ?)'),
      results: p('SELECT body FROM logs_query_results WHERE account = ? AND region = ? AND id = ?').pluck(),
      recount: p(`UPDATE logs_streams SET
        n = (SELECT count(*) FROM logs_events e WHERE e.group_id = logs_streams.group_id AND e.stream_id = logs_streams.id),
        bytes = (SELECT COALESCE(sum(length(CAST(message AS BLOB))), 0) FROM logs_events e WHERE e.group_id = logs_streams.group_id AND e.stream_id = logs_streams.id),
        first_ts = (SELECT min(ts) FROM logs_events e WHERE e.group_id = logs_streams.group_id AND e.stream_id = logs_streams.id)
        WHERE group_id = ?`),
    };
  }

  /**
   * A query's results as the JSON text GetQueryResults sends, apart from the query record
   * so status checks do not read them; stored as is, not as a JSON document.
   */
  /** Stores a query's results as their JSON in UTF-8 (a blob: read back as the same bytes). */
  putQueryResults(scope: Scope, queryId: string, json: Buffer): void {
    this.s.putResults.run(scope.accountId, scope.region, queryId, json);
  }

  queryResults(scope: Scope, queryId: string): Buffer | undefined {
    const body = this.s.results.get(scope.accountId, scope.region, queryId) as Buffer | string | undefined;
    // Results stored as text (by earlier versions) read as their UTF-8.
    if (body !== undefined) return typeof body === 'string' ? Buffer.from(body) : body;
    const old = this.oldQueryResults.get(scope, queryId);
    return old && Buffer.from(JSON.stringify(old));
  }

  /** Drops what is held in memory about stored events (after the database was wiped). */
  forgetCached(): void {
    this.deletions++;
    this.blocks.clearCache();
  }

  group(scope: Scope, name: string): GroupRow | undefined {
    return this.s.group.get(scope.accountId, scope.region, name) as GroupRow | undefined;
  }

  groupById(id: number): GroupRow | undefined {
    return this.s.groupById.get(id) as GroupRow | undefined;
  }

  /** Groups in name order after `after` (exclusive). */
  groupsAfter(scope: Scope, after: string): GroupRow[] {
    return this.s.groupsFrom.all(scope.accountId, scope.region, after) as GroupRow[];
  }

  createGroup(scope: Scope, g: { name: string; created: number; kms?: string; cls: string; deletionProtection: boolean; tags: Record<string, string> }): void {
    this.s.insertGroup.run(scope.accountId, scope.region, g.name, g.created, g.kms ?? null, g.cls, g.deletionProtection ? 1 : 0, JSON.stringify(g.tags));
  }

  deleteGroup(group: GroupRow): void {
    this.deletions++;
    this.db.transaction(() => {
      this.blocks.deleteGroup(group.id);
      this.s.deleteGroupEvents.run(group.id);
      this.s.deleteGroupStreams.run(group.id);
      this.s.deleteGroup.run(group.id);
    });
  }

  setRetention(group: GroupRow, days: number | null): number {
    this.s.setRetention.run(days, group.id);
    return group.retention_gen + 1;
  }

  setKms(group: GroupRow, kms: string | null): void {
    this.s.setKms.run(kms, group.id);
  }

  setTags(group: GroupRow, tags: Record<string, string>): void {
    this.s.setTags.run(JSON.stringify(tags), group.id);
  }

  setDeletionProtection(group: GroupRow, on: boolean): void {
    this.s.setProtection.run(on ? 1 : 0, group.id);
  }

  /** Events stored in a group, from the streams' running totals. */
  groupEvents(group: GroupRow): number {
    return (this.s.groupEvents.get(group.id) as { n: number }).n;
  }

  /** The highest event row id: an upper bound on the events stored (for choosing scans). */
  maxEventId(): number {
    return (this.s.maxEventId.get() as { m: number }).m;
  }

  groupBytes(group: GroupRow): number {
    return (this.s.groupBytes.get(group.id) as { b: number }).b;
  }

  stream(group: GroupRow, name: string): StreamRow | undefined {
    return this.s.stream.get(group.id, name) as StreamRow | undefined;
  }

  streams(group: GroupRow): StreamRow[] {
    return this.s.streams.all(group.id) as StreamRow[];
  }

  streamNames(groupId: number): Map<number, string> {
    const rows = this.s.streamNames.all(groupId) as { id: number; name: string }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  createStream(group: GroupRow, name: string, created: number): void {
    this.s.insertStream.run(group.id, name, created);
  }

  deleteStream(stream: StreamRow): void {
    this.deletions++;
    this.db.transaction(() => {
      this.blocks.deleteStream(stream.id);
      this.s.deleteStreamEvents.run(stream.group_id, stream.id);
      this.s.deleteStream.run(stream.id);
    });
  }

  /** Stores a batch (already in timestamp order) in one transaction, with its search block. */
  append(stream: StreamRow, events: { timestamp: number; message: string }[], ingest: number): void {
    if (!events.length) return;
    const { insertEvent, insertEvents } = this.s;
    const g = stream.group_id;
    const sid = stream.id;
    this.db.transaction(() => {
      let bytes = 0;
      let i = 0;
      const params: (string | number)[] = [];
      const stored: BlockEvent[] = new Array<BlockEvent>(events.length);
      for (; i + ROWS_PER_INSERT <= events.length; i += ROWS_PER_INSERT) {
        params.length = 0;
        for (let j = i; j < i + ROWS_PER_INSERT; j++) params.push(g, sid, events[j].timestamp, ingest, events[j].message);
        // One statement's rows get consecutive row ids, the last one reported.
        const last = Number(insertEvents.run(params).lastInsertRowid);
        for (let j = i; j < i + ROWS_PER_INSERT; j++) stored[j] = { id: last - (i + ROWS_PER_INSERT - 1 - j), ts: events[j].timestamp, ingest, message: events[j].message };
      }
      for (; i < events.length; i++) {
        const id = Number(insertEvent.run(g, sid, events[i].timestamp, ingest, events[i].message).lastInsertRowid);
        stored[i] = { id, ts: events[i].timestamp, ingest, message: events[i].message };
      }
      for (const e of events) bytes += Buffer.byteLength(e.message);
      this.blocks.append(g, sid, stored);
      const first = events[0].timestamp;
      const last = events[events.length - 1].timestamp;
      this.s.touchStream.run(first, first, last, last, ingest, events.length, bytes, sid);
    });
  }

  /** Deletes a group's events older than `before`; returns how many went. */
  expire(groupId: number, before: number): number {
    this.deletions++;
    return this.db.transaction(() => {
      this.blocks.expire(groupId, before);
      const gone = this.s.expire.run(groupId, before).changes;
      if (gone) this.s.recount.run(groupId);
      return gone;
    });
  }
}

/** A 56-digit event id, stable across calls: the timestamp, then the row id. */
export function eventIdOf(ts: number, id: number): string {
  const t = String(ts);
  const i = String(id);
  return ZEROS.slice(t.length + 16) + t + ZEROS.slice(i.length) + i;
}

const ZEROS = '0'.repeat(36);

export function groupArn(scope: Scope, name: string): string {
  return `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${name}`;
}
