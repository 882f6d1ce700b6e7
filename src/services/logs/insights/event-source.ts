import type { Statement } from 'better-sqlite3';
import type { Database } from '../../../state/database.js';
import { containsGlob } from '../filter-events.js';
import type { CountPlan } from './pushdown.js';

export interface Scope {
  /** The groups, named as @log shows them: `account:group`. */
  groups: { id: number; name: string }[];
  /** Inclusive range, epoch milliseconds. */
  start: number;
  end: number;
}

export interface RawEvent {
  id: number;
  group_id: number;
  stream_id: number;
  ts: number;
  ingest: number;
  message: string;
}

const CHUNK = 20_000;

/** SQL over the events table for Logs Insights: range statistics, pushed-down counts, row scans. */
export class EventSource {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.sql.prepare(sql)));
    return s;
  }

  private where(scope: Scope, globs: string[]): { sql: string; params: unknown[] } {
    const ids = scope.groups.map((g) => g.id);
    return {
      sql: `group_id IN (${ids.map(() => '?').join(',')}) AND ts >= ? AND ts <= ?${globs.map(() => ' AND message GLOB ?').join('')}`,
      params: [...ids, scope.start, scope.end, ...globs.map(containsGlob)],
    };
  }

  /** Events and bytes in the range (recordsScanned, bytesScanned), from the covering index. */
  scanned(scope: Scope): { records: number; bytes: number } {
    const w = this.where(scope, []);
    const r = this.stmt(`SELECT count(*) AS n, COALESCE(sum(bytes), 0) AS b FROM logs_events WHERE ${w.sql}`).get(...w.params) as { n: number; b: number };
    return { records: r.n, bytes: r.b };
  }

  count(scope: Scope, globs: string[]): number {
    const w = this.where(scope, globs);
    return (this.stmt(`SELECT count(*) AS n FROM logs_events WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  /** Counts grouped by time bin and built-in fields, done entirely in SQLite. */
  countBy(scope: Scope, globs: string[], plan: CountPlan): { keys: (number | string)[]; n: number }[] {
    const w = this.where(scope, globs);
    const streams = new Map<number, string>();
    const names = new Map(scope.groups.map((g) => [g.id, g.name]));
    const cols = plan.by.map((b, i) => (b.bin ? `(ts - ts % ${Math.floor(b.bin)}) AS k${i}` : b.field === '@log' ? `group_id AS k${i}` : `stream_id AS k${i}`));
    const sql = `SELECT ${[...cols, 'count(*) AS n'].join(', ')} FROM logs_events WHERE ${w.sql}${cols.length ? ` GROUP BY ${cols.map((_, i) => `k${i}`).join(', ')}` : ''}`;
    const rows = this.stmt(sql).all(...w.params) as Record<string, number>[];
    if (plan.by.some((b) => b.field === '@logStream')) {
      for (const r of this.stmt('SELECT id, name FROM logs_streams').all() as { id: number; name: string }[]) streams.set(r.id, r.name);
    }
    return rows.filter((r) => r.n > 0).map((r) => ({
      keys: plan.by.map((b, i) => (b.bin ? r[`k${i}`] : b.field === '@log' ? names.get(r[`k${i}`])! : streams.get(r[`k${i}`]) ?? '')),
      n: r.n,
    }));
  }

  /** The newest `limit` candidate events, newest first. */
  newest(scope: Scope, globs: string[], limit: number): RawEvent[] {
    const w = this.where(scope, globs);
    return this.stmt(`SELECT id, group_id, stream_id, ts, ingest, message FROM logs_events WHERE ${w.sql} ORDER BY ts DESC, id DESC LIMIT ?`).all(...w.params, limit) as RawEvent[];
  }

  /** Every candidate event, newest first, read in chunks so no statement stays open between them. */
  *all(scope: Scope, globs: string[]): Generator<RawEvent> {
    const w = this.where(scope, globs);
    const sql = `SELECT id, group_id, stream_id, ts, ingest, message FROM logs_events WHERE ${w.sql} AND (ts < ? OR (ts = ? AND id < ?)) ORDER BY ts DESC, id DESC LIMIT ${CHUNK}`;
    let ts = Number.MAX_SAFE_INTEGER;
    let id = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const rows = this.stmt(sql).all(...w.params, ts, ts, id) as RawEvent[];
      yield* rows;
      if (rows.length < CHUNK) return;
      ts = rows[rows.length - 1].ts;
      id = rows[rows.length - 1].id;
    }
  }

  streamNames(): Map<number, string> {
    return new Map((this.stmt('SELECT id, name FROM logs_streams').all() as { id: number; name: string }[]).map((r) => [r.id, r.name]));
  }
}
