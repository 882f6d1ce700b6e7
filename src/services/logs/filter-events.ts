import type { Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { LogsOperations } from '../../aws/models/generated/logs.js';
import { ServiceError } from '../../core/errors.js';
import type { Database } from '../../state/database.js';
import { invalidParameter, namedGroup } from './common.js';
import { EVENT_OVERHEAD, PAGE_BYTES, type Cursor } from './events-read.js';
import { parseFilterPattern, type FilterPattern } from './filter-pattern.js';
import type { Block, BlockStore } from './blocks.js';
import type { EventRef } from './block.js';
import { eventBytes, filterPage, type PageEvent } from './filter-page.js';
import type { EventRow, LogsStore } from './store.js';

type Ops = Partial<LogsOperations<RequestContext>>;

export interface ScanRequest {
  groupId: number;
  /** Identifies what the scan looks for, so a later page can reuse its candidates. */
  signature: string;
  /** The candidate list a previous page left, if the token names one. */
  resume?: string;
  start: number;
  end: number;
  after: Cursor;
  streamIds?: number[];
  pattern: FilterPattern;
}

/** GLOB text that matches any message containing `s` (GLOB is case-sensitive, like filter terms). */
export function containsGlob(s: string): string {
  return `*${s.replace(/[*?[]/g, (c) => `[${c}]`)}*`;
}

/**
 * Finds a group's matching events in (timestamp, id) order. A pattern with terms every match
 * must contain searches the blocks' text (see blocks.ts) and keeps what it found for the
 * following pages of the same search; other patterns walk the events table, with what
 * SQLite can check (GLOB) done there.
 */
export class GroupScanner {
  private readonly cache = new Map<string, Statement>();
  /** Recent searches' matches, by key, for the pages after the first. */
  private readonly found = new Map<string, Found>();
  private cachedBytes = 0;

  constructor(
    private readonly db: Database,
    private readonly blocks: BlockStore,
  ) {}

  private prepare(sql: string): Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) this.cache.set(sql, (stmt = this.db.sql.prepare(sql)));
    return stmt;
  }

  /**
   * Matching events after the cursor. A block search names the matches it keeps in
   * `resume.key` (read it after iterating) for the next page's token.
   */
  scan(req: ScanRequest): { rows: Generator<PageEvent>; resume: { key?: string } } {
    const needles = req.pattern.required.filter((t) => t.length > 0);
    const resume: { key?: string } = {};
    if (!needles.length) return { rows: this.scanOrdered(req), resume };
    return { rows: this.walk(req, needles.map((t) => Buffer.from(t, 'utf8')), resume), resume };
  }

  /** Serves kept matches, searching again after the last one served when a search stopped early. */
  private *walk(req: ScanRequest, needles: Buffer[], resume: { key?: string }): Generator<PageEvent> {
    let cursor = req.after;
    const kept = req.resume ? this.found.get(req.resume) : undefined;
    let found = kept && kept.signature === req.signature ? { key: req.resume!, ...kept } : undefined;
    for (;;) {
      found ??= this.search(req, needles, cursor);
      resume.key = found.key;
      for (const e of after(found.events, cursor)) {
        yield e;
        cursor = e;
      }
      if (found.complete) return;
      found = undefined;
    }
  }

  private *scanOrdered(req: ScanRequest): Generator<EventRow> {
    const streams = req.streamIds ? `AND stream_id IN (${req.streamIds.map(() => '?').join(',')})` : '';
    const globs = req.pattern.required.map(() => 'AND message GLOB ?').join(' ');
    const stmt = this.prepare(`SELECT id, stream_id, ts, ingest, message FROM logs_events WHERE group_id = ? AND ts >= ? AND ts <= ?
      AND ts >= ? AND (ts > ? OR id > ?) ${streams} ${globs} ORDER BY ts, id`);
    const params = [req.groupId, req.start, req.end, req.after.ts, req.after.ts, req.after.id, ...(req.streamIds ?? []), ...req.pattern.required.map(containsGlob)];
    const exact = req.pattern.exact;
    for (const row of stmt.iterate(...params) as IterableIterator<EventRow>) {
      if (exact || req.pattern.test(row.message)) yield row;
    }
  }

  /**
   * The matches after `from`, sorted. Blocks are read in order of their first timestamp; once
   * SEARCH_CAP matches are in hand, the search stops before a block that starts later than the
   * earliest of them and keeps only the matches older than that block (complete up to there),
   * so memory stays bounded however common the term is.
   */
  private search(req: ScanRequest, needles: Buffer[], from: Cursor): { key: string } & Found {
    const events: EventRef[] = [];
    // What the kept matches hold in memory: the blocks they point into, and themselves.
    const held = new Set<Block>();
    let earliest = Infinity;
    let bound = Infinity;
    const stop = (minTs: number) => {
      if (events.length < SEARCH_CAP || earliest >= minTs) return false;
      bound = minTs;
      return true;
    };
    const scope = { groupIds: [req.groupId], start: Math.max(req.start, from.ts), end: req.end, streamIds: req.streamIds };
    for (const b of this.blocks.blocks(scope, 'asc', needles, stop)) {
      const before = events.length;
      for (const i of b.find(needles)) {
        const ts = b.ts(i);
        if (ts < req.start || ts > req.end) continue;
        const id = b.eventId(i);
        if (ts < from.ts || (ts === from.ts && id <= from.id)) continue;
        if (!req.pattern.exact && !req.pattern.test(b.message(i))) continue;
        events.push({ block: b, i, ts, id });
        if (ts < earliest) earliest = ts;
      }
      if (events.length > before) held.add(b);
    }
    // Blocks come in order of their first event, so this mostly merges runs already sorted.
    events.sort((a, b) => a.ts - b.ts || a.id - b.id);
    const complete = bound === Infinity;
    const kept = complete ? events : events.filter((e) => e.ts < bound);
    let bytes = kept.length * 48;
    for (const b of held) bytes += b.bytes;
    const found = { signature: req.signature, events: kept, bytes, complete };
    const key = randomUUID();
    this.remember(key, found);
    return { key, ...found };
  }

  private remember(key: string, entry: Found): void {
    if (entry.bytes > CACHE_BYTES) return;
    this.found.set(key, entry);
    this.cachedBytes += entry.bytes;
    while (this.found.size > MAX_CACHED || this.cachedBytes > CACHE_BYTES) {
      const [oldest, e] = this.found.entries().next().value!;
      this.found.delete(oldest);
      this.cachedBytes -= e.bytes;
    }
  }
}

