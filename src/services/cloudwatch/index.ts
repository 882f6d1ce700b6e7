import type { ServiceDefinition } from '../service.js';
import { createDashboardCollection, dashboardOperations } from './dashboards.js';
import { MetricStore } from './metric-store.js';
import { metricOperations } from './metrics-provider.js';

/** CloudWatch: metrics with statistics and math, alarms that evaluate on their periods, dashboards. */
export const cloudwatch: ServiceDefinition = {
  name: 'cloudwatch',
  create(deps) {
    const metrics = new MetricStore(deps.db);
    const dashboards = createDashboardCollection(deps.db);
    return {
      provider: {
        ...metricOperations(metrics, deps.clock),
        ...dashboardOperations(dashboards, deps.clock),
      },
      reset: () => metrics.clearCache(),
    };
  },
};
