import { ServiceError } from '../../core/errors.js';
import type { MetricDataQuery } from '../../aws/models/generated/cloudwatch.js';
import { evaluate, MathEvalError, type MathContext, type MathValue, type TimeSeries } from './math-eval.js';
import { MathSyntaxError, parseExpression, referencedIds } from './math-parser.js';
import { alignStart, type MetricSpec, type Series } from './metric-query.js';
import { isValidStat } from './statistics.js';

/** Reads one metric's statistic as a series (the store behind it is the caller's). */
export type SeriesSource = (spec: MetricSpec, stat: string, period: number, unit: string | undefined) => Series;
export type SearchSource = (query: string) => MetricSpec[];

export interface QueryResult {
  id: string;
  label: string;
  timestamps: number[];
  values: number[];
}

const ID = /^[a-z][a-zA-Z0-9_]*$/;
const bad = (msg: string) => new ServiceError('InvalidParameterValueException', msg, { statusCode: 400 });
const mathError = (id: string, msg: string) => new ServiceError('ValidationError', `Error in expression '${id}': ${msg}`, { statusCode: 400 });

export function validPeriod(p: number): boolean {
  return [1, 5, 10, 20, 30].includes(p) || (p >= 60 && p % 60 === 0);
}

/** Checks ids, the one-of MetricStat/Expression rule, statistics, periods and expression syntax. */
export function checkQueries(queries: MetricDataQuery[], where = 'MetricDataQueries'): void {
  if (!queries.length || queries.length > 500) throw bad(`The collection ${where} must have between 1 and 500 members.`);
  const ids = new Set<string>();
  queries.forEach((q, i) => {
    const at = `${where}.member.${i + 1}`;
    if (!ID.test(q.Id)) throw bad(`The value ${q.Id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
    if (ids.has(q.Id)) throw bad(`The value ${q.Id} for parameter ${at}.Id is used by more than one query.`);
    ids.add(q.Id);
    if (!!q.MetricStat === !!q.Expression) {
      throw new ServiceError('InvalidParameterCombinationException', `Exactly one of ${at}.MetricStat and ${at}.Expression must be specified.`, { statusCode: 400 });
    }
    if (q.MetricStat) {
      if (!isValidStat(q.MetricStat.Stat)) throw bad(`The value ${q.MetricStat.Stat} for parameter ${at}.MetricStat.Stat is not a valid statistic.`);
      if (!validPeriod(q.MetricStat.Period)) throw bad(`The value ${q.MetricStat.Period} for parameter ${at}.MetricStat.Period must be 1, 5, 10, 20, 30, or a multiple of 60.`);
    }
    if (q.Expression) {
      try {
        parseExpression(q.Expression);
      } catch (e) {
        if (e instanceof MathSyntaxError) throw mathError(q.Id, e.message);
        throw e;
      }
    }
  });
  for (const q of queries) {
    if (!q.Expression) continue;
    for (const ref of referencedIds(parseExpression(q.Expression))) {
      if (!ids.has(ref) && !/^(REPEAT|LINEAR)$/i.test(ref)) throw mathError(q.Id, `Unknown metric id '${ref}'.`);
    }
  }
}

export interface RunOptions {
  start: number;
  end: number;
  now: number;
  read: SeriesSource;
  search?: SearchSource;
  /** Period start times at a period; by default AWS's alignment from `start` (alarms anchor theirs to the evaluation time). */
  grid?: (period: number) => number[];
}

/** Evaluates every query (expressions in dependency order) and returns those with ReturnData. */
export function runQueries(queries: MetricDataQuery[], opts: RunOptions): QueryResult[] {
  const byId = new Map(queries.map((q) => [q.Id, q]));
  const memo = new Map<string, MathValue>();
  const visiting = new Set<string>();
  const periods = queries.map((q) => q.MetricStat?.Period ?? q.Period).filter((p): p is number => !!p);
  const defaultPeriod = periods.length ? Math.min(...periods) : 60;
  const grid = opts.grid ?? ((period: number) => {
    const out: number[] = [];
    for (let t = alignStart(opts.start, period, opts.now); t < opts.end; t += period * 1000) out.push(t);
    return out;
  });
  const toSeries = (spec: MetricSpec, stat: string, period: number, unit: string | undefined, label: string, id?: string): TimeSeries => {
    const s = opts.read(spec, stat, period, unit);
    return { label, id, period, points: new Map(s.timestamps.map((t, i) => [t, s.values[i]])) };
  };
  const ctx: MathContext = {
    grid,
    defaultPeriod,
    resolve(id) {
      const cached = memo.get(id);
      if (cached) return cached;
      const q = byId.get(id);
      if (!q) throw new MathEvalError(`Unknown metric id '${id}'.`);
      if (visiting.has(id)) throw new MathEvalError(`Circular reference through '${id}'.`);
      visiting.add(id);
      const value = valueOf(q);
      visiting.delete(id);
      memo.set(id, value);
      return value;
    },
    metrics: (filter) => queries.filter((q) => q.MetricStat && (!filter || q.Id.includes(filter))).map((q) => (ctx.resolve(q.Id) as { series: TimeSeries }).series),
    search: opts.search
      ? (query, stat, period) => {
          if (!isValidStat(stat) || !validPeriod(period)) throw new MathEvalError(`SEARCH needs a valid statistic and period, got '${stat}' and ${period}`);
          return opts.search!(query).map((spec) => toSeries(spec, stat, period, undefined, searchLabel(spec)));
        }
      : undefined,
  };
  const valueOf = (q: MetricDataQuery): MathValue => {
    if (q.MetricStat) {
      const m = q.MetricStat.Metric;
      const spec = { namespace: m.Namespace ?? '', name: m.MetricName ?? '', dimensions: m.Dimensions };
      return { kind: 'series', series: toSeries(spec, q.MetricStat.Stat, q.MetricStat.Period, q.MetricStat.Unit, spec.name, q.Id) };
    }
    try {
      return evaluate(q.Expression!, ctx);
    } catch (e) {
      if (e instanceof MathEvalError || e instanceof MathSyntaxError) throw mathError(q.Id, e.message);
      throw e;
    }
  };
  const results: QueryResult[] = [];
  for (const q of queries) {
    if (q.ReturnData === false) continue;
    const value = ctx.resolve(q.Id);
    for (const s of asSeriesList(value, grid(q.Period ?? defaultPeriod))) {
      const pts = [...s.points].filter(([, v]) => Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
      const label = q.Label ? dynamicLabel(q.Label, s, q) : value.kind === 'array' ? s.label : q.MetricStat ? s.label : q.Id;
      results.push({ id: q.Id, label, timestamps: pts.map((p) => p[0]), values: pts.map((p) => p[1]) });
    }
  }
  return results;
}

function asSeriesList(v: MathValue, grid: number[]): TimeSeries[] {
  if (v.kind === 'series') return [v.series];
  if (v.kind === 'array') return v.items;
  if (v.kind === 'scalar') return [{ label: '', period: 0, points: new Map(Number.isFinite(v.value) ? grid.map((t) => [t, v.value]) : []) }];
  throw new MathEvalError('An expression must return a number or time series, not a string');
}

function searchLabel(spec: MetricSpec): string {
  const dims = (spec.dimensions ?? []).map((d) => d.Value).join(' ');
  return dims ? `${dims} ${spec.name}` : spec.name;
}

/** ${LABEL}, ${PROP('MetricName')}, ${PROP('Dim.X')}, ${SUM}, ${AVG}, ${MIN}, ${MAX}, ${FIRST}, ${LAST} in labels. */
export function dynamicLabel(label: string, s: TimeSeries, q: MetricDataQuery): string {
  const vals = [...s.points].sort((a, b) => a[0] - b[0]).map((p) => p[1]);
  const fmt = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : String(Math.round(n * 1000) / 1000));
  const m = q.MetricStat;
  return label.replace(/\$\{([A-Z_]+)(?:\('([^']*)'\))?\}/g, (whole, fn: string, arg?: string) => {
    switch (fn) {
      case 'LABEL': return s.label;
      case 'SUM': return fmt(vals.reduce((a, b) => a + b, 0));
      case 'AVG': return fmt(vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : undefined);
      case 'MIN': return fmt(vals.length ? Math.min(...vals) : undefined);
      case 'MAX': return fmt(vals.length ? Math.max(...vals) : undefined);
      case 'FIRST': return fmt(vals[0]);
      case 'LAST': return fmt(vals[vals.length - 1]);
      case 'PROP': {
        if (!m || !arg) return '';
        if (arg === 'MetricName') return m.Metric.MetricName ?? '';
        if (arg === 'Namespace') return m.Metric.Namespace ?? '';
        if (arg === 'Period') return String(m.Period);
        if (arg === 'Stat') return m.Stat;
        if (arg.startsWith('Dim.')) return m.Metric.Dimensions?.find((d) => d.Name === arg.slice(4))?.Value ?? '';
        return '';
      }
      default: return whole;
    }
  });
}
