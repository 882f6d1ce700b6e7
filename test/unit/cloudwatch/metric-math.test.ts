import { describe, expect, it } from 'vitest';
import { evaluate, type MathContext, type MathValue, type TimeSeries } from '../../../src/services/cloudwatch/math-eval.js';
import { parseSearch, matchesSearch } from '../../../src/services/cloudwatch/metric-search.js';
import { checkDashboardBody } from '../../../src/services/cloudwatch/dashboard-validate.js';

const T = (i: number) => i * 60_000;
const series = (id: string, values: (number | undefined)[]): TimeSeries => ({
  id, label: id, period: 60, points: new Map(values.flatMap((v, i) => (v === undefined ? [] : [[T(i), v] as [number, number]]))),
});
const m1 = series('m1', [1, 2, undefined, 4]);
const m2 = series('m2', [10, 20, 30, 40]);
const ctx: MathContext = {
  resolve: (id) => ({ kind: 'series', series: id === 'm1' ? m1 : m2 }),
  metrics: (f) => [m1, m2].filter((s) => !f || s.id!.includes(f)),
  grid: () => [T(0), T(1), T(2), T(3)],
  defaultPeriod: 60,
};
const values = (v: MathValue) => {
  if (v.kind === 'scalar') return v.value;
  if (v.kind === 'series') return [T(0), T(1), T(2), T(3)].map((t) => v.series.points.get(t));
  if (v.kind === 'array') return v.items.length;
  return v.value;
};

describe('metric math', () => {
  it.each([
    ['m1 + m2', [11, 22, undefined, 44]],
    ['m2 / 10 - 1', [0, 1, 2, 3]],
    ['(m1 + 1) * 2 ^ 2', [8, 12, undefined, 20]],
    ['-m1', [-1, -2, undefined, -4]],
    ['SUM([m1, m2])', [11, 22, 30, 44]],
    ['AVG(METRICS())', [5.5, 11, 30, 22]],
    ['MAX(METRICS("2"))', [10, 20, 30, 40]],
    ['SUM(m2)', 100],
    ['AVG(m1)', 7 / 3],
    ['FILL(m1, 0)', [1, 2, 0, 4]],
    ['FILL(m1, REPEAT)', [1, 2, 2, 4]],
    ['FILL(m1, LINEAR)', [1, 2, 3, 4]],
    ['IF(m2 > 15, m2, 0)', [0, 20, 30, 40]],
    ['IF(m2 > 15 AND m2 < 35, 1)', [undefined, 1, 1, undefined]],
    ['RATE(m2)', [undefined, 10 / 60, 10 / 60, 10 / 60]],
    ['DIFF(m1)', [undefined, 1, undefined, 2]],
    ['ABS(m1 - 3)', [2, 1, undefined, 1]],
    ['RUNNING_SUM(m2)', [10, 30, 60, 100]],
    ['PERIOD(m1)', 60],
    ['DATAPOINT_COUNT(m1)', 3],
    ['100 * m1 / m2', [10, 10, undefined, 10]],
    ['METRICS()', 2],
  ])('%s', (expr, expected) => {
    const v = values(evaluate(expr, ctx));
    if (typeof expected === 'number') expect(v).toBeCloseTo(expected, 9);
    else expect(v).toEqual(expected);
  });

  it('rejects unknown functions and bad syntax', () => {
    expect(() => evaluate('FOO(m1)', ctx)).toThrow('Unrecognized function: FOO');
    expect(() => evaluate('m1 +', ctx)).toThrow();
    expect(() => evaluate('m1 $ 2', ctx)).toThrow("Unexpected character '$'");
  });

  it('matches SEARCH expressions', () => {
    const m = { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: [{ Name: 'InstanceId', Value: 'i-123' }] };
    expect(matchesSearch(parseSearch('{AWS/EC2,InstanceId} MetricName="CPUUtilization"'), m)).toBe(true);
    expect(matchesSearch(parseSearch('{AWS/EC2} MetricName="CPUUtilization"'), m)).toBe(false);
    expect(matchesSearch(parseSearch('cpu i-12'), m)).toBe(true);
    expect(matchesSearch(parseSearch('InstanceId=i-999'), m)).toBe(false);
  });
});

describe('dashboard body validation', () => {
  it.each([
    ['not json', 'Invalid JSON'],
    ['[]', 'Should be object'],
    ['{}', "Should have required property 'widgets'"],
    ['{"widgets":[{"type":"metric","properties":{}}]}', "Should have required property 'metrics'"],
    ['{"widgets":[{"type":"pie","properties":{}}]}', 'Should be equal to one of the allowed values'],
    ['{"widgets":[{"type":"text","width":25,"properties":{"markdown":"hi"}}]}', 'Should be <= 24'],
    ['{"widgets":[{"type":"text","colour":"red","properties":{"markdown":"hi"}}]}', 'Should NOT have additional properties'],
  ])('%s -> %s', (body, message) => {
    expect(checkDashboardBody(body).errors.map((e) => e.Message).join('\n')).toContain(message);
  });
  it('accepts a valid body', () => {
    const body = { widgets: [{ type: 'metric', x: 0, y: 0, width: 12, height: 6, properties: { metrics: [['MyApplication', 'ProcessedRecords'], [{ expression: 'm1*2', id: 'e1' }]], stat: 'p99', period: 300, region: 'us-east-1' } }] };
    expect(checkDashboardBody(JSON.stringify(body)).errors).toEqual([]);
  });
});
