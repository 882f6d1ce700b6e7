import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { Ec2Operations, RunInstancesRequest, Tag as Ec2Tag } from '../../aws/models/generated/ec2.js';
import type { Elbv2Operations } from '../../aws/models/generated/elbv2.js';
import { isServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { GroupRecord, LaunchConfigRecord } from './store.js';

export interface Launched {
  instanceId: string;
  instanceType?: string;
  imageId?: string;
}

/** EC2 state and instance status of group members, as the health checks read them. */
export interface Ec2View {
  state: string | undefined;
  impaired: boolean;
}

/**
 * Auto Scaling's hands: it launches and terminates instances with EC2's own API and
 * registers them with load balancers through ELB's, as the service does on AWS.
 */
export class Fleet {
  constructor(
    private readonly aws: AwsClient,
    private readonly log: Logger,
  ) {}

  private ec2(scope: Scope) {
    return this.aws.service<Ec2Operations>('ec2', scope);
  }

  private elb(scope: Scope) {
    return this.aws.service<Elbv2Operations>('elbv2', scope);
  }

  async launch(scope: Scope, g: GroupRecord, config: LaunchConfigRecord | undefined, az: string, subnetId: string | undefined): Promise<Launched> {
    const tags: Ec2Tag[] = [
      ...g.tags.filter((t) => t.PropagateAtLaunch).map((t) => ({ Key: t.Key, Value: t.Value ?? '' })),
      { Key: 'aws:autoscaling:groupName', Value: g.name },
    ];
    const input: RunInstancesRequest = { MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: az }, SubnetId: subnetId, TagSpecifications: [{ ResourceType: 'instance', Tags: tags }] };
    if (g.launchTemplate) input.LaunchTemplate = { LaunchTemplateId: g.launchTemplate.LaunchTemplateId, Version: g.launchTemplate.Version };
    else if (config) {
      Object.assign(input, { ImageId: config.imageId, InstanceType: config.instanceType, KeyName: config.keyName, UserData: config.userData });
      if (config.iamInstanceProfile) input.IamInstanceProfile = config.iamInstanceProfile.startsWith('arn:') ? { Arn: config.iamInstanceProfile } : { Name: config.iamInstanceProfile };
    } else Object.assign(input, { ImageId: g.fromInstance?.imageId, InstanceType: g.fromInstance?.instanceType });
    const out = await this.ec2(scope).RunInstances(input);
    const i = out.Instances![0];
    return { instanceId: i.InstanceId!, instanceType: i.InstanceType, imageId: i.ImageId };
  }

  /** Terminates the instance; answers its state afterwards (`terminated` when it already was). */
  async terminate(scope: Scope, instanceId: string): Promise<string | undefined> {
    try {
      const out = await this.ec2(scope).TerminateInstances({ InstanceIds: [instanceId] });
      return out.TerminatingInstances?.[0]?.CurrentState?.Name;
    } catch (e) {
      // Already gone: the goal is reached.
      if (isServiceError(e) && e.code === 'InvalidInstanceID.NotFound') return 'terminated';
      throw e;
    }
  }

  /** The EC2 view of each instance; instances EC2 does not know are absent. */
  async view(scope: Scope, ids: string[]): Promise<Map<string, Ec2View>> {
    const result = new Map<string, Ec2View>();
    if (!ids.length) return result;
    const out = await this.ec2(scope).DescribeInstances({ Filters: [{ Name: 'instance-id', Values: ids }] });
    for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) result.set(i.InstanceId!, { state: i.State?.Name, impaired: false });
    const status = await this.ec2(scope).DescribeInstanceStatus({ InstanceIds: [...result.keys()], IncludeAllInstances: true });
    for (const s of status.InstanceStatuses ?? []) {
      const v = result.get(s.InstanceId!);
      if (v && s.InstanceStatus?.Status === 'impaired') v.impaired = true;
    }
    return result;
  }

  async describeInstance(scope: Scope, instanceId: string) {
    const out = await this.ec2(scope).DescribeInstances({ InstanceIds: [instanceId] });
    return out.Reservations?.[0]?.Instances?.[0];
  }

  async tag(scope: Scope, instanceId: string, tags: Ec2Tag[]): Promise<void> {
    if (tags.length) await this.ec2(scope).CreateTags({ Resources: [instanceId], Tags: tags });
  }

  async untag(scope: Scope, instanceId: string, keys: string[]): Promise<void> {
    await this.ec2(scope).DeleteTags({ Resources: [instanceId], Tags: keys.map((Key) => ({ Key })) }).catch((e: unknown) => this.log.debug('untag failed', { instanceId, error: String(e) }));
  }

  async register(scope: Scope, targetGroups: string[], instanceIds: string[]): Promise<void> {
    for (const arn of targetGroups) {
      if (instanceIds.length) await this.elb(scope).RegisterTargets({ TargetGroupArn: arn, Targets: instanceIds.map((Id) => ({ Id })) });
    }
  }

  /** Deregisters each instance that is registered; the others are skipped. */
  async deregister(scope: Scope, targetGroups: string[], instanceIds: string[]): Promise<void> {
    for (const arn of targetGroups) {
      for (const Id of instanceIds) {
        try {
          await this.elb(scope).DeregisterTargets({ TargetGroupArn: arn, Targets: [{ Id }] });
        } catch (e) {
          if (!(isServiceError(e) && (e.code.startsWith('InvalidTarget') || e.code.startsWith('TargetGroupNotFound')))) throw e;
        }
      }
    }
  }

  /** Whether some target group is still draining the instance (its in-flight requests, up to the deregistration delay). */
  async draining(scope: Scope, targetGroups: string[], instanceId: string): Promise<boolean> {
    for (const arn of targetGroups) {
      try {
        const out = await this.elb(scope).DescribeTargetHealth({ TargetGroupArn: arn });
        if (out.TargetHealthDescriptions?.some((d) => d.Target?.Id === instanceId && d.TargetHealth?.State === 'draining')) return true;
      } catch (e) {
        if (!(isServiceError(e) && e.code.startsWith('TargetGroupNotFound'))) throw e;
      }
    }
    return false;
  }

  /** Instances some target group reports `unhealthy` (initial, draining and unused are not failures). */
  async unhealthyTargets(scope: Scope, targetGroups: string[]): Promise<Set<string>> {
    const bad = new Set<string>();
    for (const arn of targetGroups) {
      try {
        const out = await this.elb(scope).DescribeTargetHealth({ TargetGroupArn: arn });
        for (const d of out.TargetHealthDescriptions ?? []) if (d.TargetHealth?.State === 'unhealthy' && d.Target?.Id) bad.add(d.Target.Id);
      } catch (e) {
        if (!(isServiceError(e) && e.code.startsWith('TargetGroupNotFound'))) throw e;
      }
    }
    return bad;
  }

  async targetGroupExists(scope: Scope, arn: string): Promise<boolean> {
    try {
      await this.elb(scope).DescribeTargetGroups({ TargetGroupArns: [arn] });
      return true;
    } catch (e) {
      if (isServiceError(e) && (e.code.startsWith('TargetGroupNotFound') || e.code === 'ValidationError')) return false;
      throw e;
    }
  }
}
