import type { RequestContext } from '../../aws/gateway/context.js';
import type { Alarm, TargetTrackingConfiguration } from '../../aws/models/generated/autoscaling.js';
import type { CloudwatchOperations } from '../../aws/models/generated/cloudwatch.js';
import { isServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import type { AsgContext } from './context.js';
import type { GroupRecord, PolicyRecord } from './store.js';
import { validationError } from './validation.js';

type Statistic = 'Average' | 'Minimum' | 'Maximum' | 'SampleCount' | 'Sum';

interface MetricRef {
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Statistic: Statistic;
}

const PREDEFINED: Record<string, [string, string, Statistic]> = {
  ASGAverageCPUUtilization: ['AWS/EC2', 'CPUUtilization', 'Average'],
  ASGAverageNetworkIn: ['AWS/EC2', 'NetworkIn', 'Average'],
  ASGAverageNetworkOut: ['AWS/EC2', 'NetworkOut', 'Average'],
  ALBRequestCountPerTarget: ['AWS/ApplicationELB', 'RequestCountPerTarget', 'Sum'],
};

/** The metric a target tracking policy follows. */
export function trackedMetric(g: GroupRecord, cfg: TargetTrackingConfiguration): MetricRef {
  const pre = cfg.PredefinedMetricSpecification;
  if (pre) {
    const [Namespace, MetricName, Statistic] = PREDEFINED[pre.PredefinedMetricType];
    if (pre.PredefinedMetricType !== 'ALBRequestCountPerTarget') return { Namespace, MetricName, Statistic, Dimensions: [{ Name: 'AutoScalingGroupName', Value: g.name }] };
    const tg = /targetgroup\/.+$/.exec(pre.ResourceLabel ?? '')?.[0];
    if (!tg) throw validationError('ResourceLabel is required for ALBRequestCountPerTarget: app/<load-balancer-name>/<id>/targetgroup/<target-group-name>/<id>.');
    return { Namespace, MetricName, Statistic, Dimensions: [{ Name: 'TargetGroup', Value: tg }] };
  }
  const custom = cfg.CustomizedMetricSpecification;
  if (!custom?.MetricName || !custom.Namespace || !custom.Statistic) {
    throw validationError('A customized metric specification needs MetricName, Namespace and Statistic; metric math is not supported.');
  }
  return { Namespace: custom.Namespace, MetricName: custom.MetricName, Statistic: custom.Statistic, Dimensions: (custom.Dimensions ?? []).map((d) => ({ Name: d.Name, Value: d.Value })) };
}

function cw(c: AsgContext, ctx: RequestContext) {
  return c.aws.service<CloudwatchOperations>('cloudwatch', ctx);
}

/**
 * Creates the two alarms AWS manages for a target tracking policy: AlarmHigh (above the
 * target for 3 minutes) scales out, AlarmLow (below 90% of it for 15 minutes) scales in.
 */
export async function putTrackingAlarms(c: AsgContext, ctx: RequestContext, g: GroupRecord, p: PolicyRecord, old: PolicyRecord | undefined): Promise<Alarm[]> {
  const cfg = p.TargetTrackingConfiguration!;
  const metric = trackedMetric(g, cfg);
  if (old?.PolicyType === 'TargetTrackingScaling') await deleteTrackingAlarms(c, ctx, old);
  const id = uuid();
  const specs = [
    { name: `TargetTracking-${g.name}-AlarmHigh-${id}`, op: 'GreaterThanThreshold' as const, threshold: cfg.TargetValue, periods: 3 },
    ...(cfg.DisableScaleIn ? [] : [{ name: `TargetTracking-${g.name}-AlarmLow-${id}`, op: 'LessThanThreshold' as const, threshold: cfg.TargetValue * 0.9, periods: 15 }]),
  ];
  const alarms: Alarm[] = [];
  for (const s of specs) {
    await cw(c, ctx).PutMetricAlarm({
      AlarmName: s.name, AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${p.PolicyARN}.`, ActionsEnabled: true, AlarmActions: [p.PolicyARN],
      MetricName: metric.MetricName, Namespace: metric.Namespace, Statistic: metric.Statistic, Dimensions: metric.Dimensions, Period: 60,
      EvaluationPeriods: s.periods, DatapointsToAlarm: s.periods, Threshold: s.threshold, ComparisonOperator: s.op,
    });
    alarms.push({ AlarmName: s.name, AlarmARN: `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${s.name}` });
  }
  return alarms;
}

export async function deleteTrackingAlarms(c: AsgContext, ctx: RequestContext, p: PolicyRecord): Promise<void> {
  const names = (p.Alarms ?? []).map((a) => a.AlarmName!).filter(Boolean);
  if (names.length) await cw(c, ctx).DeleteAlarms({ AlarmNames: names }).catch((e: unknown) => c.log.warn('target tracking alarms were not deleted', { error: String(e) }));
}

/** The alarms whose actions execute the policy (DescribePolicies lists them). */
export async function alarmsFor(c: AsgContext, ctx: RequestContext, arn: string): Promise<Alarm[]> {
  try {
    const out = await cw(c, ctx).DescribeAlarms({ AlarmTypes: ['MetricAlarm'] });
    return (out.MetricAlarms ?? []).filter((a) => a.AlarmActions?.includes(arn)).map((a) => ({ AlarmName: a.AlarmName, AlarmARN: a.AlarmArn }));
  } catch (e) {
    if (isServiceError(e)) return [];
    throw e;
  }
}

/** The tracked metric's latest one-minute value in the last five minutes. */
export async function latestMetric(c: AsgContext, ctx: RequestContext, g: GroupRecord, cfg: TargetTrackingConfiguration): Promise<number | undefined> {
  const metric = trackedMetric(g, cfg);
  const end = c.clock.now();
  const out = await cw(c, ctx).GetMetricStatistics({
    Namespace: metric.Namespace, MetricName: metric.MetricName, Dimensions: metric.Dimensions, StartTime: new Date(end - 300_000), EndTime: new Date(end), Period: 60, Statistics: [metric.Statistic],
  });
  const latest = [...(out.Datapoints ?? [])].sort((a, b) => new Date(b.Timestamp!).getTime() - new Date(a.Timestamp!).getTime())[0];
  return latest?.[metric.Statistic];
}
