import type { RequestContext } from '../../aws/gateway/context.js';
import type { LiveTailSessionLogEvent, LogsOperations, StartLiveTailResponseStream } from '../../aws/models/generated/logs.js';
import type { Clock } from '../../core/clock.js';
import { uuid } from '../../core/ids.js';
import { groupArn, type LogsStore } from './store.js';
import { groupNameOf, invalidParameter, requireGroup } from './common.js';
import { parseFilterPattern, type FilterPattern } from './filter-pattern.js';
import type { IngestListener } from './streams.js';

type Ops = Partial<LogsOperations<RequestContext>>;

/** AWS sends an update every second, at most 500 events in it, and ends a session after 3 hours. */
export const UPDATE_MS = 1000;
const MAX_PER_UPDATE = 500;
const SESSION_MS = 3 * 3_600_000;
const MAX_GROUPS = 10;

interface Session {
  groupIds: Set<number>;
  streams?: string[];
  prefixes?: string[];
  pattern: FilterPattern;
  pending: LiveTailSessionLogEvent[];
  dropped: boolean;
}

/**
 * StartLiveTail: an event stream that opens with sessionStart and then carries, once a
 * second, the events ingested since the last update that match the session's filters.
 */
export function liveTail(store: LogsStore, clock: Clock): { ops: Ops; onIngest: IngestListener } {
  const sessions = new Set<Session>();

  const onIngest: IngestListener = (scope, group, stream, events) => {
    for (const s of sessions) {
      if (!s.groupIds.has(group.id)) continue;
      if (s.streams && !s.streams.includes(stream.name)) continue;
      if (s.prefixes && !s.prefixes.some((p) => stream.name.startsWith(p))) continue;
      for (const e of events) {
        if (!s.pattern.test(e.message)) continue;
        if (s.pending.length >= MAX_PER_UPDATE) { s.dropped = true; continue; }
        s.pending.push({ logStreamName: stream.name, logGroupIdentifier: groupArn(scope, group.name), message: e.message, timestamp: e.timestamp, ingestionTime: clock.now() });
      }
    }
  };

  const ops: Ops = {
    async StartLiveTail(input, ctx) {
      const names = [...new Set(input.logGroupIdentifiers.map(groupNameOf))];
      if (names.length > MAX_GROUPS) throw invalidParameter(`A Live Tail session can tail at most ${MAX_GROUPS} log groups.`);
      const groups = names.map((n) => requireGroup(store, ctx, n));
      if (input.logStreamNames && input.logStreamNamePrefixes) throw invalidParameter('logStreamNames and logStreamNamePrefixes are mutually exclusive.');
      if ((input.logStreamNames || input.logStreamNamePrefixes) && groups.length !== 1) {
        throw invalidParameter('logStreamNames and logStreamNamePrefixes can be given only when tailing exactly one log group.');
      }
      const session: Session = {
        groupIds: new Set(groups.map((g) => g.id)),
        streams: input.logStreamNames,
        prefixes: input.logStreamNamePrefixes,
        pattern: parseFilterPattern(input.logEventFilterPattern),
        pending: [],
        dropped: false,
      };
      const start: StartLiveTailResponseStream = {
        sessionStart: {
          requestId: ctx.requestId, sessionId: uuid(), logGroupIdentifiers: input.logGroupIdentifiers,
          logStreamNames: input.logStreamNames, logStreamNamePrefixes: input.logStreamNamePrefixes, logEventFilterPattern: input.logEventFilterPattern,
        },
      };
      return { responseStream: sessionEvents(session, start, sessions, clock) as unknown as StartLiveTailResponseStream };
    },
  };
  return { ops, onIngest };
}

/** The session's events as an async iterator whose return() ends the session at once. */
function sessionEvents(session: Session, start: StartLiveTailResponseStream, sessions: Set<Session>, clock: Clock): AsyncIterable<StartLiveTailResponseStream> {
  const abort = new AbortController();
  const endsAt = clock.now() + SESSION_MS;
  let state: 'start' | 'open' | 'done' = 'start';
  const finish = () => {
    state = 'done';
    sessions.delete(session);
    abort.abort();
  };
  const iterator: AsyncIterator<StartLiveTailResponseStream> = {
    async next() {
      if (state === 'start') {
        state = 'open';
        sessions.add(session);
        return { value: start, done: false };
      }
      if (state === 'done') return { value: undefined, done: true };
      if (clock.now() >= endsAt) {
        finish();
        return { value: { SessionTimeoutException: { message: 'Session timed out after 3 hours.' } }, done: false };
      }
      try {
        await clock.sleep(UPDATE_MS, abort.signal);
      } catch {
        return { value: undefined, done: true };
      }
      const results = session.pending.splice(0);
      const sampled = session.dropped;
      session.dropped = false;
      return { value: { sessionUpdate: { sessionMetadata: { sampled }, sessionResults: results } }, done: false };
    },
    async return() {
      finish();
      return { value: undefined, done: true };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
