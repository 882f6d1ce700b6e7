import type { AwsClient } from '../../../aws/gateway/aws-client.js';
import type { TargetHealthDescription } from '../../../aws/models/generated/elbv2.js';
import type { Clock, Timer } from '../../../core/clock.js';
import type { Scope } from '../../../core/scope.js';
import type { TargetGroupRecord, TargetRecord, TargetStateRecord } from '../store.js';
import { runHealthCheck } from './health-check.js';
import { INITIAL, nextHealth, type HealthRecord } from './health-state.js';
import { resolveTarget } from './resolve.js';

/** A registered (or draining) target as the proxy sees it. */
export interface TargetRuntime {
  key: string;
  id: string;
  port: number;
  health: HealthRecord;
  address?: string;
  /** Why an instance target cannot take traffic (not running, unknown to EC2). */
  invalid?: string;
  inFlight: number;
  draining: boolean;
  /** Aborts the target's in-flight requests when the deregistration delay runs out. */
  aborts: Set<() => void>;
  timers: { check?: Timer; drain?: Timer };
  /** Draining: when the delay ends, on the clock. */
  drainDeadline?: number;
  /** What was last written to the store, so unchanged state is not written again. */
  saved?: string;
}

/** Where a pool keeps its targets' state across restarts. */
export interface TargetStates {
  load(): TargetStateRecord[];
  save(record: TargetStateRecord): void;
  forget(id: string, port: number): void;
}

/**
 * The targets of one target group: their health checks (on the clock: AWS seconds, so the
 * time scale compresses them), draining after deregistration, and the choice of a target
 * for a request: round robin (or least outstanding requests) over healthy targets,
 * failing open to unhealthy ones when none is healthy, as AWS does.
 */
export class TargetPool {
  readonly targets = new Map<string, TargetRuntime>();
  inUse = false;
  private next = 0;
  private checking = false;
  private restored = false;

  constructor(
    readonly scope: Scope,
    public tg: TargetGroupRecord,
    private readonly clock: Clock,
    private readonly aws: AwsClient,
    private readonly states: TargetStates,
  ) {}

  /**
   * After a restart: registered targets keep the health and address they had (a healthy
   * target keeps its traffic while its next check runs), and a draining target finishes
   * what is left of its deregistration delay.
   */
  private restore(registered: TargetRecord[], inUse: boolean): void {
    const keys = new Set(registered.map((r) => `${r.id}|${r.port}`));
    for (const rec of this.states.load()) {
      const key = `${rec.id}|${rec.port}`;
      const health = rec.health.state === 'initial' ? INITIAL : rec.health;
      const t: TargetRuntime = { key, id: rec.id, port: rec.port, health, address: rec.address, inFlight: 0, draining: false, aborts: new Set(), timers: {} };
      if (keys.has(key) && inUse) {
        this.targets.set(key, t);
        t.saved = this.stateKey(t); // as stored already
        continue;
      }
      const remaining = rec.drainDeadline === undefined ? 0 : (rec.drainDeadline - this.clock.now()) * this.clock.timeScale;
      if (keys.has(key) || !inUse || remaining <= 0) {
        if (!keys.has(key)) this.states.forget(rec.id, rec.port);
        continue;
      }
      t.draining = true;
      t.drainDeadline = rec.drainDeadline;
      t.saved = this.stateKey(t);
      this.targets.set(key, t);
      t.timers.drain = this.clock.setTimer(remaining, () => this.remove(t));
    }
  }

  private stateKey(t: TargetRuntime): string {
    const h = t.health;
    const passes = Math.min(h.passes, this.tg.healthCheck.healthyThreshold);
    return `${h.state}|${h.reason ?? ''}|${h.description ?? ''}|${passes}|${h.failures}|${t.address ?? ''}|${t.draining ? t.drainDeadline : ''}`;
  }

