import type { ObjectVersion } from './store.js';

/**
 * The smallest string greater than every string starting with `prefix`, in UTF-8 byte
 * order (which is code point order): the prefix with its last code point incremented.
 */
export function prefixSuccessor(prefix: string): string {
  const points = [...prefix];
  while (points.length) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return '\u{10ffff}\u{10ffff}';
}

/** The common prefix `key` rolls up into, if `delimiter` occurs after `prefix`. */
export function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

export interface ListRequest {
  prefix: string;
  delimiter?: string;
  /** Keys (and common prefixes) at or before this one are skipped: marker, start-after, token. */
  after: string;
  maxKeys: number;
  /** Version listings: resume inside `after`'s versions, below this sequence (version-id-marker). */
  beforeSeq?: number;
}

export interface Listed<T> {
  items: T[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned (NextMarker / the continuation point). */
  last?: string;
}

/** A position to read from: keys >= low and > after; for versions, below `beforeSeq` within `after`. */
export interface Cursor {
  low: string;
  after: string;
  beforeSeq: number;
}

export type Fetch = (cursor: Cursor, limit: number) => ObjectVersion[];

/** Where a listing resumes after `after`: a marker that is a common prefix skips all it rolls up. */
function startCursor(req: ListRequest): Cursor {
  const cursor: Cursor = { low: req.prefix, after: req.after, beforeSeq: req.beforeSeq ?? 0 };
  if (req.after && commonPrefixOf(req.after, req.prefix, req.delimiter) === req.after && req.after.startsWith(req.prefix)) {
    cursor.low = prefixSuccessor(req.after);
    cursor.after = '';
  }
  if (cursor.low < req.prefix) cursor.low = req.prefix;
  return cursor;
}

/**
 * Lists in key order with S3's rules: only keys under `prefix`, keys sharing a segment up
 * to the delimiter rolled up into one common prefix, and at most `maxKeys` keys and
 * prefixes together. `fetch` reads batches from the store from a cursor; `keep` filters rows
 * (current listings skip delete markers).
 */
export function listKeys(req: ListRequest, fetch: Fetch, keep: (v: ObjectVersion) => boolean = () => true): Listed<ObjectVersion> {
  const out: Listed<ObjectVersion> = { items: [], prefixes: [], truncated: false };
  if (req.maxKeys <= 0) return out;
  const cursor = startCursor(req);
  const batch = Math.min(1000, req.maxKeys + 1);
  for (;;) {
    const rows = fetch(cursor, batch);
    if (rows.length === 0) return out;
    for (const row of rows) {
      if (!row.key.startsWith(req.prefix)) return out;
      if (!keep(row)) {
        advance(cursor, row);
        continue;
      }
      const cp = commonPrefixOf(row.key, req.prefix, req.delimiter);
      if (out.items.length + out.prefixes.length >= req.maxKeys) {
        out.truncated = true;
        return out;
      }
      if (cp) {
        out.prefixes.push(cp);
        out.last = cp;
        cursor.low = prefixSuccessor(cp);
        cursor.after = '';
        cursor.beforeSeq = 0;
        break;
      }
      out.items.push(row);
      out.last = row.key;
      advance(cursor, row);
    }
  }
}

function advance(cursor: Cursor, row: ObjectVersion): void {
  cursor.after = row.key;
  cursor.beforeSeq = row.seq;
}

/**
 * S3's encoding-type=url: keys percent-encoded (space as %20, '+' as %2B), '/' kept, so
 * keys with characters XML cannot carry survive the round trip.
 */
export function urlEncodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}
