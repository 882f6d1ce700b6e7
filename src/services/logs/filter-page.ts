import type { FilteredLogEvent, FilterLogEventsResponse } from '../../aws/models/generated/logs.js';
import { withJsonBody } from '../../aws/protocol/json-body.js';
import { jsonString } from './json-text.js';
import { eventIdOf, type EventRow } from './store.js';

/**
 * A FilterLogEvents answer. A page holds up to 10,000 events (about 2.3 MB of JSON): its
 * document is written straight from the rows, in the model's member order, and the event
 * objects are built only if an in-process caller reads `events`.
 */
export function filterPage(rows: EventRow[], names: Map<number, string>, nextToken: string | undefined): FilterLogEventsResponse {
  let events: FilteredLogEvent[] | undefined;
  const out: FilterLogEventsResponse = {
    get events() {
      return (events ??= rows.map((r) => ({ logStreamName: names.get(r.stream_id), timestamp: r.ts, message: r.message, ingestionTime: r.ingest, eventId: eventIdOf(r.ts, r.id) })));
    },
    searchedLogStreams: [],
    nextToken,
  };
  return withJsonBody(out, () => pageJson(rows, names, nextToken));
}

function pageJson(rows: EventRow[], names: Map<number, string>, nextToken: string | undefined): string {
  // Each stream's opening, written once: `{"logStreamName":"s0","timestamp":`.
  const heads = new Map<number, string>();
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let head = heads.get(r.stream_id);
    if (head === undefined) {
      const name = names.get(r.stream_id);
      head = name === undefined ? '{"timestamp":' : `{"logStreamName":${JSON.stringify(name)},"timestamp":`;
      heads.set(r.stream_id, head);
    }
    parts[i] = `${head}${r.ts},"message":${jsonString(r.message)},"ingestionTime":${r.ingest},"eventId":"${eventIdOf(r.ts, r.id)}"}`;
  }
  const token = nextToken === undefined ? '' : `,"nextToken":${JSON.stringify(nextToken)}`;
  return `{"events":[${parts.join(',')}],"searchedLogStreams":[]${token}}`;
}
