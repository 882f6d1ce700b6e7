import type { Action, RuleCondition, Tag } from '../../aws/models/generated/elbv2.js';
import type { Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';
import type { HealthRecord } from './proxy/health-state.js';

export interface LoadBalancerRecord {
  arn: string;
  name: string;
  type: 'application' | 'network';
  scheme: 'internet-facing' | 'internal';
  ipAddressType: 'ipv4' | 'dualstack' | 'dualstack-without-public-ipv4';
  subnets: string[];
  securityGroups: string[];
  vpcId: string;
  dnsName: string;
  createdAt: number;
  attributes: Record<string, string>;
  tags: Tag[];
}

export interface ListenerRecord {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  /** HTTPS: the certificate (a Secrets Manager secret holding a PEM pair) and the policy named. */
  certificateArn?: string;
  /** Further certificates (AddListenerCertificates), served to clients that ask for their names by SNI. */
  sniCertificateArns?: string[];
  sslPolicy?: string;
  defaultActions: Action[];
  /** The ARN of the listener's default rule (it holds the default actions). */
  defaultRuleArn: string;
  tags: Tag[];
}

export interface RuleRecord {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
  tags: Tag[];
}

export interface HealthCheckSettings {
  protocol: 'HTTP' | 'HTTPS' | 'TCP';
  port: string;
  path: string;
  enabled: boolean;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: string;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  protocol: 'HTTP' | 'HTTPS' | 'TCP';
  protocolVersion: string;
  port: number;
  vpcId: string;
  targetType: 'instance' | 'ip';
  healthCheck: HealthCheckSettings;
  attributes: Record<string, string>;
  tags: Tag[];
  createdAt: number;
}

export interface TargetRecord {
  targetGroupArn: string;
  id: string;
  port: number;
  availabilityZone?: string;
  registeredAt: number;
}

/**
 * What the proxy knows of a target that must outlive a restart: its health (so a healthy
 * target keeps its traffic), its last address, and when its draining ends.
 */
export interface TargetStateRecord {
  targetGroupArn: string;
  id: string;
  port: number;
  health: HealthRecord;
  address?: string;
  /** Draining: when the deregistration delay runs out, on the clock (real time under a time scale). */
  drainDeadline?: number;
}

export function targetKey(tgArn: string, id: string, port: number): string {
  return `${tgArn}|${id}|${port}`;
}

/** The ARN prefix of every listener of a load balancer (listener/app/<name>/<id>/...). */
export function listenerPrefix(lbArn: string): string {
  return lbArn.replace(':loadbalancer/', ':listener/') + '/';
}

/** The ARN prefix of every rule of a listener (listener-rule/app/<name>/<lb>/<listener>/...). */
export function rulePrefix(listenerArn: string): string {
  return listenerArn.replace(':listener/', ':listener-rule/') + '/';
}

/** The listener a rule ARN belongs to. */
export function listenerOfRule(ruleArn: string): string {
  return ruleArn.replace(':listener-rule/', ':listener/').replace(/\/[^/]*$/, '');
}

/** The load balancer a listener ARN belongs to. */
export function loadBalancerOfListener(listenerArn: string): string {
  return listenerArn.replace(':listener/', ':loadbalancer/').replace(/\/[^/]*$/, '');
}

/** Load balancers, listeners, rules, target groups and registered targets, keyed by ARN. */
export class Elbv2Store {
  readonly loadBalancers: Collection<LoadBalancerRecord>;
  readonly listeners: Collection<ListenerRecord>;
  readonly rules: Collection<RuleRecord>;
  readonly targetGroups: Collection<TargetGroupRecord>;
  readonly targets: Collection<TargetRecord>;
  readonly targetStates: Collection<TargetStateRecord>;

  constructor(readonly db: Database) {
    this.loadBalancers = new Collection(db, 'elbv2.load-balancers');
    this.listeners = new Collection(db, 'elbv2.listeners');
    this.rules = new Collection(db, 'elbv2.rules');
    this.targetGroups = new Collection(db, 'elbv2.target-groups');
    this.targets = new Collection(db, 'elbv2.targets');
    this.targetStates = new Collection(db, 'elbv2.target-states');
  }

  listenersOf(scope: Scope, lbArn: string): ListenerRecord[] {
    return this.listeners.list(scope, listenerPrefix(lbArn));
  }

  rulesOf(scope: Scope, listenerArn: string): RuleRecord[] {
    return this.rules.list(scope, rulePrefix(listenerArn)).sort((a, b) => a.priority - b.priority);
  }

  targetsOf(scope: Scope, tgArn: string): TargetRecord[] {
    return this.targets.list(scope, `${tgArn}|`);
  }

  targetStatesOf(scope: Scope, tgArn: string): TargetStateRecord[] {
    return this.targetStates.list(scope, `${tgArn}|`);
  }

  /** Every action (listener defaults and rules) of a load balancer. */
  actionsOf(scope: Scope, lbArn: string): Action[] {
    const out: Action[] = [];
    for (const l of this.listenersOf(scope, lbArn)) {
      out.push(...l.defaultActions);
      for (const r of this.rulesOf(scope, l.arn)) out.push(...r.actions);
    }
    return out;
  }

  /** The load balancers whose listeners or rules forward to the target group. */
  loadBalancersUsing(scope: Scope, tgArn: string): string[] {
    return this.loadBalancers
      .list(scope)
      .filter((lb) => this.actionsOf(scope, lb.arn).some((a) => forwardTargets(a).includes(tgArn)))
      .map((lb) => lb.arn);
  }
}

/** The target group ARNs a forward action sends to. */
export function forwardTargets(a: Action): string[] {
  if (a.Type !== 'forward') return [];
  if (a.ForwardConfig?.TargetGroups?.length) return a.ForwardConfig.TargetGroups.map((t) => t.TargetGroupArn ?? '').filter(Boolean);
  return a.TargetGroupArn ? [a.TargetGroupArn] : [];
}
