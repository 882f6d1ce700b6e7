import type { ServiceDeps } from '../service.js';
import { rollup } from './rollup.js';

const EVERY = 3600_000;

/**
 * Rolls old datapoints up (and drops expired ones) once an hour through the job queue. One
 * pending job at a time: the last run's time is kept in the database, and a start only
 * enqueues when no run is due already.
 */
export class RetentionJob {
  private readonly enqueue: (payload: { due: number }, opts?: { delayMs?: number }) => void;

  constructor(private readonly deps: ServiceDeps) {
    deps.db.migrate('cloudwatch-retention-v1', 'CREATE TABLE cw_retention (id INTEGER PRIMARY KEY CHECK (id = 1), due INTEGER NOT NULL)');
    this.enqueue = deps.jobs.define<{ due: number }>('cloudwatch.retention', async (job) => this.run(job.due), { maxAttempts: 2 });
  }

  start(): void {
    const row = this.deps.db.sql.prepare('SELECT due FROM cw_retention WHERE id = 1').get() as { due: number } | undefined;
    if (row) return;
    this.plan(this.deps.clock.now() + EVERY / this.deps.clock.timeScale);
  }

  private plan(due: number): void {
    this.deps.db.sql.prepare('INSERT INTO cw_retention (id, due) VALUES (1, ?) ON CONFLICT DO UPDATE SET due = excluded.due').run(due);
    this.enqueue({ due }, { delayMs: Math.max(0, due - this.deps.clock.now()) * this.deps.clock.timeScale });
  }

  private run(due: number): void {
    const row = this.deps.db.sql.prepare('SELECT due FROM cw_retention WHERE id = 1').get() as { due: number } | undefined;
    if (row && row.due !== due) return;
    const changed = rollup(this.deps.db, this.deps.clock.now());
    if (changed) this.deps.log.debug('metric retention rolled up rows', { rows: changed });
    this.plan(this.deps.clock.now() + EVERY / this.deps.clock.timeScale);
  }
}
