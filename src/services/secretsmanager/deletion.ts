import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import type { SecretRecord, SecretStore } from './store.js';

const DAY_MS = 86_400_000;

interface PurgeJob {
  accountId: string;
  region: string;
  name: string;
  arn: string;
  deletionDate: number;
}

/**
 * Deleting a secret with a recovery window: the secret stays (readable by DescribeSecret,
 * refusing everything else) until a durable job removes it once the window has passed.
 * RestoreSecret clears the schedule, and the job then finds nothing to do, so the queue
 * needs no cancelling and the schedule survives a restart.
 */
export class SecretDeletion {
  private readonly enqueue: (job: PurgeJob, opts?: { delayMs?: number }) => void;

  constructor(
    private readonly store: SecretStore,
    jobs: JobQueue,
  ) {
    this.enqueue = jobs.define<PurgeJob>('secretsmanager-purge', async (job) => this.purge(job));
  }

  /** Marks the secret deleted as of `now` and schedules its removal `days` (AWS time) later. */
  schedule(scope: Scope, secret: SecretRecord, days: number, now: number): void {
    secret.deletedAt = now;
    secret.deletionDate = now + days * DAY_MS;
    this.store.put(scope, secret);
    this.enqueue({ ...scope, name: secret.name, arn: secret.arn, deletionDate: secret.deletionDate }, { delayMs: days * DAY_MS });
  }

  restore(scope: Scope, secret: SecretRecord): void {
    delete secret.deletedAt;
    delete secret.deletionDate;
    this.store.put(scope, secret);
  }

  private purge(job: PurgeJob): Promise<void> {
    const scope = { accountId: job.accountId, region: job.region };
    const secret = this.store.get(scope, job.name);
    // Restored, or deleted and re-created since: this schedule no longer applies.
    if (secret && secret.arn === job.arn && secret.deletionDate === job.deletionDate) this.store.delete(scope, job.name);
    return Promise.resolve();
  }
}
