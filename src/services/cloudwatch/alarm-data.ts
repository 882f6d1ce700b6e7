import type { Scope } from '../../core/scope.js';
import type { PutMetricAlarmInput } from '../../aws/models/generated/cloudwatch.js';
import type { EvalPoint } from './alarm-evaluator.js';
import { runQueries } from './metric-data.js';
import { dimensionKey } from './metric-input.js';
import type { MetricSpec, Series } from './metric-query.js';
import type { MetricStore } from './metric-store.js';
import { aggregate, parseExtendedStat, statValue } from './statistics.js';

type AlarmConfig = Omit<PutMetricAlarmInput, 'Tags'>;

/** The alarm's period in seconds: its own, or the shortest of its metric-math queries. */
export function alarmPeriod(c: AlarmConfig): number {
  if (c.Period) return c.Period;
  const periods = (c.Metrics ?? []).map((m) => m.MetricStat?.Period ?? m.Period).filter((p): p is number => !!p);
  return periods.length ? Math.min(...periods) : 60;
}

/** Periods looked at: N, plus as many again (up to 5) so missing datapoints can be skipped over. */
export function rangeLength(c: AlarmConfig): number {
  const n = c.EvaluationPeriods ?? 1;
  return n + Math.min(n, 5);
}

/**
 * The evaluation windows of a tick at real time `t`: consecutive windows of period/scale real
 * milliseconds ending at `t`, oldest first. Anchored at the tick (not at clock minutes), so the
 * newest window holds the data put since the previous tick, however compressed time is.
 */
export function windows(c: AlarmConfig, t: number, scale: number): { starts: number[]; widthMs: number } {
  const widthMs = (alarmPeriod(c) * 1000) / scale;
  const r = rangeLength(c);
  const starts = Array.from({ length: r }, (_, i) => t - (r - i) * widthMs);
  return { starts, widthMs };
}

/** Enough samples for a percentile to mean something: AWS's 10 / (1 - p) rule. */
function enoughSamples(stat: string, n: number): boolean {
  const ext = parseExtendedStat(stat);
  if (!ext || ext.kind !== 'p') return true;
  const p = ext.upper!.value / 100;
  return p >= 1 ? false : n >= 10 / (1 - p);
}

function readWindows(store: MetricStore, scope: Scope, spec: MetricSpec, stat: string, unit: string | undefined, starts: number[], widthMs: number, lowCount?: string): EvalPoint[] {
  const metric = store.find(scope, spec.namespace, spec.name, dimensionKey(spec.dimensions));
  const from = starts[0];
  const points = metric ? store.points(metric.id, from, starts[starts.length - 1] + widthMs).filter((p) => !unit || p.unit === unit) : [];
  return starts.map((start) => {
    const inside = points.filter((p) => p.ts >= start && p.ts < start + widthMs);
    const agg = aggregate(inside);
    if (!agg) return { ts: start };
    if (lowCount === 'ignore' && !enoughSamples(stat, agg.n)) return { ts: start, sampleCount: agg.n };
    const value = statValue(agg, stat);
    return value === undefined ? { ts: start, sampleCount: agg.n } : { ts: start, value, sampleCount: agg.n };
  });
}

/** The datapoints (oldest first) a metric or metric-math alarm evaluates at real time `t`. */
export function alarmPoints(store: MetricStore, scope: Scope, c: AlarmConfig, t: number, scale: number): EvalPoint[] {
  const { starts, widthMs } = windows(c, t, scale);
  if (!c.Metrics?.length) {
    const spec = { namespace: c.Namespace ?? '', name: c.MetricName ?? '', dimensions: c.Dimensions };
    return readWindows(store, scope, spec, c.Statistic ?? c.ExtendedStatistic ?? 'Average', c.Unit, starts, widthMs, c.EvaluateLowSampleCountPercentile);
  }
  const read = (spec: MetricSpec, stat: string, _period: number, unit: string | undefined): Series => {
    const pts = readWindows(store, scope, spec, stat, unit, starts, widthMs).filter((p) => p.value !== undefined);
    return { timestamps: pts.map((p) => p.ts), values: pts.map((p) => p.value!) };
  };
  const results = runQueries(
    c.Metrics.map((m) => ({ ...m, ReturnData: m.ReturnData !== false || m.Id === c.ThresholdMetricId })),
    { start: starts[0], end: t, now: t, read, grid: () => starts },
  );
  const main = results.find((r) => r.id !== c.ThresholdMetricId && c.Metrics!.find((m) => m.Id === r.id)?.ReturnData !== false) ?? results[0];
  const band = c.ThresholdMetricId ? results.filter((r) => r.id === c.ThresholdMetricId) : [];
  return starts.map((ts) => {
    const i = main?.timestamps.indexOf(ts) ?? -1;
    const point: EvalPoint = i >= 0 ? { ts, value: main!.values[i] } : { ts };
    if (band.length) {
      const at = (k: number) => { const j = band[k]?.timestamps.indexOf(ts) ?? -1; return j >= 0 ? band[k].values[j] : undefined; };
      point.lower = at(0);
      point.upper = band.length > 1 ? at(1) : at(0);
    }
    return point;
  });
}
