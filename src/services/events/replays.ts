import type { RequestContext } from '../../aws/gateway/context.js';
import type { EventsOperations, Replay } from '../../aws/models/generated/events.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import type { ArchiveStore, ReplayRecord } from './archive-store.js';
import { busName, date, notFound, page, scopeOf, validation } from './common.js';
import type { Router } from './router.js';
import type { EventsStore } from './store.js';

type Ops = Pick<EventsOperations<RequestContext>, 'StartReplay' | 'DescribeReplay' | 'ListReplays' | 'CancelReplay'>;

const replayArn = (scope: Scope, name: string) => `arn:aws:events:${scope.region}:${scope.accountId}:replay/${name}`;

const shape = (r: ReplayRecord): Replay & { ReplayArn: string; Description?: string; Destination: ReplayRecord['destination'] } => ({
  ReplayName: r.name,
  ReplayArn: r.arn,
  Description: r.description,
  EventSourceArn: r.archiveArn,
  Destination: r.destination,
  State: r.state,
  StateReason: r.stateReason,
  EventStartTime: date(r.eventStart),
  EventEndTime: date(r.eventEnd),
  EventLastReplayedTime: r.lastReplayed === undefined ? undefined : date(r.lastReplayed),
  ReplayStartTime: date(r.started),
  ReplayEndTime: r.ended === undefined ? undefined : date(r.ended),
});

/**
 * Replays: archived events from a time window go back through the destination bus's rules
 * (only those in FilterArns, when given) with a `replay-name` field, as a durable job.
 */
export function replayOperations(archives: ArchiveStore, store: EventsStore, router: Router, jobs: JobQueue, clock: Clock): Ops {
  const save = (scope: Scope, r: ReplayRecord) => archives.replays.put(scope, r.name, r);

  const run = jobs.define<{ scope: Scope; name: string }>('events.replay', async ({ scope, name }) => {
    const r = archives.replays.get(scope, name);
    if (!r || r.state !== 'STARTING') return;
    const archive = archives.archives.list(scope).find((a) => a.arn === r.archiveArn);
    if (!archive) return save(scope, { ...r, state: 'FAILED', stateReason: 'The archive no longer exists.', ended: clock.now() });
    const bus = busName(r.destination.Arn);
    const only = r.destination.FilterArns?.length ? new Set(r.destination.FilterArns) : undefined;
    store.db.transaction(() => {
      let last: number | undefined;
      for (const event of archives.events(scope, archive.name, r.eventStart, r.eventEnd)) {
        router.route(scope, bus, { ...event, 'replay-name': r.name }, clock.now(), only && ((rule) => only.has(rule.arn)));
        last = Date.parse(event.time);
      }
      save(scope, { ...r, state: 'COMPLETED', lastReplayed: last, ended: clock.now() });
    });
  });

  return {
    async StartReplay(input, ctx) {
      const scope = scopeOf(ctx);
      if (archives.replays.has(scope, input.ReplayName)) throw new ServiceError('ResourceAlreadyExistsException', `Replay ${input.ReplayName} already exists.`, { statusCode: 400 });
      const archive = archives.archives.list(scope).find((a) => a.arn === input.EventSourceArn);
      if (!archive) throw notFound(`Archive ${input.EventSourceArn} does not exist.`);
      if (input.EventStartTime.getTime() >= input.EventEndTime.getTime()) throw validation('EventStartTime must be before EventEndTime.');
      if (input.Destination.Arn !== archive.source) throw validation('Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.');
      const r: ReplayRecord = {
        name: input.ReplayName,
        arn: replayArn(scope, input.ReplayName),
        description: input.Description,
        archiveArn: archive.arn,
        destination: input.Destination,
        eventStart: input.EventStartTime.getTime(),
        eventEnd: input.EventEndTime.getTime(),
        state: 'STARTING',
        started: clock.now(),
      };
      store.db.transaction(() => {
        save(scope, r);
        run({ scope, name: r.name });
      });
      return { ReplayArn: r.arn, State: r.state, ReplayStartTime: date(r.started) };
    },

    async DescribeReplay(input, ctx) {
      const r = archives.replays.get(scopeOf(ctx), input.ReplayName);
      if (!r) throw notFound(`Replay ${input.ReplayName} does not exist.`);
      return shape(r);
    },

    async ListReplays(input, ctx) {
      const list = archives.replays
        .list(scopeOf(ctx))
        .filter((r) => (!input.NamePrefix || r.name.startsWith(input.NamePrefix)) && (!input.State || r.state === input.State) && (!input.EventSourceArn || r.archiveArn === input.EventSourceArn));
      const p = page(list, (r) => r.name, input.NextToken, input.Limit);
      return { Replays: p.items.map(shape), NextToken: p.next };
    },

    async CancelReplay(input, ctx) {
      const scope = scopeOf(ctx);
      const r = archives.replays.get(scope, input.ReplayName);
      if (!r) throw notFound(`Replay ${input.ReplayName} does not exist.`);
      if (r.state !== 'STARTING' && r.state !== 'RUNNING') throw new ServiceError('IllegalStatusException', `Replay ${r.name} is ${r.state} and cannot be cancelled.`, { statusCode: 400 });
      save(scope, { ...r, state: 'CANCELLED', ended: clock.now() });
      return { ReplayArn: r.arn, State: 'CANCELLED' };
    },
  };
}
