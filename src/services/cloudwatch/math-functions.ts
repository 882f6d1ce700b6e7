import { evalNode, mapPoints, MathEvalError, scalar, seriesOf, sorted, type MathContext, type MathValue, type TimeSeries } from './math-eval.js';
import type { Node } from './math-parser.js';

type Reducer = (xs: number[]) => number;
const REDUCERS: Record<string, Reducer> = {
  SUM: (xs) => xs.reduce((a, b) => a + b, 0),
  AVG: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  MIN: (xs) => Math.min(...xs),
  MAX: (xs) => Math.max(...xs),
  STDDEV: (xs) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  },
};

const UNARY: Record<string, (x: number) => number> = {
  ABS: Math.abs, CEIL: Math.ceil, FLOOR: Math.floor, LOG: Math.log, LOG10: Math.log10,
};

/** Per timestamp across an array, or to a scalar over one series (AWS's rule for SUM, AVG, MIN, MAX, STDDEV). */
function reduce(name: string, v: MathValue): MathValue {
  const f = REDUCERS[name];
  if (v.kind === 'scalar') return v;
  if (v.kind === 'series') {
    const xs = [...v.series.points.values()];
    return scalar(xs.length ? f(xs) : NaN);
  }
  if (v.kind !== 'array') throw new MathEvalError(`${name} does not take a string`);
  const byTs = new Map<number, number[]>();
  for (const s of v.items) for (const [ts, x] of s.points) (byTs.get(ts) ?? byTs.set(ts, []).get(ts)!).push(x);
  const points = new Map<number, number>();
  for (const [ts, xs] of byTs) points.set(ts, f(xs));
  return seriesOf({ label: name, period: v.items[0]?.period ?? 60, points });
}

function eachSeries(v: MathValue, name: string, f: (s: TimeSeries) => TimeSeries): MathValue {
  if (v.kind === 'series') return seriesOf(f(v.series));
  if (v.kind === 'array') return { kind: 'array', items: v.items.map(f) };
  throw new MathEvalError(`${name} takes a time series or an array of time series`);
}

/** Differences between consecutive points: DIFF (value), RATE (per second), DIFF_TIME (seconds). */
function consecutive(s: TimeSeries, kind: 'DIFF' | 'RATE' | 'DIFF_TIME'): TimeSeries {
  const pts = sorted(s);
  const points = new Map<number, number>();
  for (let i = 1; i < pts.length; i++) {
    const dt = (pts[i][0] - pts[i - 1][0]) / 1000;
    const dv = pts[i][1] - pts[i - 1][1];
    points.set(pts[i][0], kind === 'DIFF' ? dv : kind === 'RATE' ? dv / dt : dt);
  }
  return { ...s, points };
}

function runningSum(s: TimeSeries): TimeSeries {
  let acc = 0;
  return { ...s, points: new Map(sorted(s).map(([ts, v]) => [ts, (acc += v)])) };
}

function fill(ctx: MathContext, s: TimeSeries, how: Node): TimeSeries {
  const grid = ctx.grid(s.period);
  const mode = how.kind === 'id' ? how.name.toUpperCase() : undefined;
  const points = new Map<number, number>();
  const known = sorted(s);
  let i = 0;
  let last: [number, number] | undefined;
  const constant = mode ? undefined : evalNode(how, ctx);
  if (!mode && constant?.kind !== 'scalar') throw new MathEvalError('FILL takes a number, REPEAT or LINEAR as its second argument');
  if (mode && mode !== 'REPEAT' && mode !== 'LINEAR') throw new MathEvalError(`FILL does not know ${how.kind === 'id' ? how.name : ''}; use a number, REPEAT or LINEAR`);
  for (const ts of grid) {
    while (i < known.length && known[i][0] < ts) last = known[i++];
    const here = s.points.get(ts);
    if (here !== undefined) { points.set(ts, here); last = [ts, here]; continue; }
    if (!mode) points.set(ts, (constant as { value: number }).value);
    else if (mode === 'REPEAT') {
      const v = last?.[1] ?? known.find(([t]) => t > ts)?.[1];
      if (v !== undefined) points.set(ts, v);
    } else {
      const next = known.find(([t]) => t > ts);
      if (last && next) points.set(ts, last[1] + ((next[1] - last[1]) * (ts - last[0])) / (next[0] - last[0]));
      else if (last || next) points.set(ts, (last ?? next)![1]);
    }
  }
  return { ...s, points };
}

