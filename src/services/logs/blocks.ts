import type { Statement } from 'better-sqlite3';
import type { Database } from '../../state/database.js';

/**
 * The search copy of a stream's events: runs of events in (timestamp, id) order, one row
 * each, with the messages' UTF-8 concatenated in one blob. A substring search reads a block
 * with one blob copy and `indexOf` over its bytes, at close to the speed of `grep`, instead of
 * stepping SQLite through a row per event. `logs_events` stays the store every other read
 * uses; a block holds the same events (same ids, times, messages).
 *
 * `meta` is an Int32Array of 4n entries: message end offsets in `text`, then timestamps
 * relative to `min_ts`, row ids relative to `id0`, ingestion times relative to `ingest0`.
 * `bloom` is a Bloom filter of the text's 3-byte sequences: a search for a rare term reads
 * the blooms and only the blocks whose bloom holds every 3 bytes of the term.
 */
export const BLOCKS_SCHEMA = `
CREATE TABLE logs_blocks (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, stream_id INTEGER NOT NULL,
  min_ts INTEGER NOT NULL, max_ts INTEGER NOT NULL, n INTEGER NOT NULL, id0 INTEGER NOT NULL, ingest0 INTEGER NOT NULL,
  bloom BLOB NOT NULL, meta BLOB NOT NULL, text BLOB NOT NULL);
CREATE INDEX logs_blocks_group ON logs_blocks (group_id, max_ts);
CREATE INDEX logs_blocks_stream ON logs_blocks (stream_id, id);`;

/** Small batches join the stream's last block while it stays under these sizes. */
const MERGE_EVENTS = 512;
const MERGE_BYTES = 32 * 1024;
/** Largest block built from stored events (backfill, rewrites). */
const BLOCK_EVENTS = 1000;
const BLOCK_BYTES = 64 * 1024;
/** Deltas are stored as 32-bit signed integers. */
const SPAN = 2 ** 31 - 1;

export interface BlockEvent {
  id: number;
  ts: number;
  ingest: number;
  message: string;
}

interface BlockRow {
  id: number;
  group_id: number;
  stream_id: number;
  min_ts: number;
  max_ts: number;
  n: number;
  id0: number;
  ingest0: number;
  meta: Buffer;
  text: Buffer;
}

/** One decoded block: events by index, in (timestamp, id) order. */
export class Block {
  readonly id: number;
  readonly groupId: number;
  readonly streamId: number;
  readonly n: number;
  readonly maxTs: number;
  private readonly minTs: number;
  private readonly id0: number;
  private readonly ingest0: number;
  private readonly meta: Int32Array;
  readonly text: Buffer;

  constructor(r: BlockRow) {
    this.id = r.id;
    this.groupId = r.group_id;
    this.streamId = r.stream_id;
    this.n = r.n;
    this.minTs = r.min_ts;
    this.maxTs = r.max_ts;
    this.id0 = r.id0;
    this.ingest0 = r.ingest0;
    // Int32Array needs a 4-byte aligned view; copy only when the blob is not.
    const m = r.meta.byteOffset % 4 === 0 ? r.meta : Buffer.from(r.meta);
    this.meta = new Int32Array(m.buffer, m.byteOffset, 4 * r.n);
    this.text = r.text;
  }

  start(i: number): number {
    return i ? this.meta[i - 1] : 0;
  }

  end(i: number): number {
    return this.meta[i];
  }

  ts(i: number): number {
    return this.minTs + this.meta[this.n + i];
  }

  eventId(i: number): number {
    return this.id0 + this.meta[2 * this.n + i];
  }

  ingest(i: number): number {
    return this.ingest0 + this.meta[3 * this.n + i];
  }

  message(i: number): string {
    return this.text.toString('utf8', this.start(i), this.end(i));
  }

