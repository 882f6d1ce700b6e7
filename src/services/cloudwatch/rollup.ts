import type { Database } from '../../state/database.js';
import { aggregate, type Sample } from './statistics.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * AWS's retention: sub-minute data for 3 hours, 1-minute data for 15 days, 5-minute data
 * for 63 days, 1-hour data for 455 days. Older rows are merged into the next resolution.
 */
export const RETENTION_TIERS = [
  { resolution: 60, after: 3 * HOUR },
  { resolution: 300, after: 15 * DAY },
  { resolution: 3600, after: 63 * DAY },
] as const;
export const EXPIRY = 455 * DAY;

interface Row {
  rowid: number;
  metric_id: number;
  ts: number;
  unit: string;
  n: number;
  sum: number;
  min: number;
  max: number;
  vals: string | null;
}

const BATCH = 20_000;

/** Merges rows past each tier's age into buckets of that tier's resolution; drops expired rows. Returns rows changed. */
export function rollup(db: Database, now: number): number {
  let changed = 0;
  for (const tier of RETENTION_TIERS) {
    const select = db.sql.prepare(
      'SELECT rowid, metric_id, ts, unit, n, sum, min, max, vals FROM cw_points WHERE res < ? AND ts < ? ORDER BY metric_id, unit, ts LIMIT ?',
    );
    for (;;) {
      const rows = select.all(tier.resolution, now - tier.after, BATCH) as Row[];
      if (!rows.length) break;
      changed += db.transaction(() => mergeRows(db, rows, tier.resolution));
      if (rows.length < BATCH) break;
    }
  }
  changed += db.sql.prepare('DELETE FROM cw_points WHERE ts < ?').run(now - EXPIRY).changes;
  return changed;
}

function mergeRows(db: Database, rows: Row[], resolution: number): number {
  const bucketMs = resolution * 1000;
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.metric_id}\u0000${r.unit}\u0000${r.ts - (r.ts % bucketMs)}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const insert = db.sql.prepare('INSERT INTO cw_points (metric_id, ts, unit, res, n, sum, min, max, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const remove = db.sql.prepare('DELETE FROM cw_points WHERE rowid = ?');
  for (const g of groups.values()) {
    const first = g[0];
    const merged = aggregate(g.map(toSample))!;
    const vals = merged.values ? JSON.stringify(compact(merged.values)) : 'none';
    insert.run(first.metric_id, first.ts - (first.ts % bucketMs), first.unit, resolution, merged.n, merged.sum, merged.min, merged.max, vals);
    for (const r of g) remove.run(r.rowid);
  }
  return rows.length;
}

function toSample(r: Row): Sample {
  return { n: r.n, sum: r.sum, min: r.min, max: r.max, values: r.vals && r.vals !== 'none' ? (JSON.parse(r.vals) as [number, number][]) : undefined, noRaw: r.vals === 'none' };
}

/** Sorted pairs with equal values merged. */
function compact(pairs: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [v, c] of pairs) {
    const last = out[out.length - 1];
    if (last && last[0] === v) last[1] += c;
    else out.push([v, c]);
  }
  return out;
}
