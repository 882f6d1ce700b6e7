/**
 * CloudWatch statistics over the samples of one period: the five basic statistics and the
 * extended ones (percentiles, trimmed/winsorized means, trimmed counts and sums, percentile
 * rank, IQM). Pure functions, table-tested.
 */

/** What a stored row contributes: counts and sums always; raw values when they are known. */
export interface Sample {
  n: number;
  sum: number;
  min: number;
  max: number;
  /** [value, count] pairs, or undefined when the row was a statistic set with min != max. */
  values?: [number, number][];
  /** Set on rolled-up rows that merged statistic sets: their raw values are gone. */
  noRaw?: boolean;
}

export interface Aggregate {
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Sorted [value, count] pairs; undefined when any sample lacked raw values. */
  values?: [number, number][];
}

export const BASIC_STATS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type BasicStat = (typeof BASIC_STATS)[number];

/** Raw values of a row: stored pairs, or one value n times when min equals max. */
export function rawValues(s: Sample): [number, number][] | undefined {
  if (s.values) return s.values;
  if (s.noRaw) return undefined;
  return s.min === s.max ? [[s.min, s.n]] : undefined;
}

/** Sums, extremes and (when `withValues`, for extended statistics) the sorted raw values of samples. */
export function aggregate(samples: Sample[], withValues = true): Aggregate | undefined {
  if (!samples.length) return undefined;
  let n = 0, sum = 0, min = Infinity, max = -Infinity;
  let pairs: [number, number][] | undefined = withValues ? [] : undefined;
  for (const s of samples) {
    n += s.n;
    sum += s.sum;
    if (s.min < min) min = s.min;
    if (s.max > max) max = s.max;
    if (!pairs) continue;
    const raw = rawValues(s);
    if (raw) for (const p of raw) pairs.push(p);
    else pairs = undefined;
  }
  return { n, sum, min, max, values: pairs?.sort((a, b) => a[0] - b[0]) };
}

export function basicStat(a: Aggregate, stat: BasicStat): number {
  switch (stat) {
    case 'SampleCount': return a.n;
    case 'Sum': return a.sum;
    case 'Average': return a.n ? a.sum / a.n : 0;
    case 'Minimum': return a.min;
    case 'Maximum': return a.max;
  }
}

type Bound = { value: number; percent: boolean } | undefined;
export interface ExtendedStat {
  kind: 'p' | 'tm' | 'wm' | 'tc' | 'ts' | 'pr';
  lower: Bound;
  upper: Bound;
}

const SHORT = /^(p|tm|wm|tc|ts)(\d{1,2}(?:\.\d{1,10})?|100)$/i;
const RANGE = /^(TM|WM|TC|TS|PR)\(\s*([\d.]*)(%?)\s*:\s*([\d.]*)(%?)\s*\)$/i;

/** Parses `p99`, `p95.5`, `tm90`, `TM(10%:90%)`, `PR(:300)`, `IQM`; undefined when not a valid extended statistic. */
export function parseExtendedStat(text: string): ExtendedStat | undefined {
  if (/^iqm$/i.test(text)) return { kind: 'tm', lower: { value: 25, percent: true }, upper: { value: 75, percent: true } };
  const short = SHORT.exec(text);
  if (short) {
    const value = Number(short[2]);
    if (!(value >= 0 && value <= 100)) return undefined;
    const kind = short[1].toLowerCase() as ExtendedStat['kind'];
    return kind === 'p' ? { kind, lower: undefined, upper: { value, percent: true } } : { kind, lower: undefined, upper: { value, percent: true } };
  }
  const range = RANGE.exec(text);
  if (!range) return undefined;
  const bound = (v: string, pct: string): Bound | null => {
    if (v === '') return undefined;
    const value = Number(v);
    if (!Number.isFinite(value) || (pct && (value < 0 || value > 100))) return null;
    return { value, percent: pct === '%' };
  };
  const lower = bound(range[2], range[3]);
  const upper = bound(range[4], range[5]);
  if (lower === null || upper === null || (!lower && !upper)) return undefined;
  const kind = range[1].toLowerCase() as ExtendedStat['kind'];
  if (kind === 'pr' && ((lower && lower.percent) || (upper && upper.percent))) return undefined;
  if (kind !== 'pr' && lower && upper && lower.percent !== upper.percent) return undefined;
  return { kind, lower, upper };
}

export function isBasicStat(s: string): s is BasicStat {
  return (BASIC_STATS as readonly string[]).includes(s);
}

/** Whether `s` is a statistic GetMetricData, alarms and dashboards accept. */
export function isValidStat(s: string): boolean {
  return isBasicStat(s) || parseExtendedStat(s) !== undefined;
}

/** The value at 1-based rank r of the sorted pairs. */
function atRank(values: [number, number][], rank: number): number {
  let seen = 0;
  for (const [v, c] of values) {
    seen += c;
    if (seen >= rank) return v;
  }
  return values[values.length - 1][0];
}

/** The nearest-rank percentile p (0..100) of sorted pairs. */
export function percentile(values: [number, number][], total: number, p: number): number {
  if (p <= 0) return values[0][0];
  return atRank(values, Math.max(1, Math.ceil((p / 100) * total)));
}

function limits(values: [number, number][], total: number, s: ExtendedStat): [number, number] {
  const lo = s.lower ? (s.lower.percent ? percentile(values, total, s.lower.value) : s.lower.value) : -Infinity;
  const hi = s.upper ? (s.upper.percent ? percentile(values, total, s.upper.value) : s.upper.value) : Infinity;
  return [lo, hi];
}

/** An extended statistic of an aggregate; undefined when it cannot be computed (no raw values). */
export function extendedStat(a: Aggregate, s: ExtendedStat): number | undefined {
  const values = a.values;
  if (!values || !values.length || a.n <= 0) return undefined;
  if (s.kind === 'p') return percentile(values, a.n, s.upper!.value);
  const [lo, hi] = limits(values, a.n, s);
  // With percent bounds the lower bound is exclusive (TM(10%:90%) drops the lowest 10%).
  const lowerExclusive = s.lower?.percent === true;
  const inside = (v: number) => (lowerExclusive ? v > lo : v >= lo) && v <= hi;
  let count = 0, sum = 0;
  for (const [v, c] of values) if (inside(v)) { count += c; sum += v * c; }
  switch (s.kind) {
    case 'tc': return count;
    case 'ts': return sum;
    case 'tm': return count ? sum / count : undefined;
    case 'pr': return (count / a.n) * 100;
    case 'wm': {
      let wsum = 0;
      for (const [v, c] of values) wsum += Math.min(Math.max(v, lo), hi) * c;
      return wsum / a.n;
    }
  }
}

/** Any statistic by name. */
export function statValue(a: Aggregate, stat: string): number | undefined {
  if (isBasicStat(stat)) return basicStat(a, stat);
  const ext = parseExtendedStat(stat);
  return ext ? extendedStat(a, ext) : undefined;
}
