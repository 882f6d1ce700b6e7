import type { Activity, LaunchTemplateSpecification, LifecycleHook, ScalingPolicy, Tag } from '../../aws/models/generated/autoscaling.js';
import type { Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';

export interface GroupRecord {
  name: string;
  arn: string;
  createdTime: string;
  launchConfigurationName?: string;
  launchTemplate?: LaunchTemplateSpecification;
  /** Settings copied from the instance a group was created from (CreateAutoScalingGroup InstanceId). */
  fromInstance?: { imageId?: string; instanceType?: string };
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  defaultCooldown: number;
  availabilityZones: string[];
  vpcZoneIdentifier?: string;
  targetGroupARNs: string[];
  healthCheckType: string;
  healthCheckGracePeriod: number;
  tags: Tag[];
  terminationPolicies: string[];
  newInstancesProtectedFromScaleIn: boolean;
  suspended: { name: string; reason: string }[];
  /** Set by DeleteAutoScalingGroup with ForceDelete while the instances terminate. */
  deleting?: boolean;
  /** Why the desired capacity last changed, for the causes of the activities that follow. */
  lastCause: string;
  /** When the last scaling activity from a policy or desired-capacity change happened (cooldowns). */
  lastScaledAt?: number;
}

export type Phase = 'launching' | 'in-service' | 'terminating' | 'terminated' | 'detached';

export interface MemberRecord {
  instanceId: string;
  group: string;
  availabilityZone: string;
  lifecycleState: string;
  health: 'Healthy' | 'Unhealthy';
  /** Why the instance was taken out of service (an activity's cause). */
  outCause?: string;
  launchedAt: number;
  inServiceAt?: number;
  instanceType?: string;
  imageId?: string;
  launchTemplate?: LaunchTemplateSpecification;
  launchConfigurationName?: string;
  protectedFromScaleIn: boolean;
  /** The open launch or terminate activity of this instance. */
  activityId?: string;
  /** Deregistered and waiting for its target groups to finish draining it before termination goes on. */
  draining?: boolean;
  /** EC2 TerminateInstances was called: waiting for the instance to reach `terminated`. */
  ec2Terminating?: boolean;
  terminatedAt?: number;
  /** An instance attached with AttachInstances was already running. */
  attached?: boolean;
  /** The lifecycle hook holding the instance in a :Wait state. */
  wait?: HookWait;
}

export interface HookWait {
  token: string;
  transition: 'autoscaling:EC2_INSTANCE_LAUNCHING' | 'autoscaling:EC2_INSTANCE_TERMINATING';
  /** Hooks not yet completed, each with the AWS time (ms) its heartbeat timeout ends at. */
  pending: { hook: string; deadline: number; defaultResult: string }[];
  /** The global timeout: 100 heartbeat timeouts or 48 hours, whichever is smaller. */
  globalDeadline: number;
  /** ABANDON from any hook ends the wait for the transition. */
  abandoned?: boolean;
}

export interface LaunchConfigRecord {
  name: string;
  arn: string;
  createdTime: string;
  imageId: string;
  instanceType: string;
  keyName?: string;
  securityGroups: string[];
  userData?: string;
  iamInstanceProfile?: string;
  associatePublicIpAddress?: boolean;
}

export interface ActivityRecord extends Activity {
  /** Sort key: start time then a sequence. */
  seq: number;
}

export type HookRecord = LifecycleHook & { LifecycleHookName: string; AutoScalingGroupName: string };

export type PolicyRecord = ScalingPolicy & {
  PolicyName: string; AutoScalingGroupName: string; PolicyARN: string;
  /** When an alarm last changed capacity through this step policy (its instances warm up after). */
  alarmScaledAt?: number;
};

/** Auto Scaling's documents: groups, their instances, launch configurations, activities, hooks and policies. */
export class AutoscalingStore {
  readonly groups: Collection<GroupRecord>;
  readonly members: Collection<MemberRecord>;
  readonly configs: Collection<LaunchConfigRecord>;
  readonly activities: Collection<ActivityRecord>;
  readonly hooks: Collection<HookRecord>;
  readonly policies: Collection<PolicyRecord>;
  private seq = 0;

  constructor(readonly db: Database) {
    this.groups = new Collection(db, 'autoscaling.groups');
    this.members = new Collection(db, 'autoscaling.members');
    this.configs = new Collection(db, 'autoscaling.launch-configurations');
    this.activities = new Collection(db, 'autoscaling.activities');
    this.hooks = new Collection(db, 'autoscaling.hooks');
    this.policies = new Collection(db, 'autoscaling.policies');
  }

  membersOf(scope: Scope, group: string): MemberRecord[] {
    return this.members.list(scope).filter((m) => m.group === group);
  }

  hooksOf(scope: Scope, group: string): HookRecord[] {
    return this.hooks.list(scope, `${group}\u0000`);
  }

  policiesOf(scope: Scope, group: string): PolicyRecord[] {
    return this.policies.list(scope, `${group}\u0000`);
  }

  putActivity(scope: Scope, a: Activity): void {
    const seq = new Date(a.StartTime).getTime() * 1000 + (this.seq++ % 1000);
    this.activities.put(scope, `${a.AutoScalingGroupName}\u0000${a.ActivityId}`, { ...a, seq });
  }

  activity(scope: Scope, group: string, id: string): ActivityRecord | undefined {
    return this.activities.get(scope, `${group}\u0000${id}`);
  }
}

export function groupArn(scope: Scope, id: string, name: string): string {
  return `arn:aws:autoscaling:${scope.region}:${scope.accountId}:autoScalingGroup:${id}:autoScalingGroupName/${name}`;
}

export function activeMembers(members: MemberRecord[]): MemberRecord[] {
  return members.filter((m) => m.lifecycleState.startsWith('Pending') || m.lifecycleState === 'InService');
}