  /**
   * Indexes of the events whose message contains every needle (UTF-8 bytes; a byte match of
   * valid UTF-8 is a character match), ascending. The longest needle is searched for across
   * the whole text; a hit that runs past its event's end is not a match.
   */
  find(needles: Buffer[]): number[] {
    const anchor = needles.reduce((a, b) => (b.length > a.length ? b : a));
    const others = needles.filter((x) => x !== anchor);
    const out: number[] = [];
    const text = this.text;
    let e = 0;
    let p = text.indexOf(anchor, 0);
    while (p >= 0) {
      while (this.meta[e] <= p) e++;
      const end = this.meta[e];
      if (p + anchor.length > end) {
        p = text.indexOf(anchor, p + 1);
        continue;
      }
      if (!others.length || this.hasAll(others, this.start(e), end)) out.push(e);
      e++;
      if (e >= this.n) break;
      p = text.indexOf(anchor, end);
    }
    return out;
  }

  private hasAll(needles: Buffer[], start: number, end: number): boolean {
    const event = this.text.subarray(start, end);
    return needles.every((x) => event.indexOf(x) >= 0);
  }

  /** The block's events from index `from` on. */
  events(from = 0): BlockEvent[] {
    const out: BlockEvent[] = [];
    for (let i = from; i < this.n; i++) out.push({ id: this.eventId(i), ts: this.ts(i), ingest: this.ingest(i), message: this.message(i) });
    return out;
  }
}

/** Bits of a block's Bloom filter: about one per 4 bytes of text, a power of two. */
function bloomBits(textBytes: number): number {
  let bits = 1024;
  while (bits < textBytes / 4 && bits < 1 << 21) bits *= 2;
  return bits;
}

/**
 * Sets (or, with `test`, checks) the two bits of each 3-byte sequence, by double hashing.
 * Written out in one loop: it runs over every byte ingested.
 */
function trigrams(data: Uint8Array, bloom: Uint8Array, test: boolean): boolean {
  const mask = bloom.length * 8 - 1;
  let t = ((data[0] ?? 0) << 8) | (data[1] ?? 0);
  for (let i = 2; i < data.length; i++) {
    t = ((t << 8) | data[i]) & 0xffffff;
    const h1 = Math.imul(t, 0x9e3779b1);
    const h2 = Math.imul(t ^ (t >>> 9), 0x85ebca77) | 1;
    const a = h1 & mask;
    const b = (h1 + h2) & mask;
    if (test) {
      if (!(bloom[a >>> 3] & (1 << (a & 7))) || !(bloom[b >>> 3] & (1 << (b & 7)))) return false;
    } else {
      bloom[a >>> 3] |= 1 << (a & 7);
      bloom[b >>> 3] |= 1 << (b & 7);
    }
  }
  return true;
}

export function bloomOf(text: Buffer): Buffer {
  const bloom = Buffer.alloc(bloomBits(text.length) >>> 3);
  trigrams(text, bloom, false);
  return bloom;
}

/** False when the text the bloom was built from cannot contain the needle. */
export function mayContain(bloom: Buffer, needle: Buffer): boolean {
  return trigrams(needle, bloom, true);
}

/** The events' messages as UTF-8: one encoding of them all, a view per message. */
function textsOf(events: BlockEvent[]): Buffer[] {
  const joined = events.map((e) => e.message).join('');
  const all = Buffer.from(joined, 'utf8');
  // ASCII text (the usual case) has one byte per character: no per-message byte count.
  const ascii = all.length === joined.length;
  const out = new Array<Buffer>(events.length);
  let off = 0;
  for (let i = 0; i < events.length; i++) {
    const len = ascii ? events[i].message.length : Buffer.byteLength(events[i].message, 'utf8');
    out[i] = all.subarray(off, off + len);
    off += len;
  }
  return out;
}

