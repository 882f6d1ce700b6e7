import { ServiceError } from '../../core/errors.js';
import type { GetMetricDataInput, GetMetricDataOutput, MetricDataResult } from '../../aws/models/generated/cloudwatch.js';
import type { QueryResult } from './metric-data.js';

const DEFAULT_MAX = 100_800;

interface Cursor {
  /** Result index and point index where the next page starts. */
  r: number;
  i: number;
  /** The request's time range, so a token is refused for another request. */
  s: number;
  e: number;
}

function decode(token: string, input: GetMetricDataInput): Cursor {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
  } catch {
    c = { r: -1, i: -1, s: 0, e: 0 };
  }
  const valid = Number.isInteger(c.r) && Number.isInteger(c.i) && c.r >= 0 && c.i >= 0 && c.s === input.StartTime.getTime() && c.e === input.EndTime.getTime();
  if (!valid) throw new ServiceError('InvalidNextToken', 'The service cannot find the NextToken you specified.', { statusCode: 400 });
  return c;
}

/**
 * Orders each result's points as ScanBy asks (newest first by default) and cuts the whole
 * response at MaxDatapoints; a result cut short is PartialData and continues on the next page.
 */
export function paginateResults(results: QueryResult[], input: GetMetricDataInput): GetMetricDataOutput {
  const ascending = input.ScanBy === 'TimestampAscending';
  const max = input.MaxDatapoints && input.MaxDatapoints > 0 ? input.MaxDatapoints : DEFAULT_MAX;
  const cursor = input.NextToken ? decode(input.NextToken, input) : { r: 0, i: 0 };
  let budget = max;
  const out: MetricDataResult[] = [];
  for (let r = cursor.r; r < results.length; r++) {
    const res = results[r];
    const order = res.timestamps.map((_, k) => k);
    if (!ascending) order.reverse();
    const from = r === cursor.r ? cursor.i : 0;
    const take = order.slice(from, from + budget);
    budget -= take.length;
    const complete = from + take.length >= order.length;
    out.push({
      Id: res.id,
      Label: res.label,
      Timestamps: take.map((k) => new Date(res.timestamps[k])),
      Values: take.map((k) => res.values[k]),
      StatusCode: complete ? 'Complete' : 'PartialData',
      Messages: [],
    });
    if (!complete) {
      const next: Cursor = { r, i: from + take.length, s: input.StartTime.getTime(), e: input.EndTime.getTime() };
      return { MetricDataResults: out, NextToken: Buffer.from(JSON.stringify(next)).toString('base64url'), Messages: [] };
    }
  }
  return { MetricDataResults: out, Messages: [] };
}
