import type { ServiceDefinition } from '../service.js';
import { filterOperations } from './filter-events.js';
import { groupOperations } from './groups.js';
import { insightsOperations } from './insights/queries.js';
import { liveTail } from './live-tail.js';
import { metricFilters } from './metric-filters.js';
import { createRetention } from './retention.js';
import { LogsStore } from './store.js';
import { streamOperations, type IngestListener } from './streams.js';
import { subscriptionOperations } from './subscriptions.js';

/** CloudWatch Logs: groups, streams, events, filter patterns, metric filters and Logs Insights. */
export const logs: ServiceDefinition = {
  name: 'logs',
  create(deps) {
    const store = new LogsStore(deps.db);
    const retention = createRetention(store, deps.jobs, deps.clock);
    const metrics = metricFilters(store, deps);
    const tail = liveTail(store, deps.clock);
    const listeners: IngestListener[] = [metrics.onIngest, tail.onIngest];
    return {
      provider: {
        ...groupOperations(store, deps.clock, retention),
        ...streamOperations(store, deps.clock, listeners),
        ...filterOperations(store),
        ...metrics.ops,
        ...subscriptionOperations(store),
        ...insightsOperations(store, deps),
        ...tail.ops,
      },
      // The stores' rows are gone: so are the blocks decoded from them and the kept searches.
      reset: () => store.forgetCached(),
    };
  },
};
