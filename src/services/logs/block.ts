/** A block decoded, and the encoding of events into one (see blocks.ts for the table). */

/** Deltas are stored as 32-bit signed integers. */
const SPAN = 2 ** 31 - 1;

export interface BlockEvent {
  id: number;
  ts: number;
  ingest: number;
  message: string;
}

export interface BlockRow {
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

/** An event as its place in a decoded block: found and written without decoding its message. */
export interface EventRef {
  block: Block;
  i: number;
  ts: number;
  id: number;
}

/** One decoded block: events by index, in (timestamp, id) order. */
export class Block {
  readonly id: number;
  readonly groupId: number;
  readonly streamId: number;
  readonly n: number;
  readonly minTs: number;
  readonly maxTs: number;
  private readonly id0: number;
  private readonly ingest0: number;
  private readonly meta: Int32Array;
  readonly text: Buffer;
  /** Memory the decoded block holds (text and offsets). */
  readonly bytes: number;

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
    this.bytes = r.text.length + r.meta.length;
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
export function textsOf(events: BlockEvent[]): Buffer[] {
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
export function encode(events: BlockEvent[], texts: Buffer[]): { minTs: number; maxTs: number; id0: number; ingest0: number; bloom: Buffer; meta: Buffer; text: Buffer } {
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
export function fits(events: BlockEvent[]): boolean {
  const first = events[0];
  const last = events[events.length - 1];
  if (last.ts - first.ts > SPAN) return false;
  return events.every((e) => e.id - first.id <= SPAN && e.id >= first.id && Math.abs(e.ingest - first.ingest) <= SPAN);
}
