import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { EventBus } from '../../core/event-bus.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import { INSTANCE_STATE_CHANGED, type InstanceStateChanged } from '../common/instance-events.js';
import { causeTime, type Activities } from './activities.js';
import type { Fleet } from './fleet.js';
import { chooseVictims, pickZone, zonesOf } from './placement.js';
import { activeMembers, type AutoscalingStore, type GroupRecord, type MemberRecord } from './store.js';
import type { Transitions } from './transitions.js';

interface GroupJob {
  scope: Scope;
  group: string;
}

/** A health tick belongs to one group's life: a group deleted and created again under the same name starts its own. */
interface HealthJob extends GroupJob {
  arn?: string;
}

/** How often (AWS time) a group's instances are health-checked without another reason to look. */
export const HEALTH_INTERVAL_MS = 30_000;
/** How often (AWS time) a group with a draining instance is looked at again. */
export const DRAIN_RECHECK_MS = 1_000;
/** How long a terminated instance stays listed in its group. */
const TERMINATED_VISIBLE_MS = 60_000;
const GONE = new Set(['terminated', 'shutting-down', 'stopped', 'stopping']);

export function suspended(g: GroupRecord, process: string): boolean {
  return g.suspended.some((p) => p.name === process);
}

/**
 * Brings each group to its desired capacity. A durable job per group (one at a time) reads
 * the instances' EC2 states, moves them through their lifecycle, replaces unhealthy ones and
 * launches or terminates to match the desired capacity. It runs when something changes (an
 * API call, an EC2 instance settling, a hook's result) and on a health-check interval.
 */
export class Reconciler {
  private readonly enqueue: (job: GroupJob) => void;
  private readonly enqueueHealth: (job: HealthJob, opts: { delayMs: number }) => void;
  private readonly enqueueRecheck: (job: GroupJob, opts: { delayMs: number }) => void;
  private readonly queued = new Set<string>();
  private readonly rechecking = new Set<string>();

  constructor(
    private readonly store: AutoscalingStore,
    private readonly fleet: Fleet,
    private readonly t: Transitions,
    private readonly activities: Activities,
    private readonly clock: Clock,
    private readonly log: Logger,
    jobs: JobQueue,
    bus: EventBus,
  ) {
    this.enqueue = jobs.define<GroupJob>('autoscaling.reconcile', (job) => this.run(job), { concurrency: 1, maxAttempts: 5 });
    this.enqueueHealth = jobs.define<HealthJob>('autoscaling.health', (job) => this.healthTick(job), { maxAttempts: 3 });
    this.enqueueRecheck = jobs.define<GroupJob>('autoscaling.recheck', (job) => {
      this.rechecking.delete(`${job.scope.accountId}/${job.scope.region}/${job.group}`);
      this.poke(job.scope, job.group);
      return Promise.resolve();
    }, { maxAttempts: 3 });
    bus.on<InstanceStateChanged>(INSTANCE_STATE_CHANGED, (e) => {
      const m = this.store.members.get(e.scope, e.instanceId);
      if (m) this.poke(e.scope, m.group);
    });
  }

  /** Asks for a pass over the group; passes already waiting absorb the request. */
  poke(scope: Scope, group: string): void {
    const key = `${scope.accountId}/${scope.region}/${group}`;
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.enqueue({ scope, group });
  }

  /** Asks for a pass over the group shortly (one pending at a time), while an instance drains. */
  recheckSoon(scope: Scope, group: string): void {
    const key = `${scope.accountId}/${scope.region}/${group}`;
    if (this.rechecking.has(key)) return;
    this.rechecking.add(key);
    this.enqueueRecheck({ scope, group }, { delayMs: DRAIN_RECHECK_MS });
  }

  /** Starts the group's periodic health checks (the job re-arms itself while the group exists). */
  watch(scope: Scope, group: string): void {
    this.enqueueHealth({ scope, group, arn: this.store.groups.get(scope, group)?.arn }, { delayMs: HEALTH_INTERVAL_MS });
  }

