import type { RequestContext } from '../../aws/gateway/context.js';
import type { AutoscalingOperations, TrafficSourceIdentifier } from '../../aws/models/generated/autoscaling.js';
import { paginate } from '../common/paging.js';
import type { AsgContext } from './context.js';
import { mustGroup } from './groups.js';
import { validationError } from './validation.js';

/**
 * The group's target groups (also listed as `elbv2` traffic sources): instances in service
 * are registered when one is attached and deregistered when it is detached.
 */
export function targetGroupOperations(c: AsgContext): Partial<AutoscalingOperations<RequestContext>> {
  const attach = async (ctx: RequestContext, name: string, arns: string[]) => {
    const g = mustGroup(c, ctx, name);
    for (const arn of arns) {
      if (!(await c.fleet.targetGroupExists(ctx, arn))) throw validationError('Provided Target Groups may not be valid. Please ensure they exist and try again.');
    }
    const added = arns.filter((a) => !g.targetGroupARNs.includes(a));
    const inService = c.store.membersOf(ctx, name).filter((m) => m.lifecycleState === 'InService').map((m) => m.instanceId);
    await c.fleet.register(ctx, added, inService);
    c.store.groups.put(ctx, name, { ...mustGroup(c, ctx, name), targetGroupARNs: [...g.targetGroupARNs, ...added] });
  };
  const detach = async (ctx: RequestContext, name: string, arns: string[]) => {
    const g = mustGroup(c, ctx, name);
    const removed = g.targetGroupARNs.filter((a) => arns.includes(a));
    const members = c.store.membersOf(ctx, name).map((m) => m.instanceId);
    await c.fleet.deregister(ctx, removed, members);
    c.store.groups.put(ctx, name, { ...mustGroup(c, ctx, name), targetGroupARNs: g.targetGroupARNs.filter((a) => !arns.includes(a)) });
  };
  const elbv2Only = (sources: TrafficSourceIdentifier[]) => sources.map((s) => {
    if (s.Type && s.Type !== 'elbv2') throw validationError(`Traffic source type ${s.Type} is not supported; only elbv2 target groups are.`);
    return s.Identifier;
  });
  return {
    async AttachLoadBalancerTargetGroups(input, ctx) {
      await attach(ctx, input.AutoScalingGroupName, input.TargetGroupARNs);
      return {};
    },
    async DetachLoadBalancerTargetGroups(input, ctx) {
      await detach(ctx, input.AutoScalingGroupName, input.TargetGroupARNs);
      return {};
    },
    async DescribeLoadBalancerTargetGroups(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const page = paginate(g.targetGroupARNs, (a) => a, input.NextToken, input.MaxRecords ?? 100);
      return { LoadBalancerTargetGroups: page.items.map((a) => ({ LoadBalancerTargetGroupARN: a, State: 'InService' })), NextToken: page.next };
    },
    async AttachTrafficSources(input, ctx) {
      await attach(ctx, input.AutoScalingGroupName, elbv2Only(input.TrafficSources));
      return {};
    },
    async DetachTrafficSources(input, ctx) {
      await detach(ctx, input.AutoScalingGroupName, elbv2Only(input.TrafficSources));
      return {};
    },
    async DescribeTrafficSources(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      if (input.TrafficSourceType && input.TrafficSourceType !== 'elbv2') return { TrafficSources: [] };
      const page = paginate(g.targetGroupARNs, (a) => a, input.NextToken, input.MaxRecords ?? 50);
      return { TrafficSources: page.items.map((a) => ({ TrafficSource: a, Identifier: a, Type: 'elbv2', State: 'InService' })), NextToken: page.next };
    },
  };
}
