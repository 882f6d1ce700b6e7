import type { RequestContext } from '../../aws/gateway/context.js';
import type { EventsOperations, PutEventsRequestEntry, PutEventsResultEntry } from '../../aws/models/generated/events.js';
import type { Clock } from '../../core/clock.js';
import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import { busName, compilePattern, scopeOf, validation } from './common.js';
import { eventTime, type EventEnvelope } from './event.js';
import type { EventsStore } from './store.js';

type Ops = Pick<EventsOperations<RequestContext>, 'PutEvents' | 'TestEventPattern'>;

const MAX_REQUEST_BYTES = 256 * 1024;

/** Takes an accepted event in: routes it on its bus (and archives it). */
export type Ingest = (scope: Scope, bus: string, event: EventEnvelope) => void;

/** The entry's size as AWS counts it: time, source, detail type, detail and resources, in UTF-8 bytes. */
export function entrySize(e: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (e.Time ? 14 : 0) + bytes(e.Source) + bytes(e.DetailType) + bytes(e.Detail) + (e.Resources ?? []).reduce((n, r) => n + bytes(r), 0);
}

const failure = (ErrorCode: string, ErrorMessage: string): PutEventsResultEntry => ({ ErrorCode, ErrorMessage });
const required = (name: string) => failure('InvalidArgument', `Parameter ${name} is not valid. Reason: ${name} is a required argument.`);

function check(e: PutEventsRequestEntry, internal: boolean): PutEventsResultEntry | Record<string, unknown> {
  if (!e.Source) return required('Source');
  if (!e.DetailType) return required('DetailType');
  if (e.Detail === undefined) return required('Detail');
  // Only AWS services may publish aws.* events; Slipway's own services call in-process.
  if (e.Source.startsWith('aws.') && !internal) return failure('NotAuthorizedForSourceException', 'Not authorized for the source.');
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail);
  } catch {
    return failure('MalformedDetail', 'Detail is malformed.');
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return failure('MalformedDetail', 'Detail is malformed.');
  return detail as Record<string, unknown>;
}

/** PutEvents (entry by entry, with FailedEntryCount) and TestEventPattern. */
export function putEventOperations(store: EventsStore, clock: Clock, ingest: Ingest): Ops {
  return {
    async PutEvents(input, ctx) {
      const scope = scopeOf(ctx);
      const total = input.Entries.reduce((n, e) => n + entrySize(e), 0);
      if (total > MAX_REQUEST_BYTES) throw validation('Total size of the entries in the request is over the limit.');
      const now = clock.now();
      // One transaction for the request: its deliveries are committed together, before the answer.
      const results = store.db.transaction(() => input.Entries.map((entry): PutEventsResultEntry => {
        const detail = check(entry, ctx.protocol === 'internal');
        if ('ErrorCode' in detail) return detail;
        const bus = busName(entry.EventBusName);
        if (!store.bus(scope, bus)) return failure('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
        const event: EventEnvelope = {
          version: '0',
          id: uuid(),
          'detail-type': entry.DetailType!,
          source: entry.Source!,
          account: scope.accountId,
          time: eventTime(entry.Time ? entry.Time.getTime() : now),
          region: scope.region,
          resources: entry.Resources ?? [],
          detail,
        };
        ingest(scope, bus, event);
        return { EventId: event.id };
      }));
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    },

    async TestEventPattern(input) {
      const pattern = compilePattern(input.EventPattern);
      let event: unknown;
      try {
        event = JSON.parse(input.Event);
      } catch {
        throw validation('Parameter Event is not valid. Reason: the event is not valid JSON.');
      }
      if (event === null || typeof event !== 'object' || Array.isArray(event)) throw validation('Parameter Event is not valid. Reason: the event must be a JSON object.');
      const missing = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'].filter((f) => !(f in event));
      if (missing.length) throw validation(`Parameter Event is not valid. Reason: the event is missing the mandatory field(s) ${missing.join(', ')}.`);
      return { Result: pattern.matches(event) };
    },
  };
}
