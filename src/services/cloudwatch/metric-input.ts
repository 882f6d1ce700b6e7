import { ServiceError } from '../../core/errors.js';
import type { Dimension, MetricDatum } from '../../aws/models/generated/cloudwatch.js';

/** One datum ready for storage. */
export interface PointRow {
  name: string;
  dims: string;
  ts: number;
  unit: string;
  res: number;
  n: number;
  sum: number;
  min: number;
  max: number;
  /** JSON [value, count] pairs for Values/Counts data; null when min/max say it all. */
  vals: string | null;
}

const TWO_WEEKS = 14 * 24 * 3600_000;
const TWO_HOURS = 2 * 3600_000;
// AWS rejects magnitudes outside this range (other than zero) because it stores them as doubles of limited range.
const MIN_MAGNITUDE = 8.515920e-109;
const MAX_MAGNITUDE = 1.174271e108;
export const MAX_DIMENSIONS = 30;

const invalid = (msg: string) => new ServiceError('InvalidParameterValueException', msg, { statusCode: 400 });

/** The canonical key of a dimension set: sorted by name, so order never makes a new metric. */
export function dimensionKey(dims: Dimension[] | undefined): string {
  if (!dims?.length) return '[]';
  return JSON.stringify([...dims].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)).map((d) => [d.Name, d.Value]));
}

export function parseDimensionKey(key: string): Dimension[] {
  return (JSON.parse(key) as [string, string][]).map(([Name, Value]) => ({ Name, Value }));
}

export function checkDimensions(dims: Dimension[] | undefined, where: string): void {
  if (!dims) return;
  if (dims.length > MAX_DIMENSIONS) throw invalid(`The collection ${where}.Dimensions must not have a size greater than ${MAX_DIMENSIONS}.`);
  const seen = new Set<string>();
  dims.forEach((d, i) => {
    if (seen.has(d.Name)) throw new ServiceError('InvalidParameterCombinationException', `No metric may have duplicate dimension names: ${d.Name} (${where}.Dimensions.member.${i + 1}).`, { statusCode: 400 });
    seen.add(d.Name);
  });
}

function checkValue(v: number, where: string): void {
  const mag = Math.abs(v);
  if (!Number.isFinite(v) || (mag !== 0 && (mag < MIN_MAGNITUDE || mag > MAX_MAGNITUDE))) {
    throw invalid(`The value ${v} for parameter ${where} is invalid.`);
  }
}

/** Validates one datum the way AWS does and turns it into a storage row. */
export function datumToRow(d: MetricDatum, index: number, now: number): PointRow {
  const where = `MetricData.member.${index + 1}`;
  checkDimensions(d.Dimensions, where);
  const given = [d.Value !== undefined, d.StatisticValues !== undefined, d.Values !== undefined].filter(Boolean).length;
  if (given > 1) {
    const names = [d.Value !== undefined && 'Value', d.StatisticValues && 'StatisticValues', d.Values && 'Values'].filter(Boolean);
    throw new ServiceError('InvalidParameterCombinationException', `The parameters ${where}.${names[0]} and ${where}.${names[1]} are mutually exclusive and you have specified both.`, { statusCode: 400 });
  }
  if (given === 0) throw new ServiceError('MissingRequiredParameterException', `The parameter ${where}.Value is required.`, { statusCode: 400 });
  const ts = d.Timestamp ? d.Timestamp.getTime() : now;
  if (ts < now - TWO_WEEKS) throw invalid(`The parameter ${where}.Timestamp must specify a time within the past two weeks.`);
  if (ts > now + TWO_HOURS) throw invalid(`The parameter ${where}.Timestamp must specify a time no more than two hours in the future.`);
  const res = d.StorageResolution ?? 60;
  if (res !== 1 && res !== 60) throw invalid(`The value ${res} for parameter ${where}.StorageResolution is invalid.`);
  const base = { name: d.MetricName, dims: dimensionKey(d.Dimensions), ts, unit: d.Unit ?? 'None', res };
  if (d.Value !== undefined) {
    checkValue(d.Value, `${where}.Value`);
    return { ...base, n: 1, sum: d.Value, min: d.Value, max: d.Value, vals: null };
  }
  if (d.StatisticValues) return { ...base, ...statisticSet(d.StatisticValues, `${where}.StatisticValues`), vals: null };
  return { ...base, ...valuesAndCounts(d.Values!, d.Counts, where) };
}

function statisticSet(s: NonNullable<MetricDatum['StatisticValues']>, where: string) {
  for (const k of ['SampleCount', 'Sum', 'Minimum', 'Maximum'] as const) checkValue(s[k], `${where}.${k}`);
  if (s.SampleCount <= 0) throw invalid(`The value ${s.SampleCount} for parameter ${where}.SampleCount is invalid.`);
  if (s.Minimum > s.Maximum) throw invalid(`The parameter ${where}.Minimum must be less than or equal to ${where}.Maximum.`);
  return { n: s.SampleCount, sum: s.Sum, min: s.Minimum, max: s.Maximum };
}

function valuesAndCounts(values: number[], counts: number[] | undefined, where: string) {
  if (values.length > 150) throw invalid(`The collection ${where}.Values must not have a size greater than 150.`);
  if (counts && counts.length !== values.length) {
    throw new ServiceError('InvalidParameterCombinationException', `The parameters ${where}.Values and ${where}.Counts must be of the same size.`, { statusCode: 400 });
  }
  if (!values.length) throw new ServiceError('MissingRequiredParameterException', `The parameter ${where}.Values must not be empty.`, { statusCode: 400 });
  const merged = new Map<number, number>();
  values.forEach((v, i) => {
    checkValue(v, `${where}.Values.member.${i + 1}`);
    const c = counts ? counts[i] : 1;
    if (!Number.isFinite(c) || c < 0) throw invalid(`The value ${c} for parameter ${where}.Counts.member.${i + 1} is invalid.`);
    if (c > 0) merged.set(v, (merged.get(v) ?? 0) + c);
  });
  const pairs = [...merged].sort((a, b) => a[0] - b[0]);
  let n = 0, sum = 0;
  for (const [v, c] of pairs) { n += c; sum += v * c; }
  if (!n) throw invalid(`The parameter ${where}.Counts must count at least one value.`);
  return { n, sum, min: pairs[0][0], max: pairs[pairs.length - 1][0], vals: JSON.stringify(pairs) };
}