/** Encodes events (in (timestamp, id) order) as a block row's columns. */
function encode(events: BlockEvent[], texts: Buffer[]): { minTs: number; maxTs: number; id0: number; ingest0: number; bloom: Buffer; meta: Buffer; text: Buffer } {
  const n = events.length;
  const meta = new Int32Array(4 * n);
  const minTs = events[0].ts;
  const id0 = events[0].id;
  const ingest0 = events[0].ingest;
  let off = 0;
  for (let i = 0; i < n; i++) {
    off += texts[i].length;
    meta[i] = off;
    meta[n + i] = events[i].ts - minTs;
    meta[2 * n + i] = events[i].id - id0;
    meta[3 * n + i] = events[i].ingest - ingest0;
  }
  const text = Buffer.concat(texts, off);
  return { minTs, maxTs: events[n - 1].ts, id0, ingest0, bloom: bloomOf(text), meta: Buffer.from(meta.buffer), text };
}

/** True when the events fit one block's 32-bit deltas. */
function fits(events: BlockEvent[]): boolean {
  const first = events[0];
  const last = events[events.length - 1];
  if (last.ts - first.ts > SPAN) return false;
  return events.every((e) => e.id - first.id <= SPAN && e.id >= first.id && Math.abs(e.ingest - first.ingest) <= SPAN);
}

export interface BlockScope {
  groupIds: number[];
  /** Inclusive time range. */
  start: number;
  end: number;
  streamIds?: number[];
}

/** Reads and writes the blocks; all writes run inside the caller's transaction. */
export class BlockStore {
  private readonly s: Record<string, Statement>;
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    const p = (sql: string) => db.sql.prepare(sql);
    this.s = {
      // The blob's length comes from the record header: deciding on a merge reads no text.
      last: p('SELECT id, max_ts, n, length(text) AS bytes FROM logs_blocks WHERE stream_id = ? ORDER BY id DESC LIMIT 1'),
      insert: p('INSERT INTO logs_blocks (group_id, stream_id, min_ts, max_ts, n, id0, ingest0, bloom, meta, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      update: p('UPDATE logs_blocks SET min_ts = ?, max_ts = ?, n = ?, id0 = ?, ingest0 = ?, bloom = ?, meta = ?, text = ? WHERE id = ?'),
      remove: p('DELETE FROM logs_blocks WHERE id = ?'),
      byId: p('SELECT id, group_id, stream_id, min_ts, max_ts, n, id0, ingest0, meta, text FROM logs_blocks WHERE id = ?'),
      deleteGroup: p('DELETE FROM logs_blocks WHERE group_id = ?'),
      deleteStream: p('DELETE FROM logs_blocks WHERE stream_id = ?'),
      expireWhole: p('DELETE FROM logs_blocks WHERE group_id = ? AND max_ts < ?'),
      straddling: p('SELECT id, group_id, stream_id, min_ts, max_ts, n, id0, ingest0, meta, text FROM logs_blocks WHERE group_id = ? AND max_ts >= ? AND min_ts < ?'),
    };
  }

  /** Adds a stored batch (ascending (ts, id)): joins the stream's last block when both are small. */
  append(groupId: number, streamId: number, events: BlockEvent[]): void {
    if (!events.length) return;
    const texts = textsOf(events);
    const bytes = texts.reduce((n, t) => n + t.length, 0);
    const last = this.s.last.get(streamId) as { id: number; max_ts: number; n: number; bytes: number } | undefined;
    if (last && last.n + events.length <= MERGE_EVENTS && last.bytes + bytes <= MERGE_BYTES && events[0].ts >= last.max_ts) {
      const old = new Block(this.s.byId.get(last.id) as BlockRow);
      const all = [...old.events(), ...events];
      if (fits(all)) {
        const oldTexts = Array.from({ length: old.n }, (_, i) => old.text.subarray(old.start(i), old.end(i)));
        const b = encode(all, [...oldTexts, ...texts]);
        this.s.update.run(b.minTs, b.maxTs, all.length, b.id0, b.ingest0, b.bloom, b.meta, b.text, last.id);
        return;
      }
    }
    this.insert(groupId, streamId, events, texts);
  }

  private insert(groupId: number, streamId: number, events: BlockEvent[], texts: Buffer[]): void {
    if (!fits(events)) {
      // Cannot happen for one PutLogEvents batch (it spans at most 24 hours); split to be safe.
      const half = events.length >> 1;
      this.insert(groupId, streamId, events.slice(0, half), texts.slice(0, half));
      this.insert(groupId, streamId, events.slice(half), texts.slice(half));
      return;
    }
    const b = encode(events, texts);
    this.s.insert.run(groupId, streamId, b.minTs, b.maxTs, events.length, b.id0, b.ingest0, b.bloom, b.meta, b.text);
  }

