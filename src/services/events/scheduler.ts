import type { Clock } from '../../core/clock.js';
import { uuid } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import { eventTime, type EventEnvelope } from './event.js';
import type { Router } from './router.js';
import type { RuleSaver } from './rules.js';
import { nextFire, parseSchedule, type Schedule } from './schedule.js';
import type { EventsStore, RuleRecord } from './store.js';

interface Fire {
  scope: Scope;
  bus: string;
  name: string;
  /** The clock time this fire is for; it must equal the rule's nextFireAt, or the job is stale. */
  at: number;
}

const ACTIVE = new Set(['ENABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);

/**
 * Fires schedule rules through the durable job queue. A rule records the time of its next
 * fire and the queue holds one job for that time, both written in one transaction; a job
 * whose time no longer matches its rule (changed, disabled, deleted) is dropped. Rate
 * periods are AWS time, so the time scale compresses them; cron expressions name wall-clock
 * UTC times.
 */
export class Scheduler implements RuleSaver {
  private readonly enqueue: (f: Fire, opts: { delayMs: number }) => void;

  constructor(
    private readonly store: EventsStore,
    jobs: JobQueue,
    private readonly clock: Clock,
    private readonly router: Router,
    private readonly log: Logger,
  ) {
    this.enqueue = jobs.define<Fire>('events.schedule', async (f) => this.fire(f), { maxAttempts: 5 });
  }

  save(scope: Scope, rule: RuleRecord): void {
    this.store.db.transaction(() => this.arm(scope, rule));
  }

  /** Arms schedule rules that have no pending fire (after a restart or a reset). */
  resume(): void {
    for (const { scope, rule } of this.store.allRules()) {
      if (rule.scheduleExpression && ACTIVE.has(rule.state) && rule.nextFireAt === undefined) this.save(scope, rule);
    }
  }

  private arm(scope: Scope, rule: RuleRecord): void {
    const active = rule.scheduleExpression !== undefined && ACTIVE.has(rule.state);
    if (!active) {
      this.store.putRule(scope, { ...rule, nextFireAt: undefined });
      return;
    }
    if (rule.nextFireAt !== undefined) return this.store.putRule(scope, rule);
    const now = this.clock.now();
    const anchor = rule.scheduleAnchor ?? now;
    this.schedule(scope, { ...rule, scheduleAnchor: anchor }, now);
  }

  /** Stores the rule with its next fire time and queues the job for it. */
  private schedule(scope: Scope, rule: RuleRecord, after: number): void {
    const at = nextFire(this.realTime(parseSchedule(rule.scheduleExpression!)), after, rule.scheduleAnchor!);
    this.store.putRule(scope, { ...rule, nextFireAt: at });
    if (at === undefined) return;
    // The queue takes AWS time and divides by the time scale; `at` is already clock time.
    this.enqueue({ scope, bus: rule.bus, name: rule.name, at }, { delayMs: Math.max(0, at - this.clock.now()) * this.clock.timeScale });
  }

  private realTime(s: Schedule): Schedule {
    return s.kind === 'rate' ? { kind: 'rate', periodMs: s.periodMs / this.clock.timeScale } : s;
  }

  private async fire(f: Fire): Promise<void> {
    const rule = this.store.rule(f.scope, f.bus, f.name);
    if (!rule || rule.nextFireAt !== f.at || !rule.scheduleExpression || !ACTIVE.has(rule.state)) return;
    const event: EventEnvelope = {
      version: '0',
      id: uuid(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: f.scope.accountId,
      time: eventTime(f.at),
      region: f.scope.region,
      resources: [rule.arn],
      detail: {},
    };
    this.store.db.transaction(() => {
      this.router.toTargets(f.scope, rule, event, this.clock.now());
      // A fire that ran late (Slipway was down) fires once, then picks up the schedule from now.
      this.schedule(f.scope, rule, Math.max(f.at, this.clock.now()));
    });
    this.log.debug('schedule fired', { rule: rule.arn, at: event.time, targets: rule.targets.length });
  }
}
