import type { EventRef } from '../block.js';
import type { BlockStore } from '../blocks.js';
import type { RawEvent, Scope } from './event-source.js';

/** A matching event as a place in its block: nothing is decoded until a row is written. */
export type Hit = EventRef;

/** Newest first, as Logs Insights orders results without a sort (`@timestamp desc`). */
const newestFirst = (a: Hit, b: Hit) => b.ts - a.ts || b.id - a.id;

/**
 * The newest `limit` events of the scope whose message contains every glob, and how many
 * events match in all (recordsMatched). Blocks come newest first; once `limit` hits are in
 * hand, a block wholly older than the oldest kept is only counted.
 */
export function newestHits(blocks: BlockStore, scope: Scope, globs: string[], limit: number): { hits: Hit[]; count: number } {
  const needles = globs.map((g) => Buffer.from(g, 'utf8'));
  let hits: Hit[] = [];
  let floor = -Infinity;
  let count = 0;
  const { start, end } = scope;
  for (const b of blocks.blocks({ groupIds: scope.groups.map((g) => g.id), start, end }, 'desc', needles)) {
    const found = b.find(needles);
    if (b.minTs >= start && b.maxTs <= end && (b.maxTs < floor || limit <= 0)) {
      count += found.length;
      continue;
    }
    for (const i of found) {
      const ts = b.ts(i);
      if (ts < start || ts > end) continue;
      count++;
      if (ts < floor || limit <= 0) continue;
      hits.push({ block: b, i, ts, id: b.eventId(i) });
      // With `limit` in hand, nothing older than the oldest of them can be among the newest.
      if (hits.length === limit && floor === -Infinity) floor = hits.reduce((m, h) => Math.min(m, h.ts), Infinity);
      if (hits.length >= 2 * limit) {
        hits = hits.sort(newestFirst).slice(0, limit);
        floor = hits[hits.length - 1].ts;
      }
    }
  }
  return { hits: hits.sort(newestFirst).slice(0, limit), count };
}

/** A hit as the event row the general executor reads. */
export function rawEvent(h: Hit): RawEvent {
  const b = h.block;
  return { id: h.id, group_id: b.groupId, stream_id: b.streamId, ts: h.ts, ingest: b.ingest(h.i), message: b.message(h.i) };
}