  deleteGroup(groupId: number): void {
    this.s.deleteGroup.run(groupId);
  }

  deleteStream(streamId: number): void {
    this.s.deleteStream.run(streamId);
  }

  /** Drops a group's events older than `before`: whole blocks go, straddling ones are cut. */
  expire(groupId: number, before: number): void {
    this.s.expireWhole.run(groupId, before);
    for (const row of this.s.straddling.all(groupId, before, before) as BlockRow[]) {
      const b = new Block(row);
      let i = 0;
      while (i < b.n && b.ts(i) < before) i++;
      this.s.remove.run(row.id);
      const rest = b.events(i);
      if (rest.length) this.insert(row.group_id, row.stream_id, rest, textsOf(rest));
    }
  }

  /** Builds blocks for events stored before blocks existed, stream by stream in (ts, id) order. */
  backfill(): void {
    const streams = this.db.sql.prepare('SELECT id, group_id FROM logs_streams').all() as { id: number; group_id: number }[];
    // Read in pages (no statement may stay open while blocks are written).
    const page = this.db.sql.prepare(`SELECT id, ts, ingest, message FROM logs_events WHERE group_id = ? AND stream_id = ?
      AND (ts > ? OR (ts = ? AND id > ?)) ORDER BY ts, id LIMIT ${BLOCK_EVENTS}`);
    for (const s of streams) {
      let after = { ts: -Infinity, id: 0 };
      for (;;) {
        const rows = page.all(s.group_id, s.id, after.ts, after.ts, after.id) as BlockEvent[];
        let from = 0;
        while (from < rows.length) {
          // Cut the page at the block byte size.
          let to = from;
          let bytes = 0;
          while (to < rows.length && (to === from || bytes < BLOCK_BYTES)) bytes += Buffer.byteLength(rows[to++].message);
          const run = rows.slice(from, to);
          this.insert(s.group_id, s.id, run, textsOf(run));
          from = to;
        }
        if (rows.length < BLOCK_EVENTS) break;
        after = rows[rows.length - 1];
      }
    }
  }

  /**
   * The blocks that may hold events in the scope, oldest first or newest first; with
   * `needles`, only those whose bloom admits every needle. Their ids are read first and each
   * block on its own, so no statement stays open while the caller works (or awaits); a block
   * deleted meanwhile is skipped. `stop`, asked with each next block's first timestamp
   * before it is read, ends the walk.
   */
  *blocks(scope: BlockScope, order: 'asc' | 'desc', needles: Buffer[] = [], stop?: (minTs: number) => boolean): Generator<Block> {
    const sieve = needles.filter((x) => x.length >= 3);
    const groups = scope.groupIds.map(() => '?').join(',');
    const streams = scope.streamIds ? ` AND stream_id IN (${scope.streamIds.map(() => '?').join(',')})` : '';
    const sql = `SELECT id, min_ts${sieve.length ? ', bloom' : ''} FROM logs_blocks WHERE group_id IN (${groups}) AND max_ts >= ? AND min_ts <= ?${streams}
      ORDER BY ${order === 'asc' ? 'min_ts, id' : 'max_ts DESC, id DESC'}`;
    let stmt = this.cache.get(sql);
    if (!stmt) this.cache.set(sql, (stmt = this.db.sql.prepare(sql).raw()));
    const rows = stmt.all(...scope.groupIds, scope.start, scope.end, ...(scope.streamIds ?? [])) as [number, number, Buffer?][];
    for (const [id, minTs, bloom] of rows) {
      if (!sieve.every((x) => mayContain(bloom!, x))) continue;
      if (stop?.(minTs)) return;
      const row = this.s.byId.get(id) as BlockRow | undefined;
      if (row) yield new Block(row);
    }
  }
}
