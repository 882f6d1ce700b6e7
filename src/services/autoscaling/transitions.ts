import type { Clock } from '../../core/clock.js';
import type { Scope } from '../../core/scope.js';
import { causeTime, type Activities } from './activities.js';
import type { AsgEvents } from './events.js';
import type { Fleet } from './fleet.js';
import type { AutoscalingStore, GroupRecord, HookWait, MemberRecord } from './store.js';

export type Transition = HookWait['transition'];

/** Holds an instance in a :Wait state while the group has hooks for the transition. */
export interface HookGate {
  hold(scope: Scope, g: GroupRecord, m: MemberRecord, transition: Transition): Promise<boolean>;
}

/**
 * One instance's way through the group: Pending → (Pending:Wait → Pending:Proceed) →
 * InService → Terminating → (Terminating:Wait → Terminating:Proceed) → Terminated, with its
 * activity, load balancer registration and events at each step.
 */
export class Transitions {
  gate: HookGate | undefined;
  /** Asks for another look at the group soon (an instance is draining). */
  recheck: ((scope: Scope, group: string) => void) | undefined;

  constructor(
    private readonly store: AutoscalingStore,
    private readonly fleet: Fleet,
    private readonly activities: Activities,
    private readonly events: AsgEvents,
    private readonly clock: Clock,
  ) {}

  /** Writes changes over the stored record, so an API call's concurrent change (health, a hook's result) is kept. */
  private put(scope: Scope, m: MemberRecord, changes: Partial<MemberRecord> = {}): MemberRecord {
    const next = { ...(this.store.members.get(scope, m.instanceId) ?? m), ...changes };
    this.store.members.put(scope, m.instanceId, next);
    return next;
  }

  /** EC2 reports the instance running: launch hooks hold it, or it goes into service. */
  async launched(scope: Scope, g: GroupRecord, m: MemberRecord): Promise<void> {
    if (await this.gate?.hold(scope, g, m, 'autoscaling:EC2_INSTANCE_LAUNCHING')) return;
    await this.enterService(scope, g, m);
  }

  async enterService(scope: Scope, g: GroupRecord, m: MemberRecord): Promise<void> {
    if (m.wait?.abandoned) {
      await this.beginTerminate(scope, g, m, `At ${causeTime(this.clock.now())} an instance was taken out of service in response to a launch lifecycle action being abandoned.`);
      return;
    }
    await this.fleet.register(scope, g.targetGroupARNs, [m.instanceId]);
    const next = this.put(scope, m, { lifecycleState: 'InService', inServiceAt: this.clock.now(), wait: undefined });
    const a = this.activities.finish(scope, g.name, m.activityId, 'Successful');
    this.events.activity(scope, g, next, 'EC2 Instance Launch Successful', a);
  }

  /**
   * Takes an instance out of service: deregistered first, and once its target groups have
   * drained it (in-flight requests, up to the deregistration delay), terminate hooks, then EC2.
   */
  async beginTerminate(scope: Scope, g: GroupRecord, m: MemberRecord, cause: string): Promise<void> {
    const a = this.activities.start(scope, g, `Terminating EC2 instance: ${m.instanceId}`, cause);
    if (m.lifecycleState.startsWith('Pending')) this.activities.finish(scope, g.name, m.activityId, 'Cancelled', 'Instance was taken out of service before it entered service.');
    const next = this.put(scope, m, { lifecycleState: 'Terminating', activityId: a.ActivityId, outCause: cause, wait: undefined, draining: true });
    await this.fleet.deregister(scope, g.targetGroupARNs, [m.instanceId]);
    await this.afterDeregister(scope, g, next);
  }

  /** Goes on with a deregistered instance's termination when nothing drains it any more. */
  async afterDeregister(scope: Scope, g: GroupRecord, m: MemberRecord): Promise<void> {
    if (await this.fleet.draining(scope, g.targetGroupARNs, m.instanceId)) {
      this.recheck?.(scope, g.name);
      return;
    }
    const next = this.put(scope, m, { draining: undefined });
    // A force-deleted group's instances skip their lifecycle hooks, as on AWS.
    if (!g.deleting && (await this.gate?.hold(scope, g, next, 'autoscaling:EC2_INSTANCE_TERMINATING'))) return;
    await this.terminateEc2(scope, next);
  }

  async terminateEc2(scope: Scope, m: MemberRecord): Promise<void> {
    const state = await this.fleet.terminate(scope, m.instanceId);
    const next = this.put(scope, m, { ec2Terminating: true, wait: undefined });
    // No state change will follow for an instance that was already terminated.
    if (state === 'terminated') this.finishTerminate(scope, this.store.groups.get(scope, m.group), next);
  }

  /** EC2 reports the instance terminated. */
  finishTerminate(scope: Scope, g: GroupRecord | undefined, m: MemberRecord): void {
    const next = this.put(scope, m, { lifecycleState: 'Terminated', terminatedAt: this.clock.now() });
    const a = this.activities.finish(scope, m.group, m.activityId, 'Successful');
    if (g) this.events.activity(scope, g, next, 'EC2 Instance Terminate Successful', a);
  }

  /** An in-service instance failed a health check: it will be terminated and replaced. */
  unhealthy(scope: Scope, m: MemberRecord, why: string): MemberRecord {
    if (m.health === 'Unhealthy') return m;
    return this.put(scope, m, { health: 'Unhealthy', outCause: `At ${causeTime(this.clock.now())} an instance was taken out of service in response to ${why}.` });
  }
}
