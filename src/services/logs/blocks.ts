import type { Statement } from 'better-sqlite3';
import type { Database } from '../../state/database.js';
import { Block, encode, fits, mayContain, textsOf, type BlockEvent, type BlockRow } from './block.js';

export { Block, bloomOf, mayContain, type BlockEvent } from './block.js';

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
/**
 * Decoded blocks kept in memory (text and offsets), least recently read dropped first. A
 * search of a million events reads about 90 MB of blobs; from SQLite that is most of its
 * time (overflow pages copied one by one), from memory it is the `indexOf` alone.
 */
const CACHE_BYTES = 160 * 1024 * 1024;
/** Bloom filters kept in memory: those of about 130 MB of text (1.8 million events of 70 bytes). */
const BLOOM_CACHE_BYTES = 8 * 1024 * 1024;

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
  /** Blocks by id, in order of last use. Every write to a cached block drops it first. */
  private readonly decoded = new Map<number, Block>();
  private decodedBytes = 0;
  /**
   * Bloom filters by block id (about 1/16 of the text): a search for a common term reads them
   * all, and from SQLite that is megabytes a million events. Dropped with the decoded blocks.
   */
  private readonly blooms = new Map<number, Buffer>();
  private bloomBytes = 0;

  constructor(private readonly db: Database) {
    const p = (sql: string) => db.sql.prepare(sql);
    this.s = {
      // The blob's length comes from the record header: deciding on a merge reads no text.
      last: p('SELECT id, max_ts, n, length(text) AS bytes FROM logs_blocks WHERE stream_id = ? ORDER BY id DESC LIMIT 1'),
      insert: p('INSERT INTO logs_blocks (group_id, stream_id, min_ts, max_ts, n, id0, ingest0, bloom, meta, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      update: p('UPDATE logs_blocks SET min_ts = ?, max_ts = ?, n = ?, id0 = ?, ingest0 = ?, bloom = ?, meta = ?, text = ? WHERE id = ?'),
      remove: p('DELETE FROM logs_blocks WHERE id = ?'),
      bloom: p('SELECT bloom FROM logs_blocks WHERE id = ?').pluck(),
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
        this.forget(last.id);
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
    this.clearCache();
    this.s.deleteGroup.run(groupId);
  }

  deleteStream(streamId: number): void {
    this.clearCache();
    this.s.deleteStream.run(streamId);
  }

  /** Forgets every decoded block (after deletions, or when the database was wiped under it). */
  clearCache(): void {
    this.decoded.clear();
    this.decodedBytes = 0;
    this.blooms.clear();
    this.bloomBytes = 0;
  }

  private forget(id: number): void {
    const bloom = this.blooms.get(id);
    if (bloom) {
      this.blooms.delete(id);
      this.bloomBytes -= bloom.length;
    }
    const b = this.decoded.get(id);
    if (!b) return;
    this.decoded.delete(id);
    this.decodedBytes -= b.bytes;
  }

  /** A block by id, from memory when it was read before; undefined when it no longer exists. */
  private read(id: number): Block | undefined {
    let b = this.decoded.get(id);
    if (b) {
      // Move to the end: the map's order is the order of last use.
      this.decoded.delete(id);
      this.decoded.set(id, b);
      return b;
    }
    const row = this.s.byId.get(id) as BlockRow | undefined;
    if (!row) return undefined;
    b = new Block(row);
    this.decoded.set(id, b);
    this.decodedBytes += b.bytes;
    for (const [old, x] of this.decoded) {
      if (this.decodedBytes <= CACHE_BYTES) break;
      this.decoded.delete(old);
      this.decodedBytes -= x.bytes;
    }
    return b;
  }

  /** A block's Bloom filter, kept once read; undefined when the block no longer exists. */
  private bloom(id: number): Buffer | undefined {
    let bloom = this.blooms.get(id);
    if (bloom) return bloom;
    bloom = this.s.bloom.get(id) as Buffer | undefined;
    if (!bloom) return undefined;
    if (this.bloomBytes + bloom.length > BLOOM_CACHE_BYTES) {
      this.blooms.clear();
      this.bloomBytes = 0;
    }
    this.blooms.set(id, bloom);
    this.bloomBytes += bloom.length;
    return bloom;
  }

  /** Drops a group's events older than `before`: whole blocks go, straddling ones are cut. */
  expire(groupId: number, before: number): void {
    this.clearCache();
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
    const sql = `SELECT id, min_ts FROM logs_blocks WHERE group_id IN (${groups}) AND max_ts >= ? AND min_ts <= ?${streams}
      ORDER BY ${order === 'asc' ? 'min_ts, id' : 'max_ts DESC, id DESC'}`;
    let stmt = this.cache.get(sql);
    if (!stmt) this.cache.set(sql, (stmt = this.db.sql.prepare(sql).raw()));
    const rows = stmt.all(...scope.groupIds, scope.start, scope.end, ...(scope.streamIds ?? [])) as [number, number][];
    for (const [id, minTs] of rows) {
      if (sieve.length) {
        const bloom = this.bloom(id);
        if (!bloom || !sieve.every((x) => mayContain(bloom, x))) continue;
      }
      if (stop?.(minTs)) return;
      const b = this.read(id);
      if (b) yield b;
    }
  }
}
