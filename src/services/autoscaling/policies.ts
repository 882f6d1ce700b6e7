import type { RequestContext } from '../../aws/gateway/context.js';
import type { AutoscalingOperations, PutScalingPolicyType, ScalingPolicy } from '../../aws/models/generated/autoscaling.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import { paginate } from '../common/paging.js';
import { causeTime } from './activities.js';
import type { AsgContext } from './context.js';
import { mustGroup } from './groups.js';
import { adjustedCapacity, matchStep, stepsError, trackedCapacity, type AdjustmentType } from './policy-math.js';
import type { GroupRecord, PolicyRecord } from './store.js';
import { alarmsFor, deleteTrackingAlarms, latestMetric, putTrackingAlarms } from './target-tracking.js';
import { suspended } from './reconciler.js';
import { validationError } from './validation.js';

const TYPES = ['SimpleScaling', 'StepScaling', 'TargetTrackingScaling'];
const ADJUSTMENTS = ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'];

/** Scaling policies: simple, step and target tracking; CloudWatch alarm actions execute them. */
export function policyOperations(c: AsgContext): Partial<AutoscalingOperations<RequestContext>> {
  const key = (group: string, name: string) => `${group}\u0000${name}`;
  const find = (ctx: RequestContext, nameOrArn: string, group?: string): PolicyRecord => {
    const p = nameOrArn.startsWith('arn:')
      ? c.store.policies.list(ctx).find((x) => x.PolicyARN === nameOrArn)
      : group ? c.store.policies.get(ctx, key(group, nameOrArn)) : undefined;
    if (!p) throw validationError(`No policy found for service namespace autoscaling, resource ID ${group ?? ''}, policy name ${nameOrArn}`);
    return p;
  };
  return {
    async PutScalingPolicy(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const old = c.store.policies.get(ctx, key(g.name, input.PolicyName));
      const p = checkPolicy(input, old?.PolicyARN ?? `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:scalingPolicy:${uuid()}:autoScalingGroupName/${g.name}:policyName/${input.PolicyName}`);
      let alarms: PolicyRecord['Alarms'] = [];
      if (p.PolicyType === 'TargetTrackingScaling') alarms = await putTrackingAlarms(c, ctx, g, p, old);
      c.store.policies.put(ctx, key(g.name, p.PolicyName), { ...p, Alarms: alarms });
      return { PolicyARN: p.PolicyARN, Alarms: alarms };
    },

    async DescribePolicies(input, ctx) {
      const names = input.PolicyNames?.length ? new Set(input.PolicyNames) : undefined;
      const all = (input.AutoScalingGroupName ? c.store.policiesOf(ctx, input.AutoScalingGroupName) : c.store.policies.list(ctx))
        .filter((p) => (!names || names.has(p.PolicyName) || names.has(p.PolicyARN)) && (!input.PolicyTypes?.length || input.PolicyTypes.includes(p.PolicyType ?? '')));
      const page = paginate(all, (p) => key(p.AutoScalingGroupName, p.PolicyName), input.NextToken, input.MaxRecords ?? 50);
      const out: ScalingPolicy[] = [];
      for (const p of page.items) out.push({ ...p, Alarms: p.PolicyType === 'TargetTrackingScaling' ? p.Alarms : await alarmsFor(c, ctx, p.PolicyARN) });
      return { ScalingPolicies: out, NextToken: page.next };
    },

    async DeletePolicy(input, ctx) {
      const p = find(ctx, input.PolicyName, input.AutoScalingGroupName);
      if (p.PolicyType === 'TargetTrackingScaling') await deleteTrackingAlarms(c, ctx, p);
      c.store.policies.delete(ctx, key(p.AutoScalingGroupName, p.PolicyName));
      return {};
    },

    async ExecutePolicy(input, ctx) {
      const p = find(ctx, input.PolicyName, input.AutoScalingGroupName);
      const g = mustGroup(c, ctx, p.AutoScalingGroupName);
      if (p.Enabled === false) throw validationError(`Policy ${p.PolicyName} is disabled.`);
      // CloudWatch alarm actions arrive through the in-process client.
      const fromAlarm = ctx.protocol === 'internal';
      if (fromAlarm && suspended(g, 'AlarmNotification')) return {};
      if (p.PolicyType !== 'StepScaling' && input.HonorCooldown && inCooldown(c, g, p)) {
        throw new ServiceError('ScalingActivityInProgressFault', `Scaling activity in progress - the group ${g.name} is in its cooldown period.`);
      }
      if (fromAlarm && warming(c, g, p)) return {};
      const desired = await newCapacity(c, ctx, g, p, input.MetricValue, input.BreachThreshold);
      if (desired === g.desiredCapacity) return {};
      if (fromAlarm && p.PolicyType === 'StepScaling') c.store.policies.put(ctx, key(g.name, p.PolicyName), { ...p, alarmScaledAt: c.clock.now() });
      const who = fromAlarm ? 'a monitor alarm in state ALARM triggered' : 'a user request executed';
      const cause = `At ${causeTime(c.clock.now())} ${who} policy ${p.PolicyName} changing the desired capacity from ${g.desiredCapacity} to ${desired}.`;
      c.store.groups.put(ctx, g.name, { ...mustGroup(c, ctx, g.name), desiredCapacity: desired, lastCause: cause, lastScaledAt: c.clock.now() });
      c.reconciler.poke(ctx, g.name);
      return {};
    },
  };
}

