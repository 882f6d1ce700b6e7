import type { Scope } from '../../core/scope.js';
import type { Dimension } from '../../aws/models/generated/cloudwatch.js';
import { dimensionKey } from './metric-input.js';
import type { MetricStore, StoredPoint } from './metric-store.js';
import { RETENTION_TIERS } from './rollup.js';
import { aggregate, isBasicStat, statValue, type Aggregate } from './statistics.js';

export interface MetricSpec {
  namespace: string;
  name: string;
  dimensions?: Dimension[];
}

export interface Bucket {
  ts: number;
  unit: string;
  agg: Aggregate;
}

/** A time series: ascending timestamps (ms) with their values. */
export interface Series {
  timestamps: number[];
  values: number[];
}

const MINUTE = 60_000;

/**
 * Where the first period starts: AWS rounds the start time down to the minute for data under
 * 15 days old (to 5 minutes up to 63 days, to the hour beyond), or to the period itself for
 * sub-minute periods.
 */
export function alignStart(start: number, periodSec: number, now: number): number {
  const age = now - start;
  let unit = periodSec < 60 ? periodSec * 1000 : MINUTE;
  if (age > RETENTION_TIERS[1].after) unit = 5 * MINUTE;
  if (age > RETENTION_TIERS[2].after) unit = 60 * MINUTE;
  return start - (((start % unit) + unit) % unit);
}

/** The storage resolution (seconds) data of a given age has after rollup. */
export function resolutionAt(age: number): number {
  let res = 1;
  for (const tier of RETENTION_TIERS) if (age > tier.after) res = tier.resolution;
  return res;
}

/** Groups points into periods from `start` (already aligned), optionally per unit; skips periods finer than the data's retention. */
export function bucketize(points: StoredPoint[], start: number, periodSec: number, now: number, perUnit: boolean, withValues = true): Bucket[] {
  const periodMs = periodSec * 1000;
  const groups = new Map<string, { ts: number; unit: string; points: StoredPoint[] }>();
  let lastTs = NaN, lastOk = true;
  for (const p of points) {
    const ts = start + Math.floor((p.ts - start) / periodMs) * periodMs;
    if (ts !== lastTs) { lastTs = ts; lastOk = periodSec % resolutionAt(now - ts) === 0; }
    if (!lastOk) continue;
    const unit = perUnit ? p.unit : '';
    const key = `${ts}\u0000${unit}`;
    const g = groups.get(key);
    if (g) g.points.push(p);
    else groups.set(key, { ts, unit, points: [p] });
  }
  return [...groups.values()].sort((a, b) => a.ts - b.ts || (a.unit < b.unit ? -1 : 1)).map((g) => ({ ts: g.ts, unit: g.unit, agg: aggregate(g.points, withValues)! }));
}

/** Reads stored metric data as periods and series. */
export class MetricReader {
  constructor(private readonly store: MetricStore) {}

  /** Periods of [start, end) for one metric (exact dimensions), filtered by unit when given. */
  buckets(scope: Scope, spec: MetricSpec, periodSec: number, start: number, end: number, now: number, opts: { unit?: string; perUnit?: boolean; withValues?: boolean } = {}): Bucket[] {
    const metric = this.store.find(scope, spec.namespace, spec.name, dimensionKey(spec.dimensions));
    if (!metric) return [];
    const from = alignStart(start, periodSec, now);
    let points = this.store.points(metric.id, from, end);
    if (opts.unit) points = points.filter((p) => p.unit === opts.unit);
    return bucketize(points, from, periodSec, now, opts.perUnit ?? false, opts.withValues ?? true);
  }

  /** One statistic per period; periods where it cannot be computed are absent. */
  series(scope: Scope, spec: MetricSpec, stat: string, periodSec: number, start: number, end: number, now: number, unit?: string): Series {
    const out: Series = { timestamps: [], values: [] };
    for (const b of this.buckets(scope, spec, periodSec, start, end, now, { unit, withValues: !isBasicStat(stat) })) {
      const v = statValue(b.agg, stat);
      if (v === undefined) continue;
      out.timestamps.push(b.ts);
      out.values.push(v);
    }
    return out;
  }
}
