// The functions (math-functions.ts) and this core call each other; ESM resolves the cycle at call time.
import { callFunction } from './math-functions.js';
import { parseExpression, type Node } from './math-parser.js';

/** A time series inside metric math: points by timestamp (ms) at one period. */
export interface TimeSeries {
  label: string;
  /** The query id it came from (METRICS() filters on it). */
  id?: string;
  period: number;
  points: Map<number, number>;
}

export type MathValue =
  | { kind: 'scalar'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'series'; series: TimeSeries }
  | { kind: 'array'; items: TimeSeries[] };

export class MathEvalError extends Error {}

export interface MathContext {
  /** The value of another query, by id. */
  resolve(id: string): MathValue;
  /** All MetricStat series of the request, optionally those whose id contains `filter`. */
  metrics(filter?: string): TimeSeries[];
  /** Period start times of [start, end) at a period (seconds). */
  grid(period: number): number[];
  /** The period used when an expression has no series to take one from. */
  defaultPeriod: number;
  /** SEARCH(): the series of metrics matching a search expression. */
  search?(query: string, stat: string, period: number): TimeSeries[];
}

const scalar = (value: number): MathValue => ({ kind: 'scalar', value });
const seriesOf = (s: TimeSeries): MathValue => ({ kind: 'series', series: s });
const mapPoints = (s: TimeSeries, f: (v: number, ts: number) => number | undefined, label = s.label): TimeSeries => {
  const points = new Map<number, number>();
  for (const [ts, v] of s.points) {
    const r = f(v, ts);
    if (r !== undefined && !Number.isNaN(r)) points.set(ts, r);
  }
  return { label, id: s.id, period: s.period, points };
};
const sorted = (s: TimeSeries) => [...s.points].sort((a, b) => a[0] - b[0]);

function mapValue(v: MathValue, f: (x: number) => number, what: string): MathValue {
  if (v.kind === 'scalar') return scalar(f(v.value));
  if (v.kind === 'series') return seriesOf(mapPoints(v.series, f));
  if (v.kind === 'array') return { kind: 'array', items: v.items.map((s) => mapPoints(s, f)) };
  throw new MathEvalError(`${what} does not take a string`);
}

const BINARY: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '^': (a, b) => a ** b,
  '<': (a, b) => +(a < b), '<=': (a, b) => +(a <= b), '>': (a, b) => +(a > b), '>=': (a, b) => +(a >= b),
  '==': (a, b) => +(a === b), '!=': (a, b) => +(a !== b), AND: (a, b) => +(a !== 0 && b !== 0), OR: (a, b) => +(a !== 0 || b !== 0),
};

function combineSeries(a: TimeSeries, b: TimeSeries, f: (x: number, y: number) => number): TimeSeries {
  const points = new Map<number, number>();
  for (const [ts, x] of a.points) {
    const y = b.points.get(ts);
    if (y === undefined) continue;
    const r = f(x, y);
    if (Number.isFinite(r)) points.set(ts, r);
  }
  return { label: a.label, period: a.period, points };
}

export function binary(op: string, l: MathValue, r: MathValue): MathValue {
  const f = BINARY[op];
  if (l.kind === 'string' || r.kind === 'string') throw new MathEvalError(`The operator ${op} does not take a string`);
  if (l.kind === 'scalar' && r.kind === 'scalar') return scalar(f(l.value, r.value));
  if (l.kind === 'scalar') return mapValue(r, (y) => f(l.value, y), op);
  if (r.kind === 'scalar') return mapValue(l, (x) => f(x, r.value), op);
  if (l.kind === 'series' && r.kind === 'series') return seriesOf(combineSeries(l.series, r.series, f));
  if (l.kind === 'array' && r.kind === 'series') return { kind: 'array', items: l.items.map((s) => combineSeries(s, r.series, f)) };
  if (l.kind === 'series' && r.kind === 'array') return { kind: 'array', items: r.items.map((s) => combineSeries(l.series, s, f)) };
  throw new MathEvalError(`The operator ${op} cannot combine two arrays of time series`);
}

/** Evaluates an expression (text or parsed) against a context. */
export function evaluate(expr: string | Node, ctx: MathContext): MathValue {
  const node = typeof expr === 'string' ? parseExpression(expr) : expr;
  return evalNode(node, ctx);
}

function evalNode(node: Node, ctx: MathContext): MathValue {
  switch (node.kind) {
    case 'num': return scalar(node.value);
    case 'str': return { kind: 'string', value: node.value };
    case 'id': return ctx.resolve(node.name);
    case 'array': {
      const items: TimeSeries[] = [];
      for (const item of node.items) {
        const v = evalNode(item, ctx);
        if (v.kind === 'series') items.push(v.series);
        else if (v.kind === 'array') items.push(...v.items);
        else throw new MathEvalError('An array may only contain time series');
      }
      return { kind: 'array', items };
    }
    case 'unary': {
      const v = evalNode(node.arg, ctx);
      return mapValue(v, node.op === '-' ? (x) => -x : (x) => +(x === 0), node.op);
    }
    case 'binary': return binary(node.op, evalNode(node.left, ctx), evalNode(node.right, ctx));
    case 'call': return callFunction(node.name, node.args, ctx);
  }
}

export { mapPoints, scalar, seriesOf, sorted, evalNode };
