import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import type { ServiceDeps } from '../service.js';
import type { Engine } from './engine.js';
import { queueJob } from './provider-custom.js';
import type { ActionContext } from './provider-types.js';
import type { JobRecord, PipelineStore } from './store.js';

/** AWS's timeout for custom actions: a job not finished within 24 hours fails its action. */
export const CUSTOM_JOB_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/**
 * A job handed out by PollForJobs but not acknowledged goes back to the queue after this long
 * (AWS documents no figure; five minutes of AWS time lets a crashed worker's job be taken again).
 */
export const ACKNOWLEDGE_TIMEOUT_MS = 5 * 60 * 1000;

interface JobTimer {
  scope: Scope;
  jobId: string;
  /** The nonce the job had when the timer was set: a job handed out again has a new one. */
  nonce: string;
}

type QueueContext = Pick<ActionContext, 'deps' | 'scope' | 'pipeline' | 'execution' | 'stage' | 'action' | 'run'>;

/**
 * The timers of custom-action jobs, on the durable job queue (so they survive a restart):
 * each job's 24-hour timeout, and the hand-back of a job polled but never acknowledged.
 */
export class JobTimers {
  private readonly timeout: (t: JobTimer, o: { delayMs: number }) => void;
  private readonly handBack: (t: JobTimer, o: { delayMs: number }) => void;

  constructor(
    deps: ServiceDeps,
    private readonly store: PipelineStore,
    private readonly engine: Engine,
  ) {
    this.timeout = deps.jobs.define<JobTimer>('codepipeline-job-timeout', async (t) => this.expire(t));
    this.handBack = deps.jobs.define<JobTimer>('codepipeline-job-hand-back', async (t) => this.requeue(t));
  }

  /** Queues a job for the action's worker and starts its timeout. */
  queue(ctx: QueueContext, continuationToken?: string): JobRecord {
    const job = queueJob(this.store, ctx, continuationToken);
    this.timeout({ scope: ctx.scope, jobId: job.id, nonce: job.nonce }, { delayMs: CUSTOM_JOB_TIMEOUT_MS });
    return job;
  }

  /** PollForJobs handed the job out: it comes back unless acknowledged in time. */
  dispatched(scope: Scope, job: JobRecord): void {
    this.handBack({ scope, jobId: job.id, nonce: job.nonce }, { delayMs: ACKNOWLEDGE_TIMEOUT_MS });
  }

  private requeue(t: JobTimer): void {
    this.store.atomic(() => {
      const j = this.store.jobs.get(t.scope, t.jobId);
      if (!j || j.status !== 'Dispatched' || j.nonce !== t.nonce) return;
      // A new nonce: the worker that let it lapse can no longer acknowledge it.
      this.store.jobs.put(t.scope, j.id, { ...j, status: 'Queued', nonce: uuid() });
    });
  }

  private expire(t: JobTimer): void {
    this.store.atomic(() => {
      const j = this.store.jobs.get(t.scope, t.jobId);
      if (!j || !['Queued', 'Dispatched', 'InProgress'].includes(j.status)) return;
      this.store.jobs.put(t.scope, j.id, { ...j, status: 'TimedOut' });
      this.engine.applyOutcome(
        { scope: t.scope, pipeline: j.pipelineName, execution: j.executionId, stage: j.stage, action: j.action, run: j.actionExecutionId, phase: 'start' },
        { status: 'Failed', code: 'JobFailed', message: `The action timed out: job ${j.id} was not completed within 24 hours.` },
      );
    });
  }
}
