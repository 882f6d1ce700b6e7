import type { ServiceDefinition } from '../service.js';
import { AlarmEngine } from './alarm-engine.js';
import { AlarmStore } from './alarm-store.js';
import { alarmOperations } from './alarms-provider.js';
import { createDashboardCollection, dashboardOperations } from './dashboards.js';
import { MetricStore } from './metric-store.js';
import { metricOperations } from './metrics-provider.js';
import { RetentionJob } from './retention-job.js';
import { tagOperations } from './tags.js';

/** CloudWatch: metrics with statistics and math, alarms that evaluate on their periods, dashboards. */
export const cloudwatch: ServiceDefinition = {
  name: 'cloudwatch',
  create(deps) {
    const metrics = new MetricStore(deps.db);
    const alarms = new AlarmStore(deps.db);
    const dashboards = createDashboardCollection(deps.db);
    const engine = new AlarmEngine(deps, alarms, metrics);
    const retention = new RetentionJob(deps);
    return {
      provider: {
        ...metricOperations(metrics, deps.clock),
        ...alarmOperations(alarms, engine, deps.clock),
        ...dashboardOperations(dashboards, deps.clock),
        ...tagOperations(alarms, dashboards),
      },
      start: () => retention.start(),
      reset: () => metrics.clearCache(),
    };
  },
};