  resume(): void {
    for (const { scope, value } of this.store.groups.all()) this.poke(scope, value.name);
  }

  private healthTick(job: HealthJob): Promise<void> {
    const g = this.store.groups.get(job.scope, job.group);
    if (!g || (job.arn && g.arn !== job.arn)) return Promise.resolve();
    this.poke(job.scope, job.group);
    this.watch(job.scope, job.group);
    return Promise.resolve();
  }

  private async run(job: GroupJob): Promise<void> {
    const { scope, group } = job;
    this.queued.delete(`${scope.accountId}/${scope.region}/${group}`);
    const g = this.store.groups.get(scope, group);
    if (!g) return;
    await this.sync(scope, g);
    await this.checkTargetHealth(scope, g);
    await this.replaceUnhealthy(scope, g);
    await this.scale(scope, this.store.groups.get(scope, group) ?? g);
    this.finishDelete(scope, g);
  }

  /** Reads EC2's view of each instance and takes the lifecycle step it allows. */
  private async sync(scope: Scope, g: GroupRecord): Promise<void> {
    const now = this.clock.now();
    const members = this.store.membersOf(scope, g.name);
    for (const m of members) if (m.lifecycleState === 'Terminated' && now - (m.terminatedAt ?? 0) >= TERMINATED_VISIBLE_MS) this.store.members.delete(scope, m.instanceId);
    const live = members.filter((m) => m.lifecycleState !== 'Terminated');
    const view = await this.fleet.view(scope, live.map((m) => m.instanceId));
    for (const m of live) {
      const v = view.get(m.instanceId);
      const state = v?.state ?? 'terminated';
      if (m.ec2Terminating || (m.lifecycleState.startsWith('Terminating') && state === 'terminated')) {
        if (state === 'terminated') this.t.finishTerminate(scope, g, m);
        continue;
      }
      if (GONE.has(state)) {
        if (!m.lifecycleState.startsWith('Terminating')) this.t.unhealthy(scope, m, 'an EC2 health check indicating it has been terminated or stopped');
        continue;
      }
      if (m.lifecycleState === 'Pending' && state === 'running') await this.t.launched(scope, g, m);
      else if (m.lifecycleState === 'Pending:Proceed') await this.t.enterService(scope, g, m);
      else if (m.lifecycleState === 'Terminating' && m.draining) await this.t.afterDeregister(scope, g, m);
      else if (m.lifecycleState === 'Terminating:Proceed') await this.t.terminateEc2(scope, m);
      else if (m.lifecycleState === 'InService' && v?.impaired && this.pastGrace(g, m)) this.t.unhealthy(scope, m, 'an EC2 instance status check failure');
    }
  }

  private pastGrace(g: GroupRecord, m: MemberRecord): boolean {
    return this.clock.now() - (m.inServiceAt ?? m.launchedAt) >= g.healthCheckGracePeriod * 1000;
  }

  private async checkTargetHealth(scope: Scope, g: GroupRecord): Promise<void> {
    if (g.healthCheckType !== 'ELB' || !g.targetGroupARNs.length) return;
    const bad = await this.fleet.unhealthyTargets(scope, g.targetGroupARNs);
    for (const m of this.store.membersOf(scope, g.name)) {
      if (m.lifecycleState === 'InService' && bad.has(m.instanceId) && this.pastGrace(g, m)) this.t.unhealthy(scope, m, 'an ELB system health check failure');
    }
  }

  private async replaceUnhealthy(scope: Scope, g: GroupRecord): Promise<void> {
    if (suspended(g, 'ReplaceUnhealthy')) return;
    for (const m of activeMembers(this.store.membersOf(scope, g.name))) {
      if (m.health === 'Unhealthy') await this.t.beginTerminate(scope, g, m, m.outCause ?? `At ${causeTime(this.clock.now())} an instance was taken out of service in response to a health check.`);
    }
  }

