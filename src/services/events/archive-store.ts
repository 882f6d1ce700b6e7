import type { Statement } from 'better-sqlite3';
import type { Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';
import type { EventEnvelope } from './event.js';

export interface ArchiveRecord {
  name: string;
  arn: string;
  /** The ARN of the bus whose events it keeps. */
  source: string;
  description?: string;
  eventPattern?: string;
  /** 0 keeps events forever. */
  retentionDays: number;
  kmsKeyIdentifier?: string;
  created: number;
}

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface ReplayRecord {
  name: string;
  arn: string;
  description?: string;
  archiveArn: string;
  destination: { Arn: string; FilterArns?: string[] };
  eventStart: number;
  eventEnd: number;
  state: ReplayState;
  stateReason?: string;
  started: number;
  ended?: number;
  lastReplayed?: number;
}

/** Archives and replays (documents), and the archived events (a table, queried by archive and time). */
export class ArchiveStore {
  readonly archives: Collection<ArchiveRecord>;
  readonly replays: Collection<ReplayRecord>;
  private readonly insert: Statement;
  private readonly range: Statement;
  private readonly stats: Statement;
  private readonly purge: Statement;
  private readonly drop: Statement;

  constructor(db: Database) {
    this.archives = new Collection(db, 'events.archives');
    this.replays = new Collection(db, 'events.replays');
    db.migrate(
      'events-archive-v1',
      `CREATE TABLE events_archived (id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL,
         archive TEXT NOT NULL, at INTEGER NOT NULL, stored INTEGER NOT NULL, body TEXT NOT NULL);
       CREATE INDEX events_archived_time ON events_archived (account, region, archive, at, id);`,
    );
    const sql = db.sql;
    this.insert = sql.prepare('INSERT INTO events_archived (account, region, archive, at, stored, body) VALUES (?, ?, ?, ?, ?, ?)');
    this.range = sql.prepare('SELECT body FROM events_archived WHERE account = ? AND region = ? AND archive = ? AND at >= ? AND at < ? ORDER BY at, id');
    this.stats = sql.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(body)), 0) AS bytes FROM events_archived WHERE account = ? AND region = ? AND archive = ?');
    this.purge = sql.prepare('DELETE FROM events_archived WHERE account = ? AND region = ? AND archive = ? AND stored < ?');
    this.drop = sql.prepare('DELETE FROM events_archived WHERE account = ? AND region = ? AND archive = ?');
  }

  keep(scope: Scope, archive: ArchiveRecord, event: EventEnvelope, now: number): void {
    this.insert.run(scope.accountId, scope.region, archive.name, Date.parse(event.time), now, JSON.stringify(event));
    if (archive.retentionDays > 0) this.purge.run(scope.accountId, scope.region, archive.name, now - archive.retentionDays * 86_400_000);
  }

  /** Archived events whose time falls in [from, to), oldest first. */
  events(scope: Scope, archive: string, from: number, to: number): EventEnvelope[] {
    return (this.range.all(scope.accountId, scope.region, archive, from, to) as { body: string }[]).map((r) => JSON.parse(r.body) as EventEnvelope);
  }

  stat(scope: Scope, archive: string): { count: number; bytes: number } {
    const r = this.stats.get(scope.accountId, scope.region, archive) as { n: number; bytes: number };
    return { count: r.n, bytes: r.bytes };
  }

  deleteEvents(scope: Scope, archive: string): void {
    this.drop.run(scope.accountId, scope.region, archive);
  }
}
