import type { RequestContext } from '../../aws/gateway/context.js';
import type { Clock } from '../../core/clock.js';
import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import type { DynamoStore, Row } from './store.js';
import type { TableMeta } from './table-meta.js';
import { execute } from './writes.js';

/** How often (AWS time) a table with TTL enabled is swept for expired items. */
export const TTL_SWEEP_MS = 60_000;

interface SweepJob {
  accountId: string;
  region: string;
  table: string;
  /** When TTL was enabled: a sweep chain from an earlier enablement stops. */
  since: number;
}

/** Deletes the items whose TTL attribute (epoch seconds, a Number) is in the past; returns how many. */
export function sweepExpired(store: DynamoStore, meta: TableMeta, now: number): number {
  const attribute = meta.ttl?.attribute;
  if (!meta.ttl?.enabled || !attribute) return 0;
  const expired: Row[] = [];
  for (const row of store.scan(meta, undefined)) {
    const n = row.item[attribute]?.N;
    if (n !== undefined && Number(n) * 1000 <= now) expired.push(row);
  }
  store.transaction(() => {
    for (const row of expired) execute(store, { kind: 'Delete', meta, key: { pk: row.pk, sk: row.sk }, keyItem: {} });
  });
  return expired.length;
}

/** Time to live runs as a durable job per table that re-arms itself while TTL stays enabled. */
export function ttlScheduler(store: DynamoStore, jobs: JobQueue, clock: Clock) {
  const enqueue = jobs.define<SweepJob>('dynamodb.ttl-sweep', async (job) => {
    const scope: Scope = { accountId: job.accountId, region: job.region };
    const meta = store.getTable(scope, job.table);
    if (!meta?.ttl?.enabled || meta.ttl.since !== job.since) return;
    sweepExpired(store, meta, clock.now());
    enqueue(job, { delayMs: TTL_SWEEP_MS });
  });
  return (ctx: RequestContext, table: string) => {
    const meta = store.getTable(ctx, table);
    if (meta?.ttl?.since === undefined) return;
    enqueue({ accountId: ctx.accountId, region: ctx.region, table, since: meta.ttl.since }, { delayMs: TTL_SWEEP_MS });
  };
}
