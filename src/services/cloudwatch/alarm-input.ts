import { ServiceError } from '../../core/errors.js';
import { parseArn } from '../../core/arn.js';
import type { PutCompositeAlarmInput, PutMetricAlarmInput } from '../../aws/models/generated/cloudwatch.js';
import { RuleSyntaxError, parseRule, ruleAlarms } from './alarm-rule.js';
import { checkQueries } from './metric-data.js';
import { checkDimensions } from './metric-input.js';
import { isBasicStat, parseExtendedStat } from './statistics.js';

const validation = (msg: string) => new ServiceError('ValidationError', msg, { statusCode: 400 });
const combination = (msg: string) => new ServiceError('InvalidParameterCombinationException', msg, { statusCode: 400 });
const missing = (name: string) => new ServiceError('MissingRequiredParameterException', `The parameter ${name} is required.`, { statusCode: 400 });

const TREAT_MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'];
const BAND_OPERATORS = ['LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];
const MAX_ACTIONS = 5;

export function checkActions(input: { AlarmActions?: string[]; OKActions?: string[]; InsufficientDataActions?: string[] }, region: string): void {
  for (const key of ['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const) {
    const list = input[key] ?? [];
    if (list.length > MAX_ACTIONS) throw validation(`The collection ${key} must not have a size greater than ${MAX_ACTIONS}.`);
    for (const action of list) {
      const arn = parseArn(action);
      if (!arn || !arn.service) throw validation(`Invalid arn syntax: ${action}`);
      if (arn.region && arn.region !== region) throw validation(`Invalid region ${arn.region} specified. Only ${region} is supported.`);
    }
  }
}

function checkPeriod(period: number, where: string): void {
  if (!(period === 10 || period === 30 || (period >= 60 && period % 60 === 0))) {
    throw validation(`The value ${period} for parameter ${where} is not valid: the period must be 10, 30 or a multiple of 60.`);
  }
}

/** PutMetricAlarm's rules beyond the model: one way to name the metric, a complete comparison, sane periods. */
export function checkMetricAlarm(input: PutMetricAlarmInput, region: string): void {
  checkActions(input, region);
  const single = input.MetricName !== undefined || input.Namespace !== undefined || input.Statistic !== undefined || input.ExtendedStatistic !== undefined;
  if (input.Metrics?.length) {
    if (single || input.Dimensions || input.Period || input.Unit) {
      throw combination('The parameters Metrics and MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, Period or Unit are mutually exclusive.');
    }
    checkQueries(input.Metrics, 'Metrics');
    const returning = input.Metrics.filter((m) => m.ReturnData !== false && m.Id !== input.ThresholdMetricId);
    if (returning.length !== 1) throw validation('Exactly one element of the metrics list should return data.');
    for (const m of input.Metrics) if (m.MetricStat) checkPeriod(m.MetricStat.Period, 'MetricStat.Period');
    if (input.ThresholdMetricId && !input.Metrics.some((m) => m.Id === input.ThresholdMetricId)) {
      throw validation(`The ThresholdMetricId ${input.ThresholdMetricId} does not match the Id of any metric in Metrics.`);
    }
  } else {
    if (!input.MetricName) throw missing('MetricName');
    if (!input.Namespace) throw missing('Namespace');
    if (!!input.Statistic === !!input.ExtendedStatistic) throw combination('Exactly one of the parameters Statistic and ExtendedStatistic must be specified.');
    if (input.Statistic && !isBasicStat(input.Statistic)) throw validation(`The value ${input.Statistic} for parameter Statistic is not valid.`);
    if (input.ExtendedStatistic && !parseExtendedStat(input.ExtendedStatistic)) throw validation(`The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not a valid extended statistic.`);
    if (input.Period === undefined) throw missing('Period');
    checkPeriod(input.Period, 'Period');
    checkDimensions(input.Dimensions, 'PutMetricAlarm');
  }
  checkEvaluation(input);
}

function checkEvaluation(input: PutMetricAlarmInput): void {
  if (input.EvaluationPeriods === undefined) throw missing('EvaluationPeriods');
  if (!input.ComparisonOperator) throw missing('ComparisonOperator');
  const band = BAND_OPERATORS.includes(input.ComparisonOperator);
  if (band && !input.ThresholdMetricId) throw validation(`ComparisonOperator ${input.ComparisonOperator} needs a ThresholdMetricId naming an anomaly detection band.`);
  if (!band && input.ThresholdMetricId) throw validation(`ThresholdMetricId can only be used with the anomaly detection comparison operators.`);
  if (!band && input.Threshold === undefined) throw missing('Threshold');
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods) {
    throw validation(`DatapointsToAlarm (${input.DatapointsToAlarm}) must be less than or equal to EvaluationPeriods (${input.EvaluationPeriods}).`);
  }
  const period = input.Period ?? Math.min(...(input.Metrics ?? []).map((m) => m.MetricStat?.Period ?? m.Period ?? 60));
  if (period * input.EvaluationPeriods > 7 * 86400) throw validation('The evaluation window (Period multiplied by EvaluationPeriods) must not exceed 7 days.');
  if (input.TreatMissingData !== undefined && !TREAT_MISSING.includes(input.TreatMissingData)) {
    throw validation(`The value ${input.TreatMissingData} for parameter TreatMissingData is not valid. Valid values are: ${TREAT_MISSING.join(', ')}.`);
  }
  if (input.EvaluateLowSampleCountPercentile !== undefined) {
    if (!['evaluate', 'ignore'].includes(input.EvaluateLowSampleCountPercentile)) {
      throw validation(`The value ${input.EvaluateLowSampleCountPercentile} for parameter EvaluateLowSampleCountPercentile is not valid. Valid values are: evaluate, ignore.`);
    }
    if (parseExtendedStat(input.ExtendedStatistic ?? '')?.kind !== 'p') {
      throw validation('EvaluateLowSampleCountPercentile can only be used with a percentile ExtendedStatistic.');
    }
  }
}

/** The rule parses, names no more than 100 alarms, and does not name the alarm itself. */
export function checkCompositeAlarm(input: PutCompositeAlarmInput, region: string): Set<string> {
  checkActions(input, region);
  let refs: Set<string>;
  try {
    refs = ruleAlarms(parseRule(input.AlarmRule));
  } catch (e) {
    if (e instanceof RuleSyntaxError) throw validation(`Error in alarm rule: ${e.message}`);
    throw e;
  }
  if (refs.size > 100) throw validation('An alarm rule can reference at most 100 alarms.');
  if (refs.has(input.AlarmName)) throw validation('An alarm rule cannot reference the alarm itself.');
  return refs;
}
