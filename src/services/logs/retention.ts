import type { Clock } from '../../core/clock.js';
import type { JobQueue } from '../../state/job-queue.js';
import type { RetentionScheduler } from './groups.js';
import type { LogsStore } from './store.js';

/** How often (AWS time) a group with a retention policy is swept for expired events. */
export const SWEEP_MS = 3_600_000;

interface SweepJob {
  groupId: number;
  generation: number;
}

/**
 * Applies retention policies with a durable job per group: each sweep deletes the events
 * older than the policy allows and schedules the next one. Changing or removing the policy
 * bumps the group's generation, which ends the old chain.
 */
export function createRetention(store: LogsStore, jobs: JobQueue, clock: Clock): RetentionScheduler {
  const enqueue = jobs.define<SweepJob>(
    'logs.retention',
    async (job) => {
      const g = store.groupById(job.groupId);
      if (!g || g.retention === null || g.retention_gen !== job.generation) return;
      store.expire(g.id, clock.now() - g.retention * 86_400_000);
      enqueue(job, { delayMs: SWEEP_MS });
    },
    { concurrency: 1 },
  );
  return { schedule: (g, generation) => enqueue({ groupId: g.id, generation }) };
}
