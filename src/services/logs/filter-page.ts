import type { FilteredLogEvent, FilterLogEventsResponse } from '../../aws/models/generated/logs.js';
import { withJsonBody } from '../../aws/protocol/json-body.js';
import type { EventRef } from './block.js';
import { JsonBytes } from './json-bytes.js';
import { eventIdOf, type EventRow } from './store.js';

/** An event of a page: a stored row, or a match found in a block (its message not decoded). */
export type PageEvent = EventRow | EventRef;

const isRef = (e: PageEvent): e is EventRef => 'block' in e;

/** The event as a row (its message decoded when it is a block match). */
export function eventRow(e: PageEvent): EventRow {
  if (!isRef(e)) return e;
  const b = e.block;
  return { id: e.id, stream_id: b.streamId, ts: e.ts, ingest: b.ingest(e.i), message: b.message(e.i) };
}

/** The message's size in UTF-8, as AWS counts a page's 1 MB. */
export function eventBytes(e: PageEvent): number {
  return isRef(e) ? e.block.end(e.i) - e.block.start(e.i) : Buffer.byteLength(e.message);
}

/**
 * A FilterLogEvents answer. A page holds up to 10,000 events (about 2.3 MB of JSON): its
 * document is written as UTF-8 straight from the rows and blocks, in the model's member
 * order, and the event objects are built only if an in-process caller reads `events`.
 */
export function filterPage(rows: PageEvent[], names: Map<number, string>, nextToken: string | undefined): FilterLogEventsResponse {
  let events: FilteredLogEvent[] | undefined;
  const out: FilterLogEventsResponse = {
    get events() {
      return (events ??= rows.map(eventRow).map((r) => ({ logStreamName: names.get(r.stream_id), timestamp: r.ts, message: r.message, ingestionTime: r.ingest, eventId: eventIdOf(r.ts, r.id) })));
    },
    searchedLogStreams: [],
    nextToken,
  };
  return withJsonBody(out, () => pageJson(rows, names, nextToken));
}

function pageJson(rows: PageEvent[], names: Map<number, string>, nextToken: string | undefined): Buffer {
  // Each stream's opening, written once: `{"logStreamName":"s0","timestamp":`.
  const heads = new Map<number, Buffer>();
  const w = new JsonBytes(rows.length * 240 + 64);
  w.ascii('{"events":[');
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const ref = isRef(r) ? r : undefined;
    const stream = ref ? ref.block.streamId : (r as EventRow).stream_id;
    let head = heads.get(stream);
    if (head === undefined) {
      const name = names.get(stream);
      head = Buffer.from(name === undefined ? '{"timestamp":' : `{"logStreamName":${JSON.stringify(name)},"timestamp":`);
      heads.set(stream, head);
    }
    if (k) w.ascii(',');
    w.copy(head);
    w.int(r.ts);
    w.copy(MESSAGE);
    if (ref) w.utf8(ref.block.text, ref.block.start(ref.i), ref.block.end(ref.i));
    else w.string((r as EventRow).message);
    w.copy(INGESTION);
    w.int(ref ? ref.block.ingest(ref.i) : (r as EventRow).ingest);
    w.copy(EVENT_ID);
    // eventIdOf's digits: the time in 20, the row id in 36.
    w.int(r.ts, 20);
    w.int(r.id, 36);
    w.ascii('"}');
  }
  w.ascii('],"searchedLogStreams":[]');
  if (nextToken !== undefined) w.raw(`,"nextToken":${JSON.stringify(nextToken)}`);
  w.ascii('}');
  return w.bytes();
}

const MESSAGE = Buffer.from(',"message":');
const INGESTION = Buffer.from(',"ingestionTime":');
const EVENT_ID = Buffer.from(',"eventId":"');
