import type { Scope } from '../../core/scope.js';
import type { AwsEvent } from '../common/events.js';
import type { AlarmRecord } from './alarm-store.js';
import { alarmPeriod } from './alarm-data.js';
import { awsTime, type StateValue } from './alarm-evaluator.js';

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)', 'us-east-2': 'US East (Ohio)', 'us-west-1': 'US West (N. California)', 'us-west-2': 'US West (Oregon)',
  'eu-west-1': 'EU (Ireland)', 'eu-west-2': 'EU (London)', 'eu-central-1': 'EU (Frankfurt)', 'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)', 'ap-northeast-1': 'Asia Pacific (Tokyo)', 'ap-south-1': 'Asia Pacific (Mumbai)', 'sa-east-1': 'South America (Sao Paulo)',
};
export const regionName = (region: string) => REGION_NAMES[region] ?? region;

/** A state change, as recorded for its actions and event. */
export interface StateChange {
  oldState: StateValue;
  oldReason: string;
  oldReasonData?: string;
  oldTimestamp: number;
  time: number;
}

/** The actions a state calls, when actions are enabled. */
export function actionsFor(alarm: AlarmRecord, state: StateValue): string[] {
  if (!alarm.actionsEnabled) return [];
  const c = alarm.config;
  return (state === 'ALARM' ? c.AlarmActions : state === 'OK' ? c.OKActions : c.InsufficientDataActions) ?? [];
}

/** The subject line of an SNS notification (AWS caps subjects at 100 characters). */
export function notificationSubject(alarm: AlarmRecord, region: string): string {
  return `${alarm.state}: "${alarm.name}" in ${regionName(region)}`.slice(0, 100);
}

/** The JSON message CloudWatch publishes to SNS topics on a state change. */
export function notificationMessage(alarm: AlarmRecord, scope: Scope, change: StateChange): string {
  const c = alarm.config;
  const base: Record<string, unknown> = {
    AlarmName: alarm.name,
    AlarmDescription: c.AlarmDescription ?? null,
    AWSAccountId: scope.accountId,
    AlarmConfigurationUpdatedTimestamp: awsTime(alarm.configUpdated),
    NewStateValue: alarm.state,
    NewStateReason: alarm.stateReason,
    StateChangeTime: awsTime(change.time),
    Region: regionName(scope.region),
    AlarmArn: alarm.arn,
    OldStateValue: change.oldState,
    OKActions: c.OKActions ?? [],
    AlarmActions: c.AlarmActions ?? [],
    InsufficientDataActions: c.InsufficientDataActions ?? [],
  };
  if (alarm.type === 'CompositeAlarm') return JSON.stringify({ ...base, AlarmRule: alarm.config.AlarmRule });
  const m = alarm.config;
  const trigger: Record<string, unknown> = m.Metrics?.length
    ? { Metrics: m.Metrics.map((q) => ({ Id: q.Id, ...(q.Expression ? { Expression: q.Expression } : {}), ...(q.Label ? { Label: q.Label } : {}), ReturnData: q.ReturnData !== false, ...(q.MetricStat ? { MetricStat: { Metric: { Namespace: q.MetricStat.Metric.Namespace, MetricName: q.MetricStat.Metric.MetricName, Dimensions: (q.MetricStat.Metric.Dimensions ?? []).map((d) => ({ value: d.Value, name: d.Name })) }, Period: q.MetricStat.Period, Stat: q.MetricStat.Stat } } : {}) })) }
    : {
        MetricName: m.MetricName,
        Namespace: m.Namespace,
        StatisticType: m.ExtendedStatistic ? 'ExtendedStatistic' : 'Statistic',
        ...(m.ExtendedStatistic ? { ExtendedStatistic: m.ExtendedStatistic } : { Statistic: (m.Statistic ?? '').toUpperCase() }),
        Unit: m.Unit ?? null,
        Dimensions: (m.Dimensions ?? []).map((d) => ({ value: d.Value, name: d.Name })),
      };
  Object.assign(trigger, {
    Period: alarmPeriod(m),
    EvaluationPeriods: m.EvaluationPeriods,
    ...(m.DatapointsToAlarm ? { DatapointsToAlarm: m.DatapointsToAlarm } : {}),
    ComparisonOperator: m.ComparisonOperator,
    Threshold: m.Threshold ?? null,
    TreatMissingData: m.TreatMissingData ?? 'missing',
    EvaluateLowSampleCountPercentile: m.EvaluateLowSampleCountPercentile ?? '',
  });
  return JSON.stringify({ ...base, Trigger: trigger });
}

/** The "CloudWatch Alarm State Change" event EventBridge receives. */
export function stateChangeEvent(alarm: AlarmRecord, change: StateChange): AwsEvent {
  const state = (value: StateValue, reason: string, data: string | undefined, ts: number) => ({ value, reason, ...(data ? { reasonData: data } : {}), timestamp: awsTime(ts) });
  const c = alarm.config;
  const configuration: Record<string, unknown> = { description: c.AlarmDescription ?? '' };
  if (alarm.type === 'CompositeAlarm') {
    configuration.alarmRule = alarm.config.AlarmRule;
  } else {
    const m = alarm.config;
    configuration.metrics = m.Metrics?.length
      ? m.Metrics.map((q) => ({ id: q.Id, ...(q.Expression ? { expression: q.Expression } : {}), ...(q.MetricStat ? { metricStat: metricStatOf(q.MetricStat.Metric, q.MetricStat.Period, q.MetricStat.Stat) } : {}), returnData: q.ReturnData !== false }))
      : [{ id: 'm1', metricStat: metricStatOf({ Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions }, m.Period ?? 60, m.Statistic ?? m.ExtendedStatistic ?? ''), returnData: true }];
  }
  return {
    source: 'aws.cloudwatch',
    detailType: 'CloudWatch Alarm State Change',
    resources: [alarm.arn],
    time: new Date(change.time),
    detail: {
      alarmName: alarm.name,
      state: state(alarm.state, alarm.stateReason, alarm.stateReasonData, change.time),
      previousState: state(change.oldState, change.oldReason, change.oldReasonData, change.oldTimestamp),
      configuration,
    },
  };
}

/** The event a Lambda function alarm action is invoked with: the state change, as AWS sends it. */
export function lambdaActionEvent(alarm: AlarmRecord, scope: Scope, change: StateChange): string {
  const e = stateChangeEvent(alarm, change);
  return JSON.stringify({ source: e.source, alarmArn: alarm.arn, accountId: scope.accountId, time: awsTime(change.time), region: scope.region, alarmData: e.detail });
}

function metricStatOf(metric: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] }, period: number, stat: string) {
  return {
    metric: { namespace: metric.Namespace, name: metric.MetricName, dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value])) },
    period,
    stat,
  };
}
