import type { RequestContext } from '../../aws/gateway/context.js';
import type { Activity, AutoScalingInstanceDetails, AutoscalingOperations } from '../../aws/models/generated/autoscaling.js';
import { paginate } from '../common/paging.js';
import { causeTime, toActivity } from './activities.js';
import type { AsgContext } from './context.js';
import { mustGroup } from './groups.js';
import type { GroupRecord, MemberRecord } from './store.js';
import { validationError } from './validation.js';

/** The group's instances: listing them, taking them out, attaching and detaching, their health. */
export function memberOperations(c: AsgContext): Partial<AutoscalingOperations<RequestContext>> {
  const mustMember = (ctx: RequestContext, id: string, group?: string): MemberRecord => {
    const m = c.store.members.get(ctx, id);
    if (!m || m.lifecycleState === 'Terminated' || (group && m.group !== group)) throw validationError(`Instance Id not found - No managed instance found for instance ID: ${id}`);
    return m;
  };
  const now = () => causeTime(c.clock.now());
  return {
    async DescribeAutoScalingInstances(input, ctx) {
      const wanted = input.InstanceIds?.length ? new Set(input.InstanceIds) : undefined;
      const all = c.store.members.list(ctx).filter((m) => !wanted || wanted.has(m.instanceId));
      const page = paginate(all, (m) => m.instanceId, input.NextToken, input.MaxRecords ?? 50);
      return { AutoScalingInstances: page.items.map(toDetails), NextToken: page.next };
    },

    async TerminateInstanceInAutoScalingGroup(input, ctx) {
      const m = mustMember(ctx, input.InstanceId);
      const g = mustGroup(c, ctx, m.group);
      let cause = `At ${now()} instance ${m.instanceId} was taken out of service in response to a user request.`;
      if (input.ShouldDecrementDesiredCapacity) {
        if (g.desiredCapacity - 1 < g.minSize) {
          throw validationError(`Currently, desiredCapacity=${g.desiredCapacity} and minSize=${g.minSize}. Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`);
        }
        cause = `At ${now()} instance ${m.instanceId} was taken out of service in response to a user request, shrinking the capacity from ${g.desiredCapacity} to ${g.desiredCapacity - 1}.`;
        c.store.groups.put(ctx, g.name, { ...g, desiredCapacity: g.desiredCapacity - 1 });
      }
      await c.transitions.beginTerminate(ctx, g, m, cause);
      c.reconciler.poke(ctx, g.name);
      const after = c.store.members.get(ctx, m.instanceId);
      const a = after?.activityId ? c.store.activity(ctx, g.name, after.activityId) : undefined;
      return { Activity: a ? toActivity(a) : undefined };
    },

    async AttachInstances(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const ids = input.InstanceIds ?? [];
      if (g.desiredCapacity + ids.length > g.maxSize) {
        throw validationError(`Attaching ${ids.length} instance(s) to ${g.name} would exceed the group's max size of ${g.maxSize}; its desired capacity is ${g.desiredCapacity}.`);
      }
      for (const id of ids) await attach(c, ctx, g, id, ids.length);
      c.store.groups.put(ctx, g.name, { ...mustGroup(c, ctx, g.name), desiredCapacity: g.desiredCapacity + ids.length });
      c.reconciler.poke(ctx, g.name);
      return {};
    },

    async DetachInstances(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const members = (input.InstanceIds ?? []).map((id) => mustMember(ctx, id, g.name));
      const desired = input.ShouldDecrementDesiredCapacity ? g.desiredCapacity - members.length : g.desiredCapacity;
      if (desired < g.minSize) throw validationError(`The desired capacity of ${g.name} after detaching would be ${desired}, below its min size of ${g.minSize}.`);
      const activities: Activity[] = [];
      for (const m of members) {
        const a = c.activities.start(ctx, g, `Detaching EC2 instance: ${m.instanceId}`, `At ${now()} instance ${m.instanceId} was detached in response to a user request${input.ShouldDecrementDesiredCapacity ? `, shrinking the capacity from ${g.desiredCapacity} to ${desired}` : ''}.`);
        await c.fleet.deregister(ctx, g.targetGroupARNs, [m.instanceId]);
        await c.fleet.untag(ctx, m.instanceId, ['aws:autoscaling:groupName']);
        c.store.members.delete(ctx, m.instanceId);
        activities.push(c.activities.finish(ctx, g.name, a.ActivityId, 'Successful')!);
      }
      c.store.groups.put(ctx, g.name, { ...mustGroup(c, ctx, g.name), desiredCapacity: desired });
      c.reconciler.poke(ctx, g.name);
      return { Activities: activities };
    },

    async SetInstanceHealth(input, ctx) {
      const m = mustMember(ctx, input.InstanceId);
      const g = mustGroup(c, ctx, m.group);
      if (!['Healthy', 'Unhealthy'].includes(input.HealthStatus)) throw validationError(`Invalid health status ${input.HealthStatus}: valid values are Healthy and Unhealthy.`);
      const inGrace = c.clock.now() - (m.inServiceAt ?? m.launchedAt) < g.healthCheckGracePeriod * 1000;
      if (input.HealthStatus === 'Unhealthy' && input.ShouldRespectGracePeriod !== false && inGrace) return {};
      const outCause = input.HealthStatus === 'Unhealthy' ? `At ${now()} an instance was taken out of service in response to a user health-check.` : undefined;
      c.store.members.put(ctx, m.instanceId, { ...m, health: input.HealthStatus as MemberRecord['health'], outCause });
      c.reconciler.poke(ctx, g.name);
      return {};
    },

    async SetInstanceProtection(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      for (const id of input.InstanceIds) {
        const m = mustMember(ctx, id, g.name);
        c.store.members.put(ctx, id, { ...m, protectedFromScaleIn: input.ProtectedFromScaleIn });
      }
      return {};
    },

    async DescribeScalingActivities(input, ctx) {
      const wanted = input.ActivityIds?.length ? new Set(input.ActivityIds) : undefined;
      const all = c.activities.list(ctx, input.AutoScalingGroupName).filter((a) => !wanted || wanted.has(a.ActivityId));
      const page = paginate(all.map((a, i) => ({ a, key: String(i).padStart(9, '0') })), (x) => x.key, input.NextToken, input.MaxRecords ?? 100);
      return { Activities: page.items.map((x) => x.a), NextToken: page.next };
    },
  };
}

