import type { RequestContext } from '../../aws/gateway/context.js';
import type { Archive, EventsOperations } from '../../aws/models/generated/events.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { ArchiveRecord, ArchiveStore } from './archive-store.js';
import { busName, compilePattern, date, notFound, page, scopeOf, validation } from './common.js';
import type { EventEnvelope } from './event.js';
import type { Router } from './router.js';
import type { EventsStore } from './store.js';

type Ops = Pick<EventsOperations<RequestContext>, 'CreateArchive' | 'DescribeArchive' | 'ListArchives' | 'UpdateArchive' | 'DeleteArchive'>;

export function archiveArn(scope: Scope, name: string): string {
  return `arn:aws:events:${scope.region}:${scope.accountId}:archive/${name}`;
}

function requireArchive(archives: ArchiveStore, scope: Scope, name: string): ArchiveRecord {
  const a = archives.archives.get(scope, name);
  if (!a) throw notFound(`Archive ${name} does not exist.`);
  return a;
}

/** Keeps a copy of each event put on a bus in that bus's archives whose pattern it matches. */
export function archiver(archives: ArchiveStore, store: EventsStore, router: Router, clock: Clock) {
  return (scope: Scope, bus: string, event: EventEnvelope): void => {
    if (event['replay-name']) return; // replayed events are not archived again
    const source = store.bus(scope, bus)?.arn;
    for (const a of archives.archives.list(scope)) {
      if (a.source !== source) continue;
      if (a.eventPattern && !router.pattern(a.eventPattern).matches(event)) continue;
      archives.keep(scope, a, event, clock.now());
    }
  };
}

/** Archives: CreateArchive, DescribeArchive, ListArchives, UpdateArchive, DeleteArchive. */
export function archiveOperations(archives: ArchiveStore, store: EventsStore, clock: Clock): Ops {
  const shape = (scope: Scope, a: ArchiveRecord): Archive & { ArchiveArn: string; Description?: string; EventPattern?: string; KmsKeyIdentifier?: string } => {
    const s = archives.stat(scope, a.name);
    return {
      ArchiveArn: a.arn,
      ArchiveName: a.name,
      EventSourceArn: a.source,
      Description: a.description,
      EventPattern: a.eventPattern,
      KmsKeyIdentifier: a.kmsKeyIdentifier,
      State: 'ENABLED',
      RetentionDays: a.retentionDays,
      SizeBytes: s.bytes,
      EventCount: s.count,
      CreationTime: date(a.created),
    };
  };
  return {
    async CreateArchive(input, ctx) {
      const scope = scopeOf(ctx);
      if (archives.archives.has(scope, input.ArchiveName)) throw new ServiceError('ResourceAlreadyExistsException', `Archive ${input.ArchiveName} already exists.`, { statusCode: 400 });
      const bus = store.bus(scope, busName(input.EventSourceArn));
      if (!bus || !/^arn:/.test(input.EventSourceArn)) throw notFound(`Event bus ${busName(input.EventSourceArn)} does not exist.`);
      if (input.EventPattern) compilePattern(input.EventPattern);
      const a: ArchiveRecord = {
        name: input.ArchiveName,
        arn: archiveArn(scope, input.ArchiveName),
        source: bus.arn,
        description: input.Description,
        eventPattern: input.EventPattern,
        retentionDays: input.RetentionDays ?? 0,
        kmsKeyIdentifier: input.KmsKeyIdentifier,
        created: clock.now(),
      };
      archives.archives.put(scope, a.name, a);
      return { ArchiveArn: a.arn, State: 'ENABLED', CreationTime: date(a.created) };
    },

    async DescribeArchive(input, ctx) {
      const scope = scopeOf(ctx);
      return shape(scope, requireArchive(archives, scope, input.ArchiveName));
    },

    async ListArchives(input, ctx) {
      const scope = scopeOf(ctx);
      if (input.State && input.State !== 'ENABLED') return { Archives: [] };
      const list = archives.archives.list(scope).filter((a) => (!input.NamePrefix || a.name.startsWith(input.NamePrefix)) && (!input.EventSourceArn || a.source === input.EventSourceArn));
      const p = page(list, (a) => a.name, input.NextToken, input.Limit);
      return { Archives: p.items.map((a) => shape(scope, a)), NextToken: p.next };
    },

    async UpdateArchive(input, ctx) {
      const scope = scopeOf(ctx);
      const a = { ...requireArchive(archives, scope, input.ArchiveName) };
      if (input.EventPattern !== undefined) {
        if (input.EventPattern) compilePattern(input.EventPattern);
        a.eventPattern = input.EventPattern || undefined;
      }
      if (input.Description !== undefined) a.description = input.Description;
      if (input.RetentionDays !== undefined) a.retentionDays = input.RetentionDays;
      if (input.KmsKeyIdentifier !== undefined) a.kmsKeyIdentifier = input.KmsKeyIdentifier || undefined;
      archives.archives.put(scope, a.name, a);
      return { ArchiveArn: a.arn, State: 'ENABLED', CreationTime: date(a.created) };
    },

    async DeleteArchive(input, ctx) {
      const scope = scopeOf(ctx);
      requireArchive(archives, scope, input.ArchiveName);
      if (archives.replays.list(scope).some((r) => r.archiveArn === archiveArn(scope, input.ArchiveName) && (r.state === 'STARTING' || r.state === 'RUNNING'))) {
        throw validation(`Archive ${input.ArchiveName} has a replay running.`);
      }
      store.db.transaction(() => {
        archives.deleteEvents(scope, input.ArchiveName);
        archives.archives.delete(scope, input.ArchiveName);
      });
      return {};
    },
  };
}
