import { describe, expect, it } from 'vitest';
import { aggregate, parseExtendedStat, statValue, type Sample } from '../../../src/services/cloudwatch/statistics.js';
import { datumToRow, dimensionKey } from '../../../src/services/cloudwatch/metric-input.js';

const one = (v: number): Sample => ({ n: 1, sum: v, min: v, max: v });
const oneToHundred = aggregate(Array.from({ length: 100 }, (_, i) => one(i + 1)))!;

describe('CloudWatch statistics', () => {
  it.each([
    ['SampleCount', 100], ['Sum', 5050], ['Average', 50.5], ['Minimum', 1], ['Maximum', 100],
    ['p50', 50], ['p99', 99], ['p95.5', 96], ['p100', 100], ['p0', 1],
    ['tm90', 45.5], ['TM(10%:90%)', 50.5], ['IQM', 50.5], ['tc90', 90], ['ts90', 4095], ['TS(:10)', 55],
    ['wm90', 49.95], ['PR(:50)', 50], ['TC(91:)', 10],
  ])('%s of 1..100 is %s', (stat, expected) => {
    expect(statValue(oneToHundred, stat)).toBeCloseTo(expected, 6);
  });

  it('parses only valid extended statistics', () => {
    for (const ok of ['p99', 'p99.9', 'tm99', 'wm50', 'TM(2%:98%)', 'TM(150:1000)', 'PR(:300)', 'IQM', 'tc90', 'TS(80%:)']) expect(parseExtendedStat(ok), ok).toBeDefined();
    for (const bad of ['p101', 'x99', 'TM(10%:90)', 'PR(10%:)', 'TM(:)', 'Sum', 'p']) expect(parseExtendedStat(bad), bad).toBeUndefined();
  });

  it('counts Values/Counts and statistic sets; percentiles need raw values', () => {
    const values: Sample = { n: 6, sum: 1 * 3 + 2 * 2 + 10, min: 1, max: 10, values: [[1, 3], [2, 2], [10, 1]] };
    const set: Sample = { n: 4, sum: 20, min: 2, max: 8 };
    expect(statValue(aggregate([values])!, 'p50')).toBe(1);
    expect(statValue(aggregate([values])!, 'p90')).toBe(10);
    expect(statValue(aggregate([values, set])!, 'Average')).toBeCloseTo(37 / 10);
    expect(statValue(aggregate([values, set])!, 'p50')).toBeUndefined();
    expect(statValue(aggregate([{ n: 3, sum: 15, min: 5, max: 5 }])!, 'p99')).toBe(5);
  });

  it('validates datums as PutMetricData does', () => {
    const now = Date.UTC(2024, 0, 15);
    expect(datumToRow({ MetricName: 'm', Values: [1, 2, 2], Counts: [1, 2, 3] }, 0, now)).toMatchObject({ n: 6, sum: 11, min: 1, max: 2, vals: '[[1,1],[2,5]]' });
    expect(() => datumToRow({ MetricName: 'm', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }, 1, now)).toThrow('MetricData.member.2.Value and MetricData.member.2.StatisticValues are mutually exclusive');
    expect(() => datumToRow({ MetricName: 'm', Value: 1, Timestamp: new Date(now - 15 * 86400_000) }, 0, now)).toThrow('must specify a time within the past two weeks');
    expect(() => datumToRow({ MetricName: 'm', Value: 1, Timestamp: new Date(now + 3 * 3600_000) }, 0, now)).toThrow('two hours in the future');
    expect(() => datumToRow({ MetricName: 'm', Value: 1, StorageResolution: 5 }, 0, now)).toThrow('StorageResolution');
    expect(() => datumToRow({ MetricName: 'm', Values: [1, 2], Counts: [1] }, 0, now)).toThrow('same size');
    expect(() => datumToRow({ MetricName: 'm', Value: 1e200 }, 0, now)).toThrow('is invalid');
    expect(dimensionKey([{ Name: 'b', Value: '2' }, { Name: 'a', Value: '1' }])).toBe(dimensionKey([{ Name: 'a', Value: '1' }, { Name: 'b', Value: '2' }]));
  });
});