function ifThenElse(ctx: MathContext, args: Node[]): MathValue {
  if (args.length < 2 || args.length > 3) throw new MathEvalError('IF takes two or three arguments');
  const cond = evalNode(args[0], ctx);
  const yes = evalNode(args[1], ctx);
  const no = args[2] ? evalNode(args[2], ctx) : undefined;
  if (cond.kind === 'scalar') return cond.value !== 0 ? yes : no ?? scalar(NaN);
  if (cond.kind !== 'series') throw new MathEvalError('The condition of IF must be a time series or a number');
  const pick = (v: MathValue | undefined, ts: number): number | undefined => {
    if (!v) return undefined;
    if (v.kind === 'scalar') return v.value;
    if (v.kind === 'series') return v.series.points.get(ts);
    throw new MathEvalError('IF returns numbers or time series');
  };
  return seriesOf(mapPoints(cond.series, (c, ts) => pick(c !== 0 ? yes : no, ts)));
}

function timeSeries(ctx: MathContext, v: MathValue): MathValue {
  if (v.kind !== 'scalar') throw new MathEvalError('TIME_SERIES takes a number');
  const period = ctx.defaultPeriod;
  return seriesOf({ label: String(v.value), period, points: new Map(ctx.grid(period).map((ts) => [ts, v.value])) });
}

export function callFunction(name: string, args: Node[], ctx: MathContext): MathValue {
  const arg = (i: number) => {
    if (!args[i]) throw new MathEvalError(`${name} needs ${i + 1} argument${i ? 's' : ''}`);
    return evalNode(args[i], ctx);
  };
  if (name in REDUCERS) return reduce(name, arg(0));
  if (name in UNARY) {
    const f = UNARY[name];
    const v = arg(0);
    if (v.kind === 'scalar') return scalar(f(v.value));
    return eachSeries(v, name, (s) => mapPoints(s, f));
  }
  switch (name) {
    case 'METRICS': {
      const filter = args[0] ? arg(0) : undefined;
      if (filter && filter.kind !== 'string') throw new MathEvalError('METRICS takes a string');
      return { kind: 'array', items: ctx.metrics(filter?.value) };
    }
    case 'FILL': return eachSeries(arg(0), name, (s) => fill(ctx, s, args[1] ?? { kind: 'num', value: 0 }));
    case 'IF': return ifThenElse(ctx, args);
    case 'DIFF': case 'RATE': case 'DIFF_TIME': return eachSeries(arg(0), name, (s) => consecutive(s, name));
    case 'RUNNING_SUM': return eachSeries(arg(0), name, runningSum);
    case 'REMOVE_EMPTY': {
      const v = arg(0);
      return v.kind === 'array' ? { kind: 'array', items: v.items.filter((s) => s.points.size) } : v;
    }
    case 'PERIOD': {
      const v = arg(0);
      if (v.kind === 'series') return scalar(v.series.period);
      if (v.kind === 'array' && v.items.length) return scalar(v.items[0].period);
      throw new MathEvalError('PERIOD takes a time series');
    }
    case 'DATAPOINT_COUNT': {
      const v = arg(0);
      if (v.kind === 'series') return scalar(v.series.points.size);
      throw new MathEvalError('DATAPOINT_COUNT takes a time series');
    }
    case 'TIME_SERIES': return timeSeries(ctx, arg(0));
    case 'SEARCH': return search(ctx, args);
  }
  throw new MathEvalError(`Unrecognized function: ${name}`);
}

function search(ctx: MathContext, args: Node[]): MathValue {
  if (!ctx.search) throw new MathEvalError('SEARCH is not available here');
  const [q, stat, period] = args.map((a) => evalNode(a, ctx));
  if (q?.kind !== 'string' || stat?.kind !== 'string' || period?.kind !== 'scalar') {
    throw new MathEvalError("SEARCH takes a search expression, a statistic and a period: SEARCH('{AWS/EC2,InstanceId} CPUUtilization', 'Average', 300)");
  }
  return { kind: 'array', items: ctx.search(q.value, stat.value, period.value) };
}