  /** Writes the target's state when it changed (a passed check on a healthy target changes nothing). */
  private persist(t: TargetRuntime): void {
    const key = this.stateKey(t);
    if (key === t.saved || this.targets.get(t.key) !== t) return;
    t.saved = key;
    const health = { ...t.health, passes: Math.min(t.health.passes, this.tg.healthCheck.healthyThreshold) };
    this.states.save({ targetGroupArn: this.tg.arn, id: t.id, port: t.port, health, address: t.address, drainDeadline: t.draining ? t.drainDeadline : undefined });
  }

  /** Brings the runtime in line with the registered targets and whether a listener uses the group. */
  sync(tg: TargetGroupRecord, registered: TargetRecord[], inUse: boolean): void {
    const restartChecks = JSON.stringify(tg.healthCheck) !== JSON.stringify(this.tg.healthCheck) || inUse !== this.inUse;
    this.tg = tg;
    if (!this.restored) {
      this.restored = true;
      this.restore(registered, inUse);
    }
    this.inUse = inUse;
    const keys = new Set(registered.map((r) => `${r.id}|${r.port}`));
    for (const r of registered) {
      const key = `${r.id}|${r.port}`;
      const t = this.targets.get(key);
      if (!t) this.targets.set(key, { key, id: r.id, port: r.port, health: INITIAL, inFlight: 0, draining: false, aborts: new Set(), timers: {} });
      else if (t.draining) this.revive(t);
    }
    for (const t of this.targets.values()) if (!keys.has(t.key) && !t.draining) this.drain(t);
    this.checking = inUse && tg.healthCheck.enabled;
    for (const t of this.targets.values()) {
      if (t.draining) continue;
      if (!inUse) {
        t.timers.check?.cancel();
        t.timers.check = undefined;
        t.health = INITIAL;
        this.persist(t);
      } else if (restartChecks || !t.timers.check) {
        void this.check(t); // the first check runs at once; it schedules the next
      }
    }
  }

  private revive(t: TargetRuntime): void {
    t.draining = false;
    t.timers.drain?.cancel();
    t.timers.drain = undefined;
    t.health = INITIAL;
    this.persist(t);
  }

  /** Deregistration: in-flight requests finish; the target leaves when none is left or the delay runs out. */
  private drain(t: TargetRuntime): void {
    t.timers.check?.cancel();
    t.timers.check = undefined;
    const delay = Number(this.tg.attributes['deregistration_delay.timeout_seconds'] ?? '300');
    if (!this.inUse || t.inFlight === 0 || delay === 0) return this.remove(t);
    t.draining = true;
    t.drainDeadline = this.clock.now() + (delay * 1000) / this.clock.timeScale;
    this.persist(t);
    t.timers.drain = this.clock.setTimer(delay * 1000, () => {
      for (const abort of [...t.aborts]) abort();
      this.remove(t);
    });
  }

  private remove(t: TargetRuntime): void {
    t.timers.check?.cancel();
    t.timers.drain?.cancel();
    if (this.targets.get(t.key) === t) {
      this.targets.delete(t.key);
      this.states.forget(t.id, t.port);
    }
  }

  /** A request to the target ended; a draining target with none left is done. */
  release(t: TargetRuntime): void {
    t.inFlight--;
    if (t.draining && t.inFlight === 0 && this.targets.get(t.key) === t) this.remove(t);
  }

