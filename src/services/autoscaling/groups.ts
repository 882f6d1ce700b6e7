import type { RequestContext } from '../../aws/gateway/context.js';
import type { AutoScalingGroup, AutoscalingOperations, CreateAutoScalingGroupType, Instance, LaunchTemplateSpecification } from '../../aws/models/generated/autoscaling.js';
import type { Ec2Operations } from '../../aws/models/generated/ec2.js';
import { ServiceError, errorMessage, isServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import { paginate } from '../common/paging.js';
import { causeTime } from './activities.js';
import type { AsgContext } from './context.js';
import { removeGroup } from './reconciler.js';
import { groupArn, type GroupRecord, type MemberRecord } from './store.js';
import { checkDesired, checkHealthCheckType, checkSizes, updatedDesired, validationError } from './validation.js';

export function mustGroup(c: AsgContext, ctx: RequestContext, name: string): GroupRecord {
  const g = c.store.groups.get(ctx, name);
  if (!g) throw validationError(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
  return g;
}

export function groupOperations(c: AsgContext): Partial<AutoscalingOperations<RequestContext>> {
  const now = () => causeTime(c.clock.now());
  return {
    async CreateAutoScalingGroup(input, ctx) {
      if (c.store.groups.has(ctx, input.AutoScalingGroupName)) {
        throw new ServiceError('AlreadyExistsFault', `AutoScalingGroup by this name already exists - A group with the name ${input.AutoScalingGroupName} already exists`);
      }
      const desired = input.DesiredCapacity ?? input.MinSize;
      checkSizes(input.MinSize, input.MaxSize, desired);
      checkHealthCheckType(input.HealthCheckType);
      const source = await launchSource(c, ctx, input);
      const tgs = [...(input.TargetGroupARNs ?? []), ...(input.TrafficSources ?? []).map((t) => t.Identifier)];
      await checkTargetGroups(c, ctx, tgs);
      const g: GroupRecord = {
        ...source, name: input.AutoScalingGroupName, arn: groupArn(ctx, uuid(), input.AutoScalingGroupName), createdTime: new Date(c.clock.now()).toISOString(),
        minSize: input.MinSize, maxSize: input.MaxSize, desiredCapacity: desired, defaultCooldown: input.DefaultCooldown ?? 300,
        availabilityZones: input.AvailabilityZones ?? [], vpcZoneIdentifier: input.VPCZoneIdentifier, targetGroupARNs: [...new Set(tgs)],
        healthCheckType: input.HealthCheckType ?? 'EC2', healthCheckGracePeriod: input.HealthCheckGracePeriod ?? 0,
        tags: (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '', PropagateAtLaunch: t.PropagateAtLaunch ?? false })),
        terminationPolicies: input.TerminationPolicies ?? ['Default'], newInstancesProtectedFromScaleIn: input.NewInstancesProtectedFromScaleIn ?? false,
        suspended: [], lastCause: `At ${now()} a user request created an AutoScalingGroup changing the desired capacity from 0 to ${desired}.`,
      };
      if (!g.availabilityZones.length && !g.vpcZoneIdentifier) g.availabilityZones = [`${ctx.region}a`];
      c.store.groups.put(ctx, g.name, g);
      for (const spec of input.LifecycleHookSpecificationList ?? []) c.hooks.put(ctx, g, { ...spec, AutoScalingGroupName: g.name });
      c.reconciler.poke(ctx, g.name);
      c.reconciler.watch(ctx, g.name);
      return {};
    },

    async UpdateAutoScalingGroup(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const min = input.MinSize ?? g.minSize;
      const max = input.MaxSize ?? g.maxSize;
      if (max < min) checkSizes(min, max, min);
      const desired = updatedDesired(g.desiredCapacity, min, max, input.DesiredCapacity);
      checkSizes(min, max, desired);
      checkHealthCheckType(input.HealthCheckType);
      const source = input.LaunchTemplate || input.LaunchConfigurationName || input.MixedInstancesPolicy ? await launchSource(c, ctx, { ...input, InstanceId: undefined }) : {};
      const next: GroupRecord = {
        ...g, ...source, minSize: min, maxSize: max, desiredCapacity: desired,
        defaultCooldown: input.DefaultCooldown ?? g.defaultCooldown, availabilityZones: input.AvailabilityZones ?? g.availabilityZones,
        vpcZoneIdentifier: input.VPCZoneIdentifier ?? g.vpcZoneIdentifier, healthCheckType: input.HealthCheckType ?? g.healthCheckType,
        healthCheckGracePeriod: input.HealthCheckGracePeriod ?? g.healthCheckGracePeriod, terminationPolicies: input.TerminationPolicies ?? g.terminationPolicies,
        newInstancesProtectedFromScaleIn: input.NewInstancesProtectedFromScaleIn ?? g.newInstancesProtectedFromScaleIn,
      };
      if (desired !== g.desiredCapacity) {
        next.lastCause = `At ${now()} a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${g.desiredCapacity} to ${desired}.`;
      }
      c.store.groups.put(ctx, g.name, next);
      c.reconciler.poke(ctx, g.name);
      return {};
    },

    async DeleteAutoScalingGroup(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const live = c.store.membersOf(ctx, g.name).filter((m) => m.lifecycleState !== 'Terminated');
      if (!live.length) {
        removeGroup(c.store, ctx, g.name);
        return {};
      }
      if (!input.ForceDelete) {
        throw new ServiceError('ResourceInUseFault', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.');
      }
      c.store.groups.put(ctx, g.name, { ...g, deleting: true, desiredCapacity: 0, minSize: 0, lastCause: `At ${now()} a user request deleted the AutoScalingGroup.` });
      c.reconciler.poke(ctx, g.name);
      return {};
    },

    async DescribeAutoScalingGroups(input, ctx) {
      const wanted = input.AutoScalingGroupNames?.length ? new Set(input.AutoScalingGroupNames) : undefined;
      const all = c.store.groups.list(ctx).filter((g) => (!wanted || wanted.has(g.name)) && matchesGroupFilters(g, input.Filters));
      const page = paginate(all, (g) => g.name, input.NextToken, input.MaxRecords ?? 50);
      return { AutoScalingGroups: page.items.map((g) => toGroup(g, c.store.membersOf(ctx, g.name))), NextToken: page.next };
    },

    async SetDesiredCapacity(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      checkDesired(input.DesiredCapacity, g.minSize, g.maxSize);
      if (input.HonorCooldown && g.lastScaledAt !== undefined && c.clock.now() - g.lastScaledAt < g.defaultCooldown * 1000) {
        throw new ServiceError('ScalingActivityInProgressFault', 'Scaling activity in progress - AutoScalingGroup is in cooldown.');
      }
      if (input.DesiredCapacity !== g.desiredCapacity) {
        const cause = `At ${now()} a user request explicitly set group desired capacity changing the desired capacity from ${g.desiredCapacity} to ${input.DesiredCapacity}.`;
        c.store.groups.put(ctx, g.name, { ...g, desiredCapacity: input.DesiredCapacity, lastCause: cause, lastScaledAt: c.clock.now() });
        c.reconciler.poke(ctx, g.name);
      }
      return {};
    },
  };
}

/** Where a group's instances come from: a launch template, a launch configuration, or an existing instance. */
async function launchSource(c: AsgContext, ctx: RequestContext, input: Pick<CreateAutoScalingGroupType, 'LaunchTemplate' | 'LaunchConfigurationName' | 'InstanceId' | 'MixedInstancesPolicy' | 'AutoScalingGroupName'>): Promise<Partial<GroupRecord>> {
  const template = input.LaunchTemplate ?? input.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (template) return { launchTemplate: await resolveTemplate(c, ctx, template), launchConfigurationName: undefined };
  if (input.LaunchConfigurationName) {
    if (!c.store.configs.has(ctx, input.LaunchConfigurationName)) throw validationError(`Launch configuration name not found - Launch configuration ${input.LaunchConfigurationName} not found`);
    return { launchConfigurationName: input.LaunchConfigurationName, launchTemplate: undefined };
  }
  if (input.InstanceId) {
    const inst = await c.fleet.describeInstance(ctx, input.InstanceId).catch((e: unknown) => {
      throw validationError(`Instance ${input.InstanceId} could not be used: ${errorMessage(e)}`);
    });
    return { fromInstance: { imageId: inst?.ImageId, instanceType: inst?.InstanceType } };
  }
  throw validationError('Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.');
}

/** Checks the template and version exist; the group keeps the version as given ($Latest stays $Latest). */
async function resolveTemplate(c: AsgContext, ctx: RequestContext, spec: LaunchTemplateSpecification): Promise<LaunchTemplateSpecification> {
  if (!spec.LaunchTemplateId && !spec.LaunchTemplateName) throw validationError('You must specify either a launch template ID or a launch template name in the request.');
  const ec2 = c.aws.service<Ec2Operations>('ec2', ctx);
  try {
    const ref = spec.LaunchTemplateId ? { LaunchTemplateId: spec.LaunchTemplateId } : { LaunchTemplateName: spec.LaunchTemplateName };
    const out = await ec2.DescribeLaunchTemplateVersions({ ...ref, Versions: [spec.Version ?? '$Default'] });
    const v = out.LaunchTemplateVersions![0];
    return { LaunchTemplateId: v.LaunchTemplateId, LaunchTemplateName: v.LaunchTemplateName, Version: spec.Version ?? '$Default' };
  } catch (e) {
    if (isServiceError(e)) throw validationError(`You must use a valid fully-formed launch template. ${e.message}`);
    throw e;
  }
}

async function checkTargetGroups(c: AsgContext, ctx: RequestContext, arns: string[]): Promise<void> {
  for (const arn of arns) {
    if (!(await c.fleet.targetGroupExists(ctx, arn))) throw validationError('Provided Target Groups may not be valid. Please ensure they exist and try again.');
  }
}

function matchesGroupFilters(g: GroupRecord, filters: { Name?: string; Values?: string[] }[] | undefined): boolean {
  return (filters ?? []).every((f) => {
    const values = f.Values ?? [];
    if (f.Name === 'tag-key') return g.tags.some((t) => values.includes(t.Key));
    if (f.Name === 'tag-value') return g.tags.some((t) => values.includes(t.Value ?? ''));
    if (f.Name?.startsWith('tag:')) return g.tags.some((t) => t.Key === f.Name!.slice(4) && values.includes(t.Value ?? ''));
    throw validationError(`Filter name ${f.Name} is not valid. Valid filter names are tag-key, tag-value and tag:<key>.`);
  });
}

export function toInstance(m: MemberRecord): Instance {
  return {
    InstanceId: m.instanceId, InstanceType: m.instanceType, AvailabilityZone: m.availabilityZone, LifecycleState: m.lifecycleState as Instance['LifecycleState'],
    HealthStatus: m.health, LaunchTemplate: m.launchTemplate, LaunchConfigurationName: m.launchConfigurationName, ProtectedFromScaleIn: m.protectedFromScaleIn,
  };
}

export function toGroup(g: GroupRecord, members: MemberRecord[]): AutoScalingGroup {
  return {
    AutoScalingGroupName: g.name, AutoScalingGroupARN: g.arn, LaunchConfigurationName: g.launchConfigurationName, LaunchTemplate: g.launchTemplate,
    MinSize: g.minSize, MaxSize: g.maxSize, DesiredCapacity: g.desiredCapacity, DefaultCooldown: g.defaultCooldown,
    AvailabilityZones: [...new Set(members.map((m) => m.availabilityZone).concat(g.availabilityZones))].sort(), LoadBalancerNames: [],
    TargetGroupARNs: g.targetGroupARNs, HealthCheckType: g.healthCheckType, HealthCheckGracePeriod: g.healthCheckGracePeriod,
    Instances: members.map(toInstance), CreatedTime: new Date(g.createdTime),
    SuspendedProcesses: g.suspended.map((p) => ({ ProcessName: p.name, SuspensionReason: p.reason })), VPCZoneIdentifier: g.vpcZoneIdentifier,
    EnabledMetrics: [], Status: g.deleting ? 'Delete in progress' : undefined,
    Tags: g.tags.map((t) => ({ ResourceId: g.name, ResourceType: 'auto-scaling-group', Key: t.Key, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch })),
    TerminationPolicies: g.terminationPolicies, NewInstancesProtectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
    ServiceLinkedRoleARN: `arn:aws:iam::${g.arn.split(':')[4]}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    TrafficSources: g.targetGroupARNs.map((Identifier) => ({ Identifier, Type: 'elbv2' })), CapacityRebalance: false,
  };
}
