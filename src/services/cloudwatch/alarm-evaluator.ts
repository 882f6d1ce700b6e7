/**
 * Metric alarm evaluation as AWS documents it, pure: given the datapoints of the
 * evaluation range, decide the state, its reason text and its StateReasonData.
 *
 * - With at least N (EvaluationPeriods) real datapoints in the range, the most recent N real
 *   ones are evaluated and TreatMissingData does not matter.
 * - With none, `missing` gives INSUFFICIENT_DATA, `ignore` keeps the state, `breaching` ALARM,
 *   `notBreaching` OK.
 * - With some, the missing ones (as few as needed, most recent first) are filled as breaching
 *   or not breaching; under `missing` and `ignore` only the real ones count, and M is capped
 *   at their number.
 * ALARM when at least M (DatapointsToAlarm) of the evaluated datapoints breach, else OK.
 */

export type StateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type Comparison =
  | 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold'
  | 'LessThanLowerOrGreaterThanUpperThreshold' | 'LessThanLowerThreshold' | 'GreaterThanUpperThreshold';

export interface EvalPoint {
  ts: number;
  value?: number;
  sampleCount?: number;
  /** The band of anomaly-detection comparisons at this point. */
  lower?: number;
  upper?: number;
}

export interface AlarmCriteria {
  comparison: Comparison;
  threshold?: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: 'missing' | 'ignore' | 'breaching' | 'notBreaching';
  /** For StateReasonData: the statistic (or extended statistic) and period in seconds. */
  statistic?: string;
  period: number;
}

export interface Evaluation {
  state: StateValue;
  reason: string;
  reasonData: Record<string, unknown>;
}

const OP_TEXT: Record<Comparison, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'less than the lower band of',
  GreaterThanUpperThreshold: 'greater than the upper band of',
};

export function breaches(c: AlarmCriteria, p: EvalPoint): boolean {
  const v = p.value!;
  const t = c.threshold ?? 0;
  switch (c.comparison) {
    case 'GreaterThanOrEqualToThreshold': return v >= t;
    case 'GreaterThanThreshold': return v > t;
    case 'LessThanThreshold': return v < t;
    case 'LessThanOrEqualToThreshold': return v <= t;
    case 'LessThanLowerOrGreaterThanUpperThreshold': return (p.lower !== undefined && v < p.lower) || (p.upper !== undefined && v > p.upper);
    case 'LessThanLowerThreshold': return p.lower !== undefined && v < p.lower;
    case 'GreaterThanUpperThreshold': return p.upper !== undefined && v > p.upper;
  }
}

/** Java's Double.toString for the numbers AWS prints in reasons: 50 -> "50.0". */
export function javaDouble(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e7 ? n.toFixed(1) : String(n);
}

const pad = (n: number) => String(n).padStart(2, '0');
/** dd/MM/yy HH:mm:ss in UTC, as alarm reasons show datapoint times. */
export function reasonTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** 2024-01-01T00:05:00.000+0000, the timestamp format of alarm JSON. */
export function awsTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** Evaluates; undefined means "keep the current state" (TreatMissingData ignore with no data). */
export function evaluateAlarm(c: AlarmCriteria, range: EvalPoint[], now: number): Evaluation | undefined {
  const n = c.evaluationPeriods;
  const real = range.filter((p) => p.value !== undefined);
  const data = (points: EvalPoint[]) => ({
    version: '1.0',
    queryDate: awsTime(now),
    ...(range.length ? { startDate: awsTime(range[0].ts) } : {}),
    ...(c.statistic ? { statistic: c.statistic } : {}),
    period: c.period,
    recentDatapoints: points.filter((p) => p.value !== undefined).map((p) => p.value),
    ...(c.threshold !== undefined ? { threshold: c.threshold } : {}),
    evaluatedDatapoints: [...points].reverse().map((p) => ({ timestamp: awsTime(p.ts), ...(p.sampleCount !== undefined ? { sampleCount: p.sampleCount } : {}), ...(p.value !== undefined ? { value: p.value } : {}) })),
  });
  if (real.length >= n) return judge(c, real.slice(-n), 0, data(real.slice(-n)));
  if (real.length === 0) {
    const missing = Math.max(n, range.length);
    switch (c.treatMissingData) {
      case 'ignore': return undefined;
      case 'missing': return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${missing} ${plural(missing, 'datapoint was', 'datapoints were')} unknown.`, reasonData: data([]) };
      case 'breaching':
      case 'notBreaching': {
        const state = c.treatMissingData === 'breaching' ? 'ALARM' : 'OK';
        const label = c.treatMissingData === 'breaching' ? 'Breaching' : 'NonBreaching';
        return { state, reason: `Threshold Crossed: no datapoints were received for ${n} ${plural(n, 'period', 'periods')} and ${n} missing ${plural(n, 'datapoint was', 'datapoints were')} treated as [${label}].`, reasonData: data([]) };
      }
    }
  }
  const fill = n - real.length;
  if (c.treatMissingData === 'breaching' || c.treatMissingData === 'notBreaching') {
    return judge(c, real, c.treatMissingData === 'breaching' ? fill : -fill, data(real));
  }
  return judge({ ...c, evaluationPeriods: real.length, datapointsToAlarm: Math.min(c.datapointsToAlarm, real.length) }, real, 0, data(real));
}

/** `filled` > 0: that many missing datapoints count as breaching; < 0: as not breaching. */
function judge(c: AlarmCriteria, points: EvalPoint[], filled: number, reasonData: Record<string, unknown>): Evaluation {
  const n = c.evaluationPeriods;
  const bad = points.filter((p) => breaches(c, p));
  const good = points.filter((p) => !breaches(c, p));
  const badCount = bad.length + Math.max(0, filled);
  const alarm = badCount >= c.datapointsToAlarm;
  const shown = alarm ? bad : good;
  const list = `[${shown.slice().reverse().map((p) => `${javaDouble(p.value!)} (${reasonTime(p.ts)})`).join(', ')}]`;
  const op = OP_TEXT[c.comparison];
  const thr = c.threshold !== undefined ? ` (${javaDouble(c.threshold)})` : '';
  const missingNote = filled ? ` and ${Math.abs(filled)} missing ${plural(Math.abs(filled), 'datapoint was', 'datapoints were')} treated as [${filled > 0 ? 'Breaching' : 'NonBreaching'}]` : '';
  let reason: string;
  if (n === 1 && !filled) {
    reason = `Threshold Crossed: 1 datapoint ${list} was ${alarm ? '' : 'not '}${op} the threshold${thr}.`;
  } else if (alarm) {
    reason = `Threshold Crossed: ${bad.length} out of the last ${n} datapoints ${list} ${plural(bad.length, 'was', 'were')} ${op} the threshold${thr}${missingNote} (minimum ${c.datapointsToAlarm} ${plural(c.datapointsToAlarm, 'datapoint', 'datapoints')} for OK -> ALARM transition).`;
  } else {
    const needed = n - c.datapointsToAlarm + 1;
    reason = `Threshold Crossed: ${good.length} out of the last ${n} datapoints ${list} ${plural(good.length, 'was', 'were')} not ${op} the threshold${thr}${missingNote} (minimum ${needed} ${plural(needed, 'datapoint', 'datapoints')} for ALARM -> OK transition).`;
  }
  return { state: alarm ? 'ALARM' : 'OK', reason, reasonData };
}
