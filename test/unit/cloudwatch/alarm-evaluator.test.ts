import { describe, expect, it } from 'vitest';
import { evaluateAlarm, javaDouble, reasonTime, type AlarmCriteria, type EvalPoint } from '../../../src/services/cloudwatch/alarm-evaluator.js';
import { evaluateRule, parseRule, ruleAlarms } from '../../../src/services/cloudwatch/alarm-rule.js';

const T0 = Date.UTC(2024, 0, 1);
/** '0' not breaching, 'X' breaching, '-' missing, oldest first (AWS's notation). */
const points = (pattern: string): EvalPoint[] =>
  pattern.split(' ').map((c, i) => ({ ts: T0 + i * 60_000, ...(c === '-' ? {} : { value: c === 'X' ? 10 : 0, sampleCount: 1 }) }));
const criteria = (treat: AlarmCriteria['treatMissingData'], n = 3, m = 3): AlarmCriteria => ({
  comparison: 'GreaterThanThreshold', threshold: 5, evaluationPeriods: n, datapointsToAlarm: m, treatMissingData: treat, statistic: 'Sum', period: 60,
});

describe('alarm evaluation with missing data (3 out of 3, evaluation range 5)', () => {
  // The table of AWS's "Configuring how CloudWatch alarms treat missing data" page.
  it.each([
    ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
    ['- - - - 0', 'OK', 'OK', 'OK', 'OK'],
    ['- - - - -', 'INSUFFICIENT_DATA', 'keep', 'ALARM', 'OK'],
    ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['- - X - -', 'ALARM', 'ALARM', 'ALARM', 'OK'],
  ])('%s -> missing %s, ignore %s, breaching %s, notBreaching %s', (pattern, missing, ignore, breaching, notBreaching) => {
    const expected = { missing, ignore, breaching, notBreaching };
    for (const treat of ['missing', 'ignore', 'breaching', 'notBreaching'] as const) {
      const r = evaluateAlarm(criteria(treat), points(pattern), T0 + 300_000);
      expect(r?.state ?? 'keep', `${treat}`).toBe(expected[treat]);
    }
  });

  it('applies M out of N on the most recent datapoints', () => {
    expect(evaluateAlarm(criteria('missing', 3, 2), points('0 0 X 0 X'), T0)!.state).toBe('ALARM');
    expect(evaluateAlarm(criteria('missing', 3, 2), points('X X 0 0 X'), T0)!.state).toBe('OK');
  });

  it('writes AWS-style reasons and reason data', () => {
    const r = evaluateAlarm(criteria('missing', 1, 1), points('X'), T0 + 60_000)!;
    expect(r.reason).toBe('Threshold Crossed: 1 datapoint [10.0 (01/01/24 00:00:00)] was greater than the threshold (5.0).');
    expect(r.reasonData).toMatchObject({ version: '1.0', statistic: 'Sum', period: 60, recentDatapoints: [10], threshold: 5, evaluatedDatapoints: [{ timestamp: '2024-01-01T00:00:00.000+0000', sampleCount: 1, value: 10 }] });
    const two = evaluateAlarm(criteria('missing', 2, 2), points('X X'), T0)!;
    expect(two.reason).toContain('2 out of the last 2 datapoints [10.0 (01/01/24 00:01:00), 10.0 (01/01/24 00:00:00)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).');
    expect(evaluateAlarm(criteria('missing', 1, 1), points('-'), T0)!.reason).toBe('Insufficient Data: 1 datapoint was unknown.');
    expect(javaDouble(50)).toBe('50.0');
    expect(reasonTime(Date.UTC(2024, 11, 31, 23, 5, 9))).toBe('31/12/24 23:05:09');
  });

  it.each([
    ['GreaterThanOrEqualToThreshold', 5, 'ALARM'], ['LessThanThreshold', 4, 'ALARM'], ['LessThanOrEqualToThreshold', 6, 'OK'],
  ] as const)('%s with value %s is %s', (comparison, value, state) => {
    const c = { ...criteria('missing', 1, 1), comparison, threshold: comparison === 'LessThanOrEqualToThreshold' ? 5 : 5 };
    expect(evaluateAlarm(c, [{ ts: T0, value }], T0)!.state).toBe(state);
  });

  it('compares against an anomaly band', () => {
    const c: AlarmCriteria = { ...criteria('missing', 1, 1), comparison: 'LessThanLowerOrGreaterThanUpperThreshold', threshold: undefined };
    expect(evaluateAlarm(c, [{ ts: T0, value: 12, lower: 1, upper: 10 }], T0)!.state).toBe('ALARM');
    expect(evaluateAlarm(c, [{ ts: T0, value: 5, lower: 1, upper: 10 }], T0)!.state).toBe('OK');
  });
});

describe('composite alarm rules', () => {
  const states: Record<string, string> = { cpu: 'ALARM', db: 'OK', 'arn:aws:cloudwatch:us-east-1:1:alarm:disk': 'INSUFFICIENT_DATA' };
  it.each([
    ['ALARM(cpu)', true], ['ALARM("cpu") AND NOT OK(db)', false], ['ALARM(cpu) AND NOT OK(db) OR TRUE', true],
    ["(ALARM('cpu') OR ALARM(db)) AND INSUFFICIENT_DATA(arn:aws:cloudwatch:us-east-1:1:alarm:disk)", true], ['NOT (ALARM(cpu) AND FALSE)', true], ['OK(unknown)', false],
  ])('%s is %s', (rule, expected) => {
    expect(evaluateRule(parseRule(rule), (a) => states[a])).toBe(expected);
  });
  it('lists referenced alarms and rejects broken rules', () => {
    expect([...ruleAlarms(parseRule('ALARM(a) OR (OK("b") AND NOT ALARM(a))'))]).toEqual(['a', 'b']);
    for (const bad of ['ALARM(a', 'ALARM() ', 'ALARM(a) AND', 'MAYBE(a)', 'ALARM(a) ALARM(b)']) expect(() => parseRule(bad), bad).toThrow();
  });
});

describe('evaluation windows under a time scale', () => {
  it('a 60 s period at scale 60 reads the last real second, anchored at the tick', async () => {
    const { windows } = await import('../../../src/services/cloudwatch/alarm-data.js');
    const t = Date.UTC(2024, 0, 1, 0, 0, 30, 500);
    const w = windows({ AlarmName: 'a', Period: 60, EvaluationPeriods: 2 }, t, 60);
    expect(w.widthMs).toBe(1000);
    expect(w.starts.slice(-2)).toEqual([t - 2000, t - 1000]);
    expect(w.starts).toHaveLength(4);
    expect(windows({ AlarmName: 'a', Period: 300, EvaluationPeriods: 1 }, t, 1).starts).toEqual([t - 600_000, t - 300_000]);
  });
});