  private async scale(scope: Scope, g: GroupRecord): Promise<void> {
    const active = activeMembers(this.store.membersOf(scope, g.name));
    const desired = g.deleting ? 0 : g.desiredCapacity;
    if (active.length === desired) return;
    const at = causeTime(this.clock.now());
    const prefix = g.lastCause ? `${g.lastCause}  ` : '';
    if (g.lastCause) this.store.groups.put(scope, g.name, { ...g, lastCause: '' });
    if (active.length < desired && !suspended(g, 'Launch')) {
      const cause = `${prefix}At ${at} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${active.length} to ${desired}.`;
      await this.launchMore(scope, g, active, desired - active.length, cause);
    } else if (active.length > desired && (g.deleting || !suspended(g, 'Terminate'))) {
      const cause = `${prefix}At ${at} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${active.length} to ${desired}.`;
      const victims = g.deleting ? active : chooseVictims(active, active.length - desired, g);
      for (const v of victims) await this.t.beginTerminate(scope, g, this.store.members.get(scope, v.instanceId) ?? (v as MemberRecord), cause);
    }
  }

  private async launchMore(scope: Scope, g: GroupRecord, active: MemberRecord[], count: number, cause: string): Promise<void> {
    const zones = zonesOf(g, scope.region);
    const placed: Pick<MemberRecord, 'availabilityZone'>[] = [...active];
    const config = g.launchConfigurationName ? this.store.configs.get(scope, g.launchConfigurationName) : undefined;
    for (let i = 0; i < count; i++) {
      const zone = pickZone(zones, placed);
      const details: Record<string, string> = zone.subnetId ? { 'Subnet ID': zone.subnetId, 'Availability Zone': zone.availabilityZone } : { 'Availability Zone': zone.availabilityZone };
      try {
        const out = await this.fleet.launch(scope, g, config, zone.availabilityZone, zone.subnetId);
        const a = this.activities.start(scope, g, `Launching a new EC2 instance: ${out.instanceId}`, cause, details);
        this.store.members.put(scope, out.instanceId, {
          instanceId: out.instanceId, group: g.name, availabilityZone: zone.availabilityZone, lifecycleState: 'Pending', health: 'Healthy',
          launchedAt: this.clock.now(), instanceType: out.instanceType, imageId: out.imageId, launchTemplate: g.launchTemplate,
          launchConfigurationName: g.launchConfigurationName, protectedFromScaleIn: g.newInstancesProtectedFromScaleIn, activityId: a.ActivityId,
        });
        placed.push(zone);
      } catch (e) {
        const a = this.activities.start(scope, g, 'Launching a new EC2 instance.  Status Reason: ' + errorMessage(e), cause, details);
        this.activities.finish(scope, g.name, a.ActivityId, 'Failed', errorMessage(e));
        this.log.warn('launch failed', { group: g.name, error: errorMessage(e) });
        return;
      }
    }
  }

  /** A force-deleted group goes once its last instance has terminated. */
  private finishDelete(scope: Scope, g: GroupRecord): void {
    const current = this.store.groups.get(scope, g.name);
    if (!current?.deleting) return;
    const members = this.store.membersOf(scope, g.name);
    if (members.some((m) => m.lifecycleState !== 'Terminated')) return;
    removeGroup(this.store, scope, g.name);
  }
}

/** Deletes a group and everything that belongs to it. */
export function removeGroup(store: AutoscalingStore, scope: Scope, name: string): void {
  store.db.transaction(() => {
    for (const m of store.membersOf(scope, name)) store.members.delete(scope, m.instanceId);
    for (const h of store.hooksOf(scope, name)) store.hooks.delete(scope, `${name}\u0000${h.LifecycleHookName}`);
    for (const p of store.policiesOf(scope, name)) store.policies.delete(scope, `${name}\u0000${p.PolicyName}`);
    store.groups.delete(scope, name);
  });
}