async function attach(c: AsgContext, ctx: RequestContext, g: GroupRecord, id: string, count: number): Promise<void> {
  const inst = await c.fleet.describeInstance(ctx, id);
  if (inst?.State?.Name !== 'running') throw validationError(`Instance ${id} is not in a running state.`);
  const existing = c.store.members.get(ctx, id);
  if (existing && existing.lifecycleState !== 'Terminated') throw validationError(`The instance ${id} is already part of the Auto Scaling group ${existing.group}.`);
  const cause = `At ${causeTime(c.clock.now())} an instance was added in response to user request. Keeping the capacity at the new desired capacity ${g.desiredCapacity + count}.`;
  const a = c.activities.start(ctx, g, `Attaching an existing EC2 instance: ${id}`, cause, { 'Availability Zone': inst.Placement?.AvailabilityZone ?? '' });
  await c.fleet.tag(ctx, id, [{ Key: 'aws:autoscaling:groupName', Value: g.name }, ...g.tags.filter((t) => t.PropagateAtLaunch).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }))]);
  c.store.members.put(ctx, id, {
    instanceId: id, group: g.name, availabilityZone: inst.Placement?.AvailabilityZone ?? `${ctx.region}a`, lifecycleState: 'Pending', health: 'Healthy',
    launchedAt: c.clock.now(), instanceType: inst.InstanceType, imageId: inst.ImageId, protectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
    activityId: a.ActivityId, attached: true,
  });
}

export function toDetails(m: MemberRecord): AutoScalingInstanceDetails {
  return {
    InstanceId: m.instanceId, InstanceType: m.instanceType, AutoScalingGroupName: m.group, AvailabilityZone: m.availabilityZone, LifecycleState: m.lifecycleState,
    HealthStatus: m.health.toUpperCase(), LaunchTemplate: m.launchTemplate, LaunchConfigurationName: m.launchConfigurationName, ProtectedFromScaleIn: m.protectedFromScaleIn,
  };
}
