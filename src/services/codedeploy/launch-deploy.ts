import type { AutoscalingOperations } from '../../aws/models/generated/autoscaling.js';
import type { AutoScalingGroup as GroupHook } from '../../aws/models/generated/codedeploy.js';
import { errorMessage, isServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { LIFECYCLE_ACTION, type LifecycleAction } from '../common/lifecycle-events.js';
import type { ServiceDeps } from '../service.js';
import { newDeploymentId } from './deployment-record.js';
import type { DeploymentEngine } from './engine.js';
import type { CodeDeployStore, DeploymentRecord, GroupRecord } from './store.js';

const PREFIX = 'CodeDeploy-managed-automatic-launch-deployment-hook-';
/** AWS's launch hook: an instance the deployment does not finish with in 10 minutes is abandoned. */
const HEARTBEAT_SECONDS = 600;

/** The name of the launch hook CodeDeploy installs for a deployment group (fixed when the group is created). */
export const launchHookName = (groupName: string, groupId: string) => `${PREFIX}${groupName}-${groupId.slice(0, 8)}`.slice(0, 255);

/**
 * Deployments to instances an Auto Scaling group launches. As on AWS, CodeDeploy installs a
 * launch lifecycle hook in each of a deployment group's Auto Scaling groups; an instance that
 * waits in it gets the group's last successful revision (a deployment created by
 * `autoscaling`), then goes into service if it succeeded or is abandoned if it failed.
 */
export class LaunchDeployments {
  constructor(
    private readonly store: CodeDeployStore,
    private readonly engine: DeploymentEngine,
    private readonly deps: ServiceDeps,
  ) {
    deps.bus.on<LifecycleAction>(LIFECYCLE_ACTION, (e) => {
      if (e.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING' && e.hook.startsWith(PREFIX)) void this.launched(e.scope, e.group, e.hook, e.instanceId);
    });
  }

  private asg(scope: Scope) {
    return this.deps.aws.service<AutoscalingOperations>('autoscaling', scope);
  }

  /** Puts the group's launch hook in each of its Auto Scaling groups and removes it from those it no longer has. */
  async sync(scope: Scope, group: GroupRecord, before?: GroupRecord): Promise<GroupHook[]> {
    const hook = group.launchHook;
    if (!hook) return [];
    for (const name of group.autoScalingGroups) {
      try {
        await this.asg(scope).PutLifecycleHook({ AutoScalingGroupName: name, LifecycleHookName: hook, LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: HEARTBEAT_SECONDS, DefaultResult: 'ABANDON' });
      } catch (e) {
        throw Object.assign(new Error(`The Auto Scaling group ${name} cannot take CodeDeploy's launch hook: ${errorMessage(e)}`), { cause: e });
      }
    }
    const dropped = (before?.autoScalingGroups ?? []).filter((n) => !group.autoScalingGroups.includes(n));
    return this.remove(scope, dropped, before?.launchHook ?? hook);
  }

  /** Deletes the launch hook from these groups; the ones it could not be deleted from are returned (`hooksNotCleanedUp`). */
  async remove(scope: Scope, groups: string[], hook: string | undefined): Promise<GroupHook[]> {
    const left: GroupHook[] = [];
    if (!hook) return left;
    for (const name of groups) {
      try {
        await this.asg(scope).DeleteLifecycleHook({ AutoScalingGroupName: name, LifecycleHookName: hook });
      } catch (e) {
        if (!(isServiceError(e) && e.code === 'ValidationError')) left.push({ name, hook });
      }
    }
    return left;
  }

  /** After a restart: instances still waiting in a launch hook without a deployment get one. */
  async resume(): Promise<void> {
    for (const { scope, value: group } of this.store.groups.all()) {
      if (!group.launchHook || !group.autoScalingGroups.length) continue;
      const out = await this.asg(scope).DescribeAutoScalingGroups({ AutoScalingGroupNames: group.autoScalingGroups }).catch(() => ({ AutoScalingGroups: [] }));
      for (const g of out.AutoScalingGroups ?? []) {
        for (const i of g.Instances ?? []) if (i.LifecycleState === 'Pending:Wait') await this.launched(scope, g.AutoScalingGroupName, group.launchHook, i.InstanceId);
      }
    }
  }

  private async launched(scope: Scope, asgName: string, hook: string, instanceId: string): Promise<void> {
    const group = this.store.groups.list(scope).find((g) => g.launchHook === hook && g.autoScalingGroups.includes(asgName));
    // A hook left behind on a group the deployment group no longer names must not hold its instances.
    if (!group) return this.complete(scope, asgName, hook, instanceId, 'CONTINUE');
    const existing = this.store.deployments.list(scope).find((d) => d.launch?.instanceId === instanceId && d.launch.hook === hook);
    if (existing) {
      if (['Succeeded', 'Failed', 'Stopped'].includes(existing.status)) await this.finished(scope, existing);
      return;
    }
    const good = group.lastSuccessful;
    // Nothing deployed yet: the instance goes into service as it is.
    if (!good) return this.complete(scope, asgName, hook, instanceId, 'CONTINUE');
    const dep: DeploymentRecord = {
      deploymentId: newDeploymentId(), applicationName: group.applicationName, deploymentGroupName: group.deploymentGroupName, deploymentGroupId: group.deploymentGroupId,
      deploymentConfigName: group.deploymentConfigName, minimumHealthyHosts: { type: 'HOST_COUNT', value: 0 }, revision: good.revision, previousRevision: good.revision,
      status: 'Created', createTime: this.deps.clock.now(), creator: 'autoscaling', ignoreApplicationStopFailures: false, fileExistsBehavior: 'OVERWRITE',
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' }, instanceIds: [], alarmConfiguration: group.alarmConfiguration,
      batchSize: 1, requiredSuccesses: 1, lastInstanceForgiven: false, statusMessages: [], launch: { asg: asgName, hook, instanceId },
    };
    this.engine.start(scope, dep);
  }

  /**
   * A deployment ended. A launch deployment's instance goes into service, or is abandoned (and
   * replaced); a blue/green deployment that moved the group to a copied Auto Scaling group moves the hook.
   */
  async finished(scope: Scope, dep: DeploymentRecord): Promise<void> {
    if (dep.launch) return this.complete(scope, dep.launch.asg, dep.launch.hook, dep.launch.instanceId, dep.status === 'Succeeded' ? 'CONTINUE' : 'ABANDON');
    const group = this.engine.group(scope, dep);
    if (!dep.copiedAsg || !group?.launchHook) return;
    await this.sync(scope, group).catch((e: unknown) => this.deps.log.warn('moving the launch hook failed', { error: errorMessage(e) }));
    await this.remove(scope, (dep.originalAsgs ?? []).filter((n) => !group.autoScalingGroups.includes(n)), group.launchHook);
  }

  private async complete(scope: Scope, asgName: string, hook: string, instanceId: string, result: 'CONTINUE' | 'ABANDON'): Promise<void> {
    try {
      await this.asg(scope).CompleteLifecycleAction({ AutoScalingGroupName: asgName, LifecycleHookName: hook, InstanceId: instanceId, LifecycleActionResult: result });
    } catch (e) {
      // The wait may have timed out or the group gone; the instance then follows its default result.
      this.deps.log.warn('completing a launch lifecycle action failed', { instanceId, error: errorMessage(e) });
    }
  }
}
