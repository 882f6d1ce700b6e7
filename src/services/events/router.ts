import type { Target } from '../../aws/models/generated/events.js';
import type { Scope } from '../../core/scope.js';
import { EventPattern, flattenEvent } from '../common/event-pattern/index.js';
import type { EventEnvelope } from './event.js';
import type { EventsStore, RuleRecord } from './store.js';

/** One event on its way to one target of one rule: the payload of a delivery job. */
export interface Delivery {
  scope: Scope;
  ruleArn: string;
  ruleName: string;
  target: Target;
  event: EventEnvelope;
  /** When EventBridge took the event in (clock ms); the target's MaximumEventAgeInSeconds counts from here. */
  ingestedAt: number;
}

const ACTIVE = new Set(['ENABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);
const CACHE_LIMIT = 2000;

/**
 * Matches events against a bus's enabled rules and hands one delivery per target to the
 * durable delivery queue. Compiled patterns are cached by their text.
 */
export class Router {
  private readonly patterns = new Map<string, EventPattern>();

  constructor(
    private readonly store: EventsStore,
    private readonly deliver: (d: Delivery) => void,
  ) {}

  /** Routes an event put on `bus`; `only` limits it to some rules (replays). Returns how many rules matched. */
  route(scope: Scope, bus: string, event: EventEnvelope, ingestedAt: number, only?: (rule: RuleRecord) => boolean): number {
    const flat = flattenEvent(event);
    let matched = 0;
    for (const rule of this.store.rulesOf(scope, bus)) {
      if (!ACTIVE.has(rule.state) || !rule.eventPattern || (only && !only(rule))) continue;
      if (!this.pattern(rule.eventPattern).matchesFlat(flat)) continue;
      matched++;
      this.toTargets(scope, rule, event, ingestedAt);
    }
    return matched;
  }

  /** Sends an event to every target of one rule (scheduled events go straight to their rule). */
  toTargets(scope: Scope, rule: RuleRecord, event: EventEnvelope, ingestedAt: number): void {
    for (const target of rule.targets) this.deliver({ scope, ruleArn: rule.arn, ruleName: rule.name, target, event, ingestedAt });
  }

  pattern(text: string): EventPattern {
    let p = this.patterns.get(text);
    if (!p) {
      if (this.patterns.size >= CACHE_LIMIT) this.patterns.clear();
      p = EventPattern.compile(text);
      this.patterns.set(text, p);
    }
    return p;
  }
}
