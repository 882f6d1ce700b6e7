import type { Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { FilteredLogEvent, LogsOperations } from '../../aws/models/generated/logs.js';
import { ServiceError } from '../../core/errors.js';
import type { Database } from '../../state/database.js';
import { invalidParameter, namedGroup } from './common.js';
import { EVENT_OVERHEAD, PAGE_BYTES, type Cursor } from './events-read.js';
import { parseFilterPattern, type FilterPattern } from './filter-pattern.js';
import { eventIdOf, type EventRow, type LogsStore } from './store.js';

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
 * Scans a group's events in (timestamp, id) order. Substrings every match must contain
 * are checked by SQLite first, so only candidate rows reach the pattern in JavaScript.
 */
export class GroupScanner {
  private readonly cache = new Map<string, Statement>();
  /** Sorted candidates of recent wide scans, by key, for the pages after the first. */
  private readonly candidates = new Map<string, { signature: string; found: [number, number][] }>();

  constructor(private readonly db: Database) {}

  private prepare(sql: string): Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) this.cache.set(sql, (stmt = this.db.sql.prepare(sql)));
    return stmt;
  }

  /**
   * Matching events in (timestamp, id) order; `wide` when the group holds much of the table.
   * A wide scan names its candidate list (`resumeKey`) for the next page's token.
   */
  scan(req: ScanRequest, wide: boolean): { rows: Generator<EventRow>; resumeKey?: string } {
    if (!wide || !req.pattern.required.length) return { rows: this.scanOrdered(req) };
    const { key, found } = this.candidatesFor(req);
    return { rows: this.fetch(found, req), resumeKey: key };
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
   * A plain scan of the table in storage order finds the candidates (ids and times only),
   * sorted by time: far fewer page reads than walking the index and fetching every row of a
   * large group by id. The list is kept for the following pages of the same search.
   */
  private candidatesFor(req: ScanRequest): { key: string; found: [number, number][] } {
    const cached = req.resume ? this.candidates.get(req.resume) : undefined;
    if (cached && cached.signature === req.signature) return { key: req.resume!, found: cached.found };
    const streams = req.streamIds ? `AND +stream_id IN (${req.streamIds.map(() => '?').join(',')})` : '';
    const globs = req.pattern.required.map(() => 'AND message GLOB ?').join(' ');
    const find = this.prepare(`SELECT id, ts FROM logs_events WHERE +group_id = ? AND +ts >= ? AND +ts <= ? AND (ts > ? OR id > ?) ${streams} ${globs}`);
    const params = [req.groupId, Math.max(req.start, req.after.ts), req.end, req.after.ts, req.after.id, ...(req.streamIds ?? []), ...req.pattern.required.map(containsGlob)];
    const found = find.raw().all(...params) as [number, number][];
    found.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const key = randomUUID();
    this.candidates.set(key, { signature: req.signature, found });
    if (this.candidates.size > MAX_CACHED) this.candidates.delete(this.candidates.keys().next().value!);
    return { key, found };
  }

  /** The candidates after the cursor, fetched in small batches and checked against the pattern. */
  private *fetch(found: [number, number][], req: ScanRequest): Generator<EventRow> {
    let lo = 0;
    let hi = found.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const [id, ts] = found[mid];
      if (ts < req.after.ts || (ts === req.after.ts && id <= req.after.id)) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < found.length; i += FETCH) {
      const ids = found.slice(i, i + FETCH).map((f) => f[0]);
      const batch = this.prepare(`SELECT id, stream_id, ts, ingest, message FROM logs_events WHERE id IN (${ids.map(() => '?').join(',')})`);
      const byId = new Map((batch.all(...ids) as EventRow[]).map((r) => [r.id, r]));
      for (const id of ids) {
        const row = byId.get(id);
        // A row deleted since the candidates were found (retention, a deleted stream) is skipped.
        if (row && (req.pattern.exact || req.pattern.test(row.message))) yield row;
      }
    }
  }
}

const FETCH = 500;
const MAX_CACHED = 16;

export function filterOperations(store: LogsStore): Ops {
  const scanner = new GroupScanner(store.db);
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
      const events: FilteredLogEvent[] = [];
      let bytes = 0;
      let more = false;
      const stored = store.groupEvents(g);
      const wide = stored * 4 > store.maxEventId();
      const start = input.startTime ?? 0;
      const end = input.endTime ?? Number.MAX_SAFE_INTEGER;
      // New events change the group's total, so a page never reuses candidates that predate them.
      const signature = JSON.stringify([g.id, stored, start, end, streamIds ?? null, input.filterPattern ?? '']);
      const { cursor, resume } = tokenCursor(input.nextToken);
      const { rows: scan, resumeKey } = scanner.scan({ groupId: g.id, signature, resume, start, end, after: cursor, streamIds, pattern }, wide);
      for (const r of scan) {
        bytes += r.message.length + EVENT_OVERHEAD;
        if (events.length >= limit || (bytes > PAGE_BYTES && events.length > 0)) {
          more = true;
          break;
        }
        events.push({ logStreamName: names.get(r.stream_id), timestamp: r.ts, message: r.message, ingestionTime: r.ingest, eventId: eventIdOf(r.ts, r.id) });
      }
      scan.return(undefined);
      const last = events[events.length - 1];
      return {
        events,
        searchedLogStreams: [],
        nextToken: more && last ? Buffer.from(`${last.timestamp}:${Number(last.eventId!.slice(20))}:${resumeKey ?? ''}`).toString('base64url') : undefined,
      };
    },
  };
}

function tokenCursor(token: string | undefined): { cursor: Cursor; resume?: string } {
  if (!token) return { cursor: { ts: -1, id: 0 } };
  const m = /^(\d+):(\d+):([0-9a-f-]*)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw invalidParameter(`The specified nextToken is invalid: ${token}`);
  return { cursor: { ts: Number(m[1]), id: Number(m[2]) }, resume: m[3] || undefined };
}