  private async check(t: TargetRuntime): Promise<void> {
    t.timers.check?.cancel();
    const hc = this.tg.healthCheck;
    t.timers.check = this.clock.setTimer(hc.intervalSeconds * 1000, () => void this.check(t));
    const where = await resolveTarget(this.aws, this.scope, this.tg.targetType, t.id);
    if (this.targets.get(t.key) !== t || t.draining) return;
    if ('invalid' in where) {
      t.invalid = where.invalid;
      t.address = undefined;
      return this.persist(t);
    }
    t.invalid = undefined;
    t.address = where.address;
    if (!this.checking) return this.persist(t); // checks disabled: the target only needs an address
    if (t.health === INITIAL) t.health = { ...INITIAL, reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' };
    this.persist(t);
    const result = await runHealthCheck(this.clock, hc, where.address, t.port);
    if (this.targets.get(t.key) !== t || t.draining || !this.checking) return;
    t.health = nextHealth(t.health, result, { healthy: hc.healthyThreshold, unhealthy: hc.unhealthyThreshold });
    this.persist(t);
  }

  /** The target for the next request, or undefined when there is none to send it to (503). */
  choose(sticky?: string): TargetRuntime | undefined {
    // Round robin among usable targets, counted in place: no list per request.
    if (!sticky && this.tg.attributes['load_balancing.algorithm.type'] !== 'least_outstanding_requests') {
      let n = 0;
      for (const t of this.targets.values()) if (this.usable(t)) n++;
      if (n > 0) {
        let k = this.next++ % n;
        for (const t of this.targets.values()) if (this.usable(t) && k-- === 0) return t;
      }
    }
    return this.chooseAmongAll(sticky);
  }

  private usable(t: TargetRuntime): boolean {
    return !t.draining && t.address !== undefined && !t.invalid && (!this.checking || t.health.state === 'healthy');
  }

  private chooseAmongAll(sticky?: string): TargetRuntime | undefined {
    let pool: TargetRuntime[] = [];
    for (const t of this.targets.values()) if (!t.draining && t.address && !t.invalid && (!this.checking || t.health.state === 'healthy')) pool.push(t);
    if (pool.length === 0) pool = [...this.targets.values()].filter((t) => !t.draining && t.address && !t.invalid && t.health.state === 'unhealthy');
    if (pool.length === 0) return undefined;
    if (sticky) {
      const stuck = pool.find((t) => t.key === sticky);
      if (stuck) return stuck;
    }
    if (this.tg.attributes['load_balancing.algorithm.type'] === 'least_outstanding_requests') {
      return pool.reduce((best, t) => (t.inFlight < best.inFlight ? t : best));
    }
    return pool[this.next++ % pool.length];
  }

  healthyCount(): number {
    return [...this.targets.values()].filter((t) => !t.draining && !t.invalid && t.health.state === 'healthy').length;
  }

  unhealthyCount(): number {
    return [...this.targets.values()].filter((t) => !t.draining && (t.invalid !== undefined || t.health.state === 'unhealthy')).length;
  }

  /** DescribeTargetHealth's view of one target. */
  describe(id: string, port: number): TargetHealthDescription {
    const hcPort = this.tg.healthCheck.port === 'traffic-port' ? String(port) : this.tg.healthCheck.port;
    const base = { Target: { Id: id, Port: port }, HealthCheckPort: hcPort };
    const t = this.targets.get(`${id}|${port}`);
    if (!t) return { ...base, TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' } };
    if (t.draining) return { ...base, TargetHealth: { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' } };
    if (!this.inUse) return { ...base, TargetHealth: { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' } };
    if (t.invalid) return { ...base, TargetHealth: { State: 'unused', Reason: 'Target.InvalidState', Description: t.invalid } };
    if (!this.tg.healthCheck.enabled) return { ...base, TargetHealth: { State: 'unavailable', Reason: 'Target.HealthCheckDisabled', Description: 'Health checks disabled' } };
    const h = t.health;
    return { ...base, TargetHealth: h.state === 'healthy' ? { State: 'healthy' } : { State: h.state, Reason: h.reason, Description: h.description } };
  }

  /** Every target, registered or draining. */
  list(): { id: string; port: number }[] {
    return [...this.targets.values()].map((t) => ({ id: t.id, port: t.port }));
  }

  /** The target group is gone: so is its targets' stored state. */
  dispose(): void {
    for (const t of this.targets.values()) this.states.forget(t.id, t.port);
    this.close();
  }

  /** Shutdown: timers stop, the stored state stays for the next start. */
  close(): void {
    for (const t of this.targets.values()) {
      t.timers.check?.cancel();
      t.timers.drain?.cancel();
    }
    this.targets.clear();
  }
}