function inCooldown(c: AsgContext, g: GroupRecord, p: PolicyRecord): boolean {
  const cooldown = (p.Cooldown ?? g.defaultCooldown) * 1000;
  return g.lastScaledAt !== undefined && c.clock.now() - g.lastScaledAt < cooldown;
}

/**
 * An alarm repeats a step policy every period while it stays in ALARM; the capacity it just
 * added is still warming up, and AWS does not add it again until the warm-up has passed.
 */
function warming(c: AsgContext, g: GroupRecord, p: PolicyRecord): boolean {
  if (p.PolicyType !== 'StepScaling' || p.alarmScaledAt === undefined) return false;
  const warmup = (p.EstimatedInstanceWarmup ?? g.defaultCooldown) * 1000;
  return c.clock.now() - p.alarmScaledAt < warmup;
}

async function newCapacity(c: AsgContext, ctx: RequestContext, g: GroupRecord, p: PolicyRecord, metric: number | undefined, threshold: number | undefined): Promise<number> {
  const bounds = { min: g.minSize, max: g.maxSize };
  const type = (p.AdjustmentType ?? 'ChangeInCapacity') as AdjustmentType;
  if (p.PolicyType === 'StepScaling') {
    if ((metric === undefined) !== (threshold === undefined)) throw validationError('MetricValue and BreachThreshold must be given together.');
    // Without the breach (an alarm action), the step that starts at the threshold applies.
    const step = metric !== undefined ? matchStep(p.StepAdjustments ?? [], metric - threshold!) : matchStep(p.StepAdjustments ?? [], 0);
    if (!step) throw validationError(`The breach ${metric !== undefined ? metric - threshold! : 0} does not fall in any step adjustment of policy ${p.PolicyName}.`);
    return adjustedCapacity(g.desiredCapacity, type, step.ScalingAdjustment, bounds, p.MinAdjustmentMagnitude);
  }
  if (p.PolicyType === 'TargetTrackingScaling') {
    const cfg = p.TargetTrackingConfiguration!;
    const value = await latestMetric(c, ctx, g, cfg);
    if (value === undefined) return g.desiredCapacity;
    return Math.max(bounds.min, Math.min(bounds.max, trackedCapacity(g.desiredCapacity, value, cfg.TargetValue, cfg.DisableScaleIn ?? false)));
  }
  return adjustedCapacity(g.desiredCapacity, type, p.ScalingAdjustment ?? 0, bounds, p.MinAdjustmentMagnitude);
}

function checkPolicy(input: PutScalingPolicyType, arn: string): PolicyRecord {
  const type = input.PolicyType ?? 'SimpleScaling';
  if (!TYPES.includes(type)) throw validationError(`Invalid policy type ${type}. Valid values are ${TYPES.join(', ')}.`);
  if (input.AdjustmentType && !ADJUSTMENTS.includes(input.AdjustmentType)) throw validationError(`Invalid adjustment type ${input.AdjustmentType}. Valid values are ${ADJUSTMENTS.join(', ')}.`);
  if (input.MinAdjustmentMagnitude !== undefined && input.AdjustmentType !== 'PercentChangeInCapacity') throw validationError('MinAdjustmentMagnitude is only valid with the PercentChangeInCapacity adjustment type.');
  if (type === 'SimpleScaling' && input.ScalingAdjustment === undefined) throw validationError('ScalingAdjustment is required for a SimpleScaling policy.');
  if (type === 'StepScaling') {
    if (!input.StepAdjustments?.length) throw validationError('StepAdjustments are required for a StepScaling policy.');
    const err = stepsError(input.StepAdjustments);
    if (err) throw validationError(err);
  }
  if (type === 'TargetTrackingScaling' && !input.TargetTrackingConfiguration) throw validationError('TargetTrackingConfiguration is required for a TargetTrackingScaling policy.');
  if (type !== 'SimpleScaling' && input.Cooldown !== undefined) throw validationError('Cooldown is only supported for SimpleScaling policies.');
  return {
    AutoScalingGroupName: input.AutoScalingGroupName, PolicyName: input.PolicyName, PolicyARN: arn, PolicyType: type,
    AdjustmentType: type === 'TargetTrackingScaling' ? undefined : input.AdjustmentType ?? 'ChangeInCapacity', MinAdjustmentMagnitude: input.MinAdjustmentMagnitude,
    ScalingAdjustment: input.ScalingAdjustment, Cooldown: input.Cooldown, StepAdjustments: input.StepAdjustments,
    MetricAggregationType: type === 'StepScaling' ? input.MetricAggregationType ?? 'Average' : undefined, EstimatedInstanceWarmup: input.EstimatedInstanceWarmup,
    TargetTrackingConfiguration: input.TargetTrackingConfiguration, Enabled: input.Enabled ?? true,
  };
}
