import type { Aggregate } from './ast.js';
import { evaluate } from './evaluate.js';
import { compareValues, present, toNumber, toText, type Row, type Value } from './values.js';

/** One aggregate's running state for one group. */
export interface Accumulator {
  add(row: Row): void;
  result(): Value;
}

function numbers(agg: Aggregate, onValue: (n: number) => void) {
  return (row: Row) => {
    const n = toNumber(evaluate(agg.args[0], row));
    if (n !== undefined) onValue(n);
  };
}

/** A factory of accumulators for `count`, `sum`, `avg`, `pct` and the rest. */
export function accumulator(agg: Aggregate): () => Accumulator {
  const arg = agg.args[0];
  switch (agg.fn) {
    case 'count':
      return () => {
        let n = 0;
        return { add: (row) => void (agg.star || !arg || present(evaluate(arg, row)) ? n++ : 0), result: () => n };
      };
    case 'count_distinct':
      return () => {
        const seen = new Set<string>();
        return {
          add: (row) => {
            const v = toText(evaluate(arg, row));
            if (v !== undefined) seen.add(v);
          },
          result: () => seen.size,
        };
      };
    case 'sum':
    case 'avg':
      return () => {
        let sum = 0;
        let n = 0;
        return { add: numbers(agg, (v) => ((sum += v), n++)), result: () => (n === 0 ? undefined : agg.fn === 'sum' ? sum : sum / n) };
      };
    case 'stddev':
      return () => {
        const vals: number[] = [];
        return {
          add: numbers(agg, (v) => vals.push(v)),
          result: () => {
            if (vals.length < 2) return vals.length ? 0 : undefined;
            const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
            return Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1));
          },
        };
      };
    case 'pct':
      return () => {
        const vals: number[] = [];
        const p = toNumber(agg.args[1] ? evaluate(agg.args[1], { get: () => undefined, set: () => {}, keys: () => [] }) : 50) ?? 50;
        return {
          add: numbers(agg, (v) => vals.push(v)),
          result: () => {
            if (!vals.length) return undefined;
            vals.sort((a, b) => a - b);
            return vals[Math.min(vals.length - 1, Math.max(0, Math.ceil((p / 100) * vals.length) - 1))];
          },
        };
      };
    case 'min':
    case 'max':
    case 'sortsfirst':
    case 'sortslast':
      return () => {
        let best: Value;
        const wantLow = agg.fn === 'min' || agg.fn === 'sortsfirst';
        return {
          add: (row) => {
            const v = evaluate(arg, row);
            if (!present(v)) return;
            if (!present(best) || (compareValues(v, best) < 0) === wantLow && compareValues(v, best) !== 0) best = v;
          },
          result: () => best,
        };
      };
    case 'earliest':
    case 'latest':
      return () => {
        let at: Value;
        let value: Value;
        const early = agg.fn === 'earliest';
        return {
          add: (row) => {
            const t = row.get('@timestamp');
            const v = evaluate(arg, row);
            if (!present(v)) return;
            if (!present(at) || (early ? compareValues(t, at) < 0 : compareValues(t, at) > 0)) {
              at = t;
              value = v;
            }
          },
          result: () => value,
        };
      };
  }
  throw new Error(`no accumulator for ${agg.fn}`);
}
