import type { RequestContext } from '../../aws/gateway/context.js';
import type { InputLogEvent, LogStream, LogsOperations, RejectedLogEventsInfo } from '../../aws/models/generated/logs.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { invalidParameter, namedGroup, requireGroup, requireStream, retentionCutoff } from './common.js';
import { AFTER_ALL, BEFORE_ALL, decodeCursor, encodeCursor, StreamReader, type Cursor } from './events-read.js';
import { groupArn, type GroupRow, type LogsStore, type StreamRow } from './store.js';

type Ops = Partial<LogsOperations<RequestContext>>;

const HOUR = 3_600_000;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_EVENT_BYTES = 262_144;

/** Called after a batch is stored: metric filters, live tail sessions. */
export type IngestListener = (scope: Scope, group: GroupRow, stream: StreamRow, events: InputLogEvent[]) => void;

/** Log streams, PutLogEvents with AWS's batch rules, and GetLogEvents with f/ and b/ tokens. */
export function streamOperations(store: LogsStore, clock: Clock, listeners: IngestListener[]): Ops {
  const reader = new StreamReader(store.db);
  return {
    async CreateLogStream(input, ctx) {
      const g = requireGroup(store, ctx, input.logGroupName);
      if (store.stream(g, input.logStreamName)) throw new ServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      store.createStream(g, input.logStreamName, clock.now());
      return {};
    },

    async DeleteLogStream(input, ctx) {
      store.deleteStream(requireStream(store, requireGroup(store, ctx, input.logGroupName), input.logStreamName));
      return {};
    },

    async DescribeLogStreams(input, ctx) {
      const g = namedGroup(store, ctx, input);
      const byTime = input.orderBy === 'LastEventTime';
      if (byTime && input.logStreamNamePrefix) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
      let rows = store.streams(g).filter((s) => s.name.startsWith(input.logStreamNamePrefix ?? ''));
      if (byTime) rows.sort((a, b) => (a.last_ts ?? -1) - (b.last_ts ?? -1) || (a.name < b.name ? -1 : 1));
      if (input.descending) rows = rows.reverse();
      const offset = input.nextToken ? offsetOf(input.nextToken) : 0;
      const limit = input.limit ?? 50;
      const page = rows.slice(offset, offset + limit);
      const more = offset + limit < rows.length;
      return {
        logStreams: page.map((s) => streamOut(ctx, g, s)),
        nextToken: more ? Buffer.from(`streams:${offset + limit}`).toString('base64url') : undefined,
      };
    },

    async PutLogEvents(input, ctx) {
      const g = requireGroup(store, ctx, input.logGroupName);
      const stream = requireStream(store, g, input.logStreamName);
      const events = input.logEvents;
      checkBatch(events);
      const now = clock.now();
      const { accepted, rejected } = classify(events, now, retentionCutoff(now, g.retention));
      store.append(stream, accepted, now);
      if (accepted.length) for (const l of listeners) l(ctx, g, stream, accepted);
      return {
        nextSequenceToken: String(stream.seq + 1).padStart(56, '0'),
        rejectedLogEventsInfo: rejected,
      };
    },

    async GetLogEvents(input, ctx) {
      const g = namedGroup(store, ctx, input);
      const s = requireStream(store, g, input.logStreamName);
      const start = input.startTime ?? 0;
      const end = input.endTime ?? Number.MAX_SAFE_INTEGER;
      const limit = input.limit ?? 10_000;
      const token = input.nextToken;
      let dir: 'f' | 'b' = input.startFromHead ? 'f' : 'b';
      let from: Cursor = dir === 'f' ? BEFORE_ALL : AFTER_ALL;
      if (token) {
        const m = /^([fb])\/(\d+)(\/s)?$/.exec(token);
        if (!m) throw invalidParameter(`The specified nextToken is invalid: ${token}`);
        dir = m[1] as 'f' | 'b';
        from = decodeCursor(m[2], token);
      }
      const rows = dir === 'f' ? reader.after(s, start, end, from, limit) : reader.before(s, start, end, from, limit);
      const first = rows.length ? { ts: rows[0].ts, id: rows[0].id } : from;
      const last = rows.length ? { ts: rows[rows.length - 1].ts, id: rows[rows.length - 1].id } : from;
      // At the end of the stream AWS hands back the token it was given.
      const same = (d: 'f' | 'b', c: Cursor) => (token && rows.length === 0 && d === dir ? token : `${d}/${encodeCursor(c)}/s`);
      return {
        events: rows.map((r) => ({ timestamp: r.ts, message: r.message, ingestionTime: r.ingest })),
        nextForwardToken: same('f', rows.length || dir === 'f' ? last : BEFORE_ALL),
        nextBackwardToken: same('b', rows.length || dir === 'b' ? first : BEFORE_ALL),
      };
    },
  };
}

function offsetOf(token: string): number {
  const m = /^streams:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw invalidParameter(`The specified nextToken is invalid: ${token}`);
  return Number(m[1]);
}

function streamOut(scope: Scope, g: GroupRow, s: StreamRow): LogStream {
  return {
    logStreamName: s.name,
    creationTime: s.created,
    firstEventTimestamp: s.first_ts ?? undefined,
    lastEventTimestamp: s.last_ts ?? undefined,
    lastIngestionTime: s.last_ingest ?? undefined,
    uploadSequenceToken: String(s.seq + 1).padStart(56, '0'),
    arn: `${groupArn(scope, g.name)}:log-stream:${s.name}`,
    storedBytes: 0,
  };
}

/** AWS's batch rules that fail the whole call: size, order and span. */
function checkBatch(events: InputLogEvent[]): void {
  let total = 0;
  for (let i = 0; i < events.length; i++) {
    const size = Buffer.byteLength(events[i].message);
    if (size + 26 > MAX_EVENT_BYTES) throw invalidParameter(`Log event too large: ${size + 26} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
    total += size + 26;
    if (i > 0 && events[i].timestamp < events[i - 1].timestamp) {
      throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
    }
  }
  if (total > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  if (events.length && events[events.length - 1].timestamp - events[0].timestamp > 24 * HOUR) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
}

/** Events more than 14 days old, older than the retention period, or over 2 hours ahead are rejected, not failed. */
function classify(events: InputLogEvent[], now: number, expiredBefore: number | undefined): { accepted: InputLogEvent[]; rejected?: RejectedLogEventsInfo } {
  const tooOldBefore = now - 14 * 24 * HOUR;
  const tooNewAfter = now + 2 * HOUR;
  let tooOldEnd = -1;
  let expiredEnd = -1;
  let tooNewStart = events.length;
  events.forEach((e, i) => {
    if (e.timestamp < tooOldBefore) tooOldEnd = i;
    if (expiredBefore !== undefined && e.timestamp < expiredBefore) expiredEnd = i;
    if (e.timestamp > tooNewAfter && tooNewStart === events.length) tooNewStart = i;
  });
  const firstOk = Math.max(tooOldEnd, expiredEnd) + 1;
  const accepted = events.slice(firstOk, tooNewStart);
  if (firstOk === 0 && tooNewStart === events.length) return { accepted };
  const rejected: RejectedLogEventsInfo = {};
  if (tooOldEnd >= 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (expiredEnd >= 0) rejected.expiredLogEventEndIndex = expiredEnd;
  if (tooNewStart < events.length) rejected.tooNewLogEventStartIndex = tooNewStart;
  return { accepted, rejected };
}
