import type { Statement } from 'better-sqlite3';
import type { Database } from '../../../state/database.js';
import type { Block, BlockStore } from '../blocks.js';
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

/**
 * Events for Logs Insights: range statistics and counts by SQL over the events table; events
 * whose @message must contain some substrings (`globs`) by searching the blocks' text.
 */
export class EventSource {
  private readonly cache = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    readonly blocks: BlockStore,
  ) {}

  /** Calls `fn` for each event in the scope whose message contains every glob, block by block. */
  private matches(scope: Scope, globs: string[], order: 'asc' | 'desc', fn: (b: Block, i: number, ts: number) => void): void {
    const needles = globs.map((g) => Buffer.from(g, 'utf8'));
    const blocks = this.blocks.blocks({ groupIds: scope.groups.map((g) => g.id), start: scope.start, end: scope.end }, order, needles);
    for (const b of blocks) {
      for (const i of b.find(needles)) {
        const ts = b.ts(i);
        if (ts >= scope.start && ts <= scope.end) fn(b, i, ts);
      }
    }
  }

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.sql.prepare(sql)));
    return s;
  }

  /**
   * The WHERE clause for a scope. When the range holds a large share of the table, a plain
   * table scan (the `+` keeps SQLite off the index) reads pages in order and beats an index
   * walk that fetches every row by id.
   */
  private where(scope: Scope, globs: string[], wide = false): { sql: string; params: unknown[] } {
    const ids = scope.groups.map((g) => g.id);
    const p = wide ? '+' : '';
    return {
      sql: `${p}group_id IN (${ids.map(() => '?').join(',')}) AND ${p}ts >= ? AND ${p}ts <= ?${globs.map(() => ' AND message GLOB ?').join('')}`,
      params: [...ids, scope.start, scope.end, ...globs.map(containsGlob)],
    };
  }

  /** True when the range covers over a quarter of all stored events. */
  wide(scope: Scope, records: number): boolean {
    const top = (this.stmt('SELECT max(id) AS m FROM logs_events').get() as { m: number | null }).m ?? 0;
    return records * 4 > top;
  }

  /**
   * Events and UTF-8 bytes in the range (recordsScanned, bytesScanned): streams wholly in
   * the range count from their running totals; only streams cut by the range are summed.
   */
  scanned(scope: Scope): { records: number; bytes: number } {
    let records = 0;
    let bytes = 0;
    const partial = this.stmt(`SELECT count(*) AS n, COALESCE(sum(length(CAST(message AS BLOB))), 0) AS b FROM logs_events
      WHERE group_id = ? AND ts >= ? AND ts <= ? AND stream_id = ?`);
    for (const g of scope.groups) {
      const streams = this.stmt('SELECT id, n, bytes, first_ts, last_ts FROM logs_streams WHERE group_id = ? AND n > 0').all(g.id) as { id: number; n: number; bytes: number; first_ts: number; last_ts: number }[];
      for (const s of streams) {
        if (s.last_ts < scope.start || s.first_ts > scope.end) continue;
        if (s.first_ts >= scope.start && s.last_ts <= scope.end) {
          records += s.n;
          bytes += s.bytes;
          continue;
        }
        const r = partial.get(g.id, Math.max(scope.start, s.first_ts), Math.min(scope.end, s.last_ts), s.id) as { n: number; b: number };
        records += r.n;
        bytes += r.b;
      }
    }
    return { records, bytes };
  }

  count(scope: Scope, globs: string[], wide: boolean): number {
    if (globs.length) {
      let n = 0;
      this.matches(scope, globs, 'asc', () => n++);
      return n;
    }
    const w = this.where(scope, globs, wide);
    return (this.stmt(`SELECT count(*) AS n FROM logs_events WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  /** Counts grouped by time bin and built-in fields, without building rows in JavaScript. */
  countBy(scope: Scope, globs: string[], plan: CountPlan, wide: boolean): { keys: (number | string)[]; n: number }[] {
    const bins = !globs.length && plan.by.length === 1 && plan.by[0].bin ? this.countBins(scope, plan.by[0].bin) : undefined;
    if (bins) return bins;
    const streams = plan.by.some((b) => b.field === '@logStream') ? this.streamNames() : new Map<number, string>();
    const names = new Map(scope.groups.map((g) => [g.id, g.name]));
    if (globs.length) return this.countMatches(scope, globs, plan, names, streams);
    const w = this.where(scope, globs, wide);
    const cols = plan.by.map((b, i) => (b.bin ? `(ts - ts % ${Math.floor(b.bin)}) AS k${i}` : b.field === '@log' ? `group_id AS k${i}` : `stream_id AS k${i}`));
    const group = cols.length ? ` GROUP BY ${cols.map((_, i) => `k${i}`).join(', ')}` : '';
    const rows = this.stmt(`SELECT ${[...cols, 'count(*) AS n'].join(', ')} FROM logs_events WHERE ${w.sql}${group}`).all(...w.params) as Record<string, number>[];
    return rows.filter((r) => r.n > 0).map((r) => ({
      keys: plan.by.map((b, i) => (b.bin ? r[`k${i}`] : b.field === '@log' ? names.get(r[`k${i}`])! : streams.get(r[`k${i}`]) ?? '')),
      n: r.n,
    }));
  }

  /** countBy for searches: the keys of each match, counted in JavaScript. */
  private countMatches(scope: Scope, globs: string[], plan: CountPlan, groups: Map<number, string>, streams: Map<number, string>): { keys: (number | string)[]; n: number }[] {
    const counts = new Map<string, { keys: (number | string)[]; n: number }>();
    const by = plan.by;
    this.matches(scope, globs, 'asc', (b, _i, ts) => {
      const keys = by.map((k) => (k.bin ? ts - (ts % Math.floor(k.bin)) : k.field === '@log' ? groups.get(b.groupId)! : streams.get(b.streamId) ?? ''));
      const id = keys.length === 1 ? String(keys[0]) : JSON.stringify(keys);
      const c = counts.get(id);
      if (c) c.n++;
      else counts.set(id, { keys, n: 1 });
    });
    return [...counts.values()];
  }

  /** Per-bin counts from the index, one range count per bin (when bins are few). */
  private countBins(scope: Scope, bin: number): { keys: number[]; n: number }[] | undefined {
    const out = new Map<number, number>();
    // min and max in separate statements: each is one index probe, together they scan the range.
    const low = this.stmt('SELECT min(ts) AS t FROM logs_events WHERE group_id = ? AND ts >= ? AND ts <= ?');
    const high = this.stmt('SELECT max(ts) AS t FROM logs_events WHERE group_id = ? AND ts >= ? AND ts <= ?');
    const count = this.stmt('SELECT count(*) AS n FROM logs_events WHERE group_id = ? AND ts >= ? AND ts < ?');
    for (const g of scope.groups) {
      const lo = (low.get(g.id, scope.start, scope.end) as { t: number | null }).t;
      const hi = (high.get(g.id, scope.start, scope.end) as { t: number | null }).t;
      if (lo === null || hi === null) continue;
      if ((hi - lo) / bin > 20_000) return undefined;
      for (let b = lo - (lo % bin); b <= hi; b += bin) {
        const n = (count.get(g.id, Math.max(b, scope.start), Math.min(b + bin, scope.end + 1)) as { n: number }).n;
        if (n) out.set(b, (out.get(b) ?? 0) + n);
      }
    }
    return [...out].map(([b, n]) => ({ keys: [b], n }));
  }

  /** The newest `limit` events in the scope, newest first, and how many there are (searches use newest-hits.ts). */
  newest(scope: Scope, limit: number, wide: boolean): { rows: RawEvent[]; count: number } {
    const w = this.where(scope, []);
    const rows = this.stmt(`SELECT id, group_id, stream_id, ts, ingest, message FROM logs_events WHERE ${w.sql} ORDER BY ts DESC, id DESC LIMIT ?`).all(...w.params, limit) as RawEvent[];
    return { rows, count: this.count(scope, [], wide) };
  }

  /**
   * Every candidate event, in chunks so no statement stays open between them: newest
   * first when order matters, else in storage order (a plain scan when the range is wide).
   */
  *chunks(scope: Scope, globs: string[], ordered: boolean, wide: boolean): Generator<RawEvent[]> {
    const cols = 'SELECT id, group_id, stream_id, ts, ingest, message FROM logs_events WHERE';
    if (!ordered && globs.length) {
      yield* this.matchChunks(scope, globs);
      return;
    }
    if (!ordered) {
      const w = this.where(scope, globs, wide);
      const sql = `${cols} ${w.sql} AND id > ? ORDER BY id LIMIT ${CHUNK}`;
      for (let after = 0; ;) {
        const rows = this.stmt(sql).all(...w.params, after) as RawEvent[];
        yield rows;
        if (rows.length < CHUNK) return;
        after = rows[rows.length - 1].id;
      }
    }
    const w = this.where(scope, globs);
    const sql = `${cols} ${w.sql} AND ts <= ? AND (ts < ? OR id < ?) ORDER BY ts DESC, id DESC LIMIT ${CHUNK}`;
    let ts = Number.MAX_SAFE_INTEGER;
    let id = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const rows = this.stmt(sql).all(...w.params, ts, ts, id) as RawEvent[];
      yield rows;
      if (rows.length < CHUNK) return;
      ts = rows[rows.length - 1].ts;
      id = rows[rows.length - 1].id;
    }
  }

  /** Matches in storage order, a block at a time, collected into chunks. */
  private *matchChunks(scope: Scope, globs: string[]): Generator<RawEvent[]> {
    const needles = globs.map((g) => Buffer.from(g, 'utf8'));
    let chunk: RawEvent[] = [];
    for (const b of this.blocks.blocks({ groupIds: scope.groups.map((g) => g.id), start: scope.start, end: scope.end }, 'asc', needles)) {
      for (const i of b.find(needles)) {
        const ts = b.ts(i);
        if (ts >= scope.start && ts <= scope.end) chunk.push({ id: b.eventId(i), group_id: b.groupId, stream_id: b.streamId, ts, ingest: b.ingest(i), message: b.message(i) });
      }
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
    yield chunk;
  }

  streamNames(): Map<number, string> {
    return new Map((this.stmt('SELECT id, name FROM logs_streams').all() as { id: number; name: string }[]).map((r) => [r.id, r.name]));
  }
}
