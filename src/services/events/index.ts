import type { ServiceDefinition } from '../service.js';
import { ArchiveStore } from './archive-store.js';
import { archiveOperations, archiver } from './archives.js';
import { busOperations } from './buses.js';
import { defineDelivery } from './deliver.js';
import { putEventOperations } from './put-events.js';
import { replayOperations } from './replays.js';
import { Router } from './router.js';
import { ruleOperations } from './rules.js';
import { Scheduler } from './scheduler.js';
import { EventsStore } from './store.js';
import { tagOperations } from './tags.js';
import { targetOperations } from './targets.js';

/**
 * EventBridge: buses, rules with the full event-pattern language, schedule rules, targets
 * with input transformation, archives and replays, and durable at-least-once delivery through
 * the job queue to SQS, SNS, CloudWatch Logs, other buses, Lambda and CodePipeline via the
 * in-process client.
 */
export const events: ServiceDefinition = {
  name: 'events',
  create(deps) {
    const store = new EventsStore(deps.db, () => deps.clock.now());
    const deliver = defineDelivery(deps.jobs, deps.aws, deps.clock, deps.log);
    const router = new Router(store, deliver);
    const scheduler = new Scheduler(store, deps.jobs, deps.clock, router, deps.log);
    const archives = new ArchiveStore(deps.db);
    const archive = archiver(archives, store, router, deps.clock);
    const ingest = (scope: Parameters<Router['route']>[0], bus: string, event: Parameters<Router['route']>[2]) => {
      router.route(scope, bus, event, deps.clock.now());
      archive(scope, bus, event);
    };
    return {
      provider: {
        ...busOperations(store, deps.clock),
        ...ruleOperations(store, scheduler),
        ...targetOperations(store),
        ...tagOperations(store),
        ...putEventOperations(store, deps.clock, ingest),
        ...archiveOperations(archives, store, deps.clock),
        ...replayOperations(archives, store, router, deps.jobs, deps.clock),
      },
      start: () => scheduler.resume(),
      reset: () => store.clearCache(),
    };
  },
};