/** The events after the cursor in a sorted list. */
function* after<T extends Cursor>(events: T[], cursor: Cursor): Generator<T> {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = events[mid];
    if (e.ts < cursor.ts || (e.ts === cursor.ts && e.id <= cursor.id)) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < events.length; i++) yield events[i];
}

/** A search's matches: all of them in the range after its cursor, or (not `complete`) the first ones. */
interface Found {
  signature: string;
  events: EventRef[];
  /** Memory held: the matches and the decoded blocks they point into. */
  bytes: number;
  complete: boolean;
}

const MAX_CACHED = 16;
/** Matches a search collects before it may stop (places in blocks: about 2.4 MB besides the blocks). */
const SEARCH_CAP = 50_000;
/** Memory the cached matches may hold (their blocks, which the block cache may also hold). */
const CACHE_BYTES = 128 * 1024 * 1024;

export function filterOperations(store: LogsStore): Ops {
  const scanner = new GroupScanner(store.db, store.blocks);
  return {
    async FilterLogEvents(input, ctx) {
      const g = namedGroup(store, ctx, input);
      if (input.logStreamNames && input.logStreamNamePrefix) {
        throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
      }
      const pattern = parseFilterPattern(input.filterPattern);
      const names = store.streamNames(g.id);
      let streamIds: number[] | undefined;
      if (input.logStreamNames || input.logStreamNamePrefix) {
        const wanted = (n: string) => (input.logStreamNames ? input.logStreamNames.includes(n) : n.startsWith(input.logStreamNamePrefix!));
        streamIds = [...names].filter(([, n]) => wanted(n)).map(([id]) => id);
        if (input.logStreamNames && !streamIds.length) throw new ServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
      }
      const limit = input.limit ?? 10_000;
      const rows: PageEvent[] = [];
      let bytes = 0;
      let more = false;
      const stored = store.groupEvents(g);
      const start = input.startTime ?? 0;
      const end = input.endTime ?? Number.MAX_SAFE_INTEGER;
      // New events change the group's total and deletions the counter, so a page never reuses
      // matches that predate them.
      const signature = JSON.stringify([g.id, stored, store.deletions, start, end, streamIds ?? null, input.filterPattern ?? '']);
      const { cursor, resume } = tokenCursor(input.nextToken);
      const { rows: scan, resume: kept } = scanner.scan({ groupId: g.id, signature, resume, start, end, after: cursor, streamIds, pattern });
      for (const r of scan) {
        bytes += eventBytes(r) + EVENT_OVERHEAD;
        if (rows.length >= limit || (bytes > PAGE_BYTES && rows.length > 0)) {
          more = true;
          break;
        }
        rows.push(r);
      }
      scan.return(undefined);
      const last = rows[rows.length - 1];
      return filterPage(rows, names, more && last ? Buffer.from(`${last.ts}:${last.id}:${kept.key ?? ''}`).toString('base64url') : undefined);
    },
  };
}

function tokenCursor(token: string | undefined): { cursor: Cursor; resume?: string } {
  if (!token) return { cursor: { ts: -1, id: 0 } };
  const m = /^(\d+):(\d+):([0-9a-f-]*)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw invalidParameter(`The specified nextToken is invalid: ${token}`);
  return { cursor: { ts: Number(m[1]), id: Number(m[2]) }, resume: m[3] || undefined };
}
