import type { DeadLetterConfig, LogConfig, Tag, Target } from '../../aws/models/generated/events.js';
import type { Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';

export const DEFAULT_BUS = 'default';

export interface BusRecord {
  name: string;
  arn: string;
  description?: string;
  kmsKeyIdentifier?: string;
  deadLetterConfig?: DeadLetterConfig;
  logConfig?: LogConfig;
  /** The resource policy, as JSON text (stored, not enforced). */
  policy?: string;
  tags: Tag[];
  created: number;
  modified: number;
}

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface RuleRecord {
  name: string;
  bus: string;
  arn: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: RuleState;
  description?: string;
  roleArn?: string;
  createdBy: string;
  tags: Tag[];
  targets: Target[];
  /** When the current schedule was set: rate schedules count periods from here. */
  scheduleAnchor?: number;
  /** The fire time the pending schedule job is for; a job for any other time is stale. */
  nextFireAt?: number;
}

export function busArn(scope: Scope, name: string): string {
  return `arn:aws:events:${scope.region}:${scope.accountId}:event-bus/${name}`;
}

export function ruleArn(scope: Scope, bus: string, name: string): string {
  return `arn:aws:events:${scope.region}:${scope.accountId}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`;
}

const ruleId = (bus: string, name: string) => `${bus}|${name}`;

/**
 * EventBridge's buses and rules (with their targets inline). Every account and region has
 * a default bus, made the first time it is needed. Routing reads the bus and its rules on
 * every PutEvents, so both are cached and dropped on any write to them.
 */
export class EventsStore {
  private readonly buses: Collection<BusRecord>;
  private readonly rules: Collection<RuleRecord>;
  private readonly cache = new Map<string, RuleRecord[]>();
  private readonly busCache = new Map<string, BusRecord>();

  constructor(
    readonly db: Database,
    private readonly now: () => number,
  ) {
    this.buses = new Collection(db, 'events.buses');
    this.rules = new Collection(db, 'events.rules');
  }

  bus(scope: Scope, name: string): BusRecord | undefined {
    const key = this.key(scope, name);
    let bus = this.busCache.get(key);
    if (!bus) {
      bus = this.buses.get(scope, name) ?? (name === DEFAULT_BUS ? this.createDefault(scope) : undefined);
      if (bus) this.busCache.set(key, bus);
    }
    return bus;
  }

  listBuses(scope: Scope): BusRecord[] {
    this.bus(scope, DEFAULT_BUS);
    return this.buses.list(scope);
  }

  putBus(scope: Scope, bus: BusRecord): void {
    this.buses.put(scope, bus.name, bus);
    this.busCache.delete(this.key(scope, bus.name));
  }

  deleteBus(scope: Scope, name: string): void {
    this.db.transaction(() => {
      for (const r of this.rules.list(scope, ruleId(name, ''))) this.rules.delete(scope, ruleId(name, r.name));
      this.buses.delete(scope, name);
    });
    this.cache.delete(this.key(scope, name));
    this.busCache.delete(this.key(scope, name));
  }

  private createDefault(scope: Scope): BusRecord {
    const t = this.now();
    const bus: BusRecord = { name: DEFAULT_BUS, arn: busArn(scope, DEFAULT_BUS), tags: [], created: t, modified: t };
    this.buses.put(scope, DEFAULT_BUS, bus);
    return bus;
  }

  rule(scope: Scope, bus: string, name: string): RuleRecord | undefined {
    return this.rules.get(scope, ruleId(bus, name));
  }

  /** The bus's rules in name order (cached for routing). */
  rulesOf(scope: Scope, bus: string): RuleRecord[] {
    const key = this.key(scope, bus);
    let list = this.cache.get(key);
    if (!list) {
      list = this.rules.list(scope, ruleId(bus, ''));
      this.cache.set(key, list);
    }
    return list;
  }

  putRule(scope: Scope, rule: RuleRecord): void {
    this.rules.put(scope, ruleId(rule.bus, rule.name), rule);
    this.cache.delete(this.key(scope, rule.bus));
  }

  deleteRule(scope: Scope, bus: string, name: string): void {
    this.rules.delete(scope, ruleId(bus, name));
    this.cache.delete(this.key(scope, bus));
  }

  /** Every rule in every account and region (the scheduler resumes from these). */
  allRules(): { scope: Scope; rule: RuleRecord }[] {
    return this.rules.all().map((r) => ({ scope: r.scope, rule: r.value }));
  }

  clearCache(): void {
    this.cache.clear();
    this.busCache.clear();
  }

  private key(scope: Scope, bus: string): string {
    return `${scope.accountId}|${scope.region}|${bus}`;
  }
}
