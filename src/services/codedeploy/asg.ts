import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { AutoScalingGroup, AutoscalingOperations } from '../../aws/models/generated/autoscaling.js';
import type { Clock } from '../../core/clock.js';
import { isServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';

/** Real milliseconds between two looks at a copied group's instances. */
const POLL_REAL_MS = 20;
/** How long a copied group has to bring its instances into service (AWS time). */
const PROVISION_TIMEOUT_MS = 60 * 60_000;

const asg = (aws: AwsClient, scope: Scope) => aws.service<AutoscalingOperations>('autoscaling', scope);

/** The group AWS creates for a blue/green deployment's replacement fleet. */
export const copyName = (groupName: string, deploymentId: string) => `CodeDeploy_${groupName}_${deploymentId}`;

export async function describeGroups(aws: AwsClient, scope: Scope, names: string[]): Promise<AutoScalingGroup[]> {
  if (!names.length) return [];
  return (await asg(aws, scope).DescribeAutoScalingGroups({ AutoScalingGroupNames: names })).AutoScalingGroups ?? [];
}

/** The in-service instances of these Auto Scaling groups. */
export async function inService(aws: AwsClient, scope: Scope, names: string[]): Promise<string[]> {
  return (await describeGroups(aws, scope, names)).flatMap((g) => (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId));
}

/**
 * Copies `original` as `name` (same launch settings, sizes, zones and tags, but no target groups:
 * CodeDeploy registers the copy's instances itself when traffic is rerouted), then waits until
 * as many instances as the original wants are in service. Creating it again after a restart
 * finds the copy already there.
 */
export async function copyGroup(aws: AwsClient, clock: Clock, scope: Scope, original: string, name: string, signal?: AbortSignal): Promise<string[]> {
  const [g] = await describeGroups(aws, scope, [original]);
  if (!g) throw new Error(`The Auto Scaling group ${original} does not exist.`);
  try {
    await asg(aws, scope).CreateAutoScalingGroup({
      AutoScalingGroupName: name, LaunchTemplate: g.LaunchTemplate, LaunchConfigurationName: g.LaunchConfigurationName, MixedInstancesPolicy: g.MixedInstancesPolicy,
      MinSize: g.MinSize, MaxSize: g.MaxSize, DesiredCapacity: g.DesiredCapacity, AvailabilityZones: g.AvailabilityZones, VPCZoneIdentifier: g.VPCZoneIdentifier,
      HealthCheckType: g.HealthCheckType, HealthCheckGracePeriod: g.HealthCheckGracePeriod,
      Tags: (g.Tags ?? []).map((t) => ({ Key: t.Key!, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch })),
    });
  } catch (e) {
    if (!(isServiceError(e) && e.code.startsWith('AlreadyExists'))) throw e;
  }
  const started = clock.now();
  for (;;) {
    if (signal?.aborted) throw new Error('The deployment was stopped.');
    const ids = await inService(aws, scope, [name]);
    if (ids.length >= g.DesiredCapacity) return ids.sort();
    if (clock.now() - started > PROVISION_TIMEOUT_MS) throw new Error(`The Auto Scaling group ${name} did not bring ${g.DesiredCapacity} instances into service within an hour.`);
    await clock.sleep(POLL_REAL_MS * clock.timeScale, signal).catch(() => undefined);
  }
}

/** Gives the copy the original's target groups once it serves, so that it registers the instances it launches later. */
export async function adoptTargetGroups(aws: AwsClient, scope: Scope, original: string, copy: string): Promise<void> {
  const [g] = await describeGroups(aws, scope, [original]);
  if (g?.TargetGroupARNs?.length) await asg(aws, scope).AttachLoadBalancerTargetGroups({ AutoScalingGroupName: copy, TargetGroupARNs: g.TargetGroupARNs });
}

/** Deletes a group with its instances; one already gone is fine. */
export async function deleteGroup(aws: AwsClient, scope: Scope, name: string): Promise<void> {
  try {
    await asg(aws, scope).DeleteAutoScalingGroup({ AutoScalingGroupName: name, ForceDelete: true });
  } catch (e) {
    if (!(isServiceError(e) && e.code === 'ValidationError')) throw e; // not found: already deleted
  }
}
