import type { Statement } from 'better-sqlite3';
import type { Database } from '../../state/database.js';
import { invalidParameter } from './common.js';
import { eventIdOf, type EventRow, type StreamRow } from './store.js';

/** AWS caps a GetLogEvents/FilterLogEvents page at 1 MB, counting 26 bytes of overhead per event. */
export const PAGE_BYTES = 1_048_576;
export const EVENT_OVERHEAD = 26;

/** A position between events: (timestamp, row id). */
export interface Cursor {
  ts: number;
  id: number;
}

export const BEFORE_ALL: Cursor = { ts: -1, id: 0 };
export const AFTER_ALL: Cursor = { ts: Number.MAX_SAFE_INTEGER, id: 0 };

export function encodeCursor(c: Cursor): string {
  return c.ts < 0 ? '0'.repeat(56) : eventIdOf(c.ts, c.id);
}

export function decodeCursor(digits: string, token: string): Cursor {
  if (!/^\d{56}$/.test(digits)) throw invalidParameter(`The specified nextToken is invalid: ${token}`);
  const ts = Number(digits.slice(0, 20));
  const id = Number(digits.slice(20));
  return ts === 0 && id === 0 ? BEFORE_ALL : { ts, id };
}

/** Reads a stream's events by time range and cursor, in either direction. */
export class StreamReader {
  private readonly forward: Statement;
  private readonly backward: Statement;

  constructor(db: Database) {
    // The group index holds the stream id: a stream is read by walking its group's index
    // over the stream's own time span, without touching other streams' rows.
    const cols = 'SELECT id, stream_id, ts, ingest, message FROM logs_events WHERE group_id = ? AND ts >= ? AND ts < ? AND stream_id = ?';
    this.forward = db.sql.prepare(`${cols} AND ts >= ? AND (ts > ? OR id > ?) ORDER BY ts, id LIMIT ?`);
    this.backward = db.sql.prepare(`${cols} AND ts <= ? AND (ts < ? OR id < ?) ORDER BY ts DESC, id DESC LIMIT ?`);
  }

  private span(s: StreamRow, start: number, end: number): [number, number] {
    return [Math.max(start, s.first_ts ?? 0), Math.min(end, (s.last_ts ?? -1) + 1)];
  }

  /** Up to `limit` events after `from` (ascending), cut at the page byte limit. */
  after(s: StreamRow, start: number, end: number, from: Cursor, limit: number): EventRow[] {
    const [a, b] = this.span(s, start, end);
    if (a >= b) return [];
    return cutToPage(this.forward.all(s.group_id, a, b, s.id, from.ts, from.ts, from.id, limit) as EventRow[]);
  }

  /** Up to `limit` events just before `from`, returned in ascending order. */
  before(s: StreamRow, start: number, end: number, from: Cursor, limit: number): EventRow[] {
    const [a, b] = this.span(s, start, end);
    if (a >= b) return [];
    return cutToPage(this.backward.all(s.group_id, a, b, s.id, from.ts, from.ts, from.id, limit) as EventRow[]).reverse();
  }
}

export function cutToPage<T extends { message: string }>(rows: T[]): T[] {
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    bytes += rows[i].message.length + EVENT_OVERHEAD;
    if (bytes > PAGE_BYTES && i > 0) return rows.slice(0, i);
  }
  return rows;
}
