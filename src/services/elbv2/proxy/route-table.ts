import type { Action } from '../../../aws/models/generated/elbv2.js';
import type { Scope } from '../../../core/scope.js';
import { compileConditions, type Matcher, type RequestFacts } from '../conditions.js';
import type { Elbv2Store, ListenerRecord, LoadBalancerRecord } from '../store.js';
import { WeightedPicker } from './weighted.js';

/** An action ready to run: a forward action keeps its own weighted picker. */
export interface Route {
  action: Action;
  picker: WeightedPicker;
}

/** A listener's rules compiled for the proxy: evaluated in priority order, then the default. */
export interface RouteTable {
  scope: Scope;
  listener: ListenerRecord;
  lb: LoadBalancerRecord;
  rules: { matches: Matcher; route: Route }[];
  fallback: Route;
}

export function buildRouteTable(store: Elbv2Store, scope: Scope, listener: ListenerRecord): RouteTable | undefined {
  const lb = store.loadBalancers.get(scope, listener.loadBalancerArn);
  if (!lb) return undefined;
  const route = (actions: Action[]): Route => ({ action: actions[actions.length - 1], picker: new WeightedPicker() });
  return {
    scope,
    listener,
    lb,
    rules: store.rulesOf(scope, listener.arn).map((r) => ({ matches: compileConditions(r.conditions), route: route(r.actions) })),
    fallback: route(listener.defaultActions),
  };
}

export function selectRoute(table: RouteTable, facts: RequestFacts): Route {
  for (const r of table.rules) if (r.matches(facts)) return r.route;
  return table.fallback;
}

/** The CloudWatch dimension value of a load balancer or target group ARN (app/name/id, targetgroup/name/id). */
const dimensions = new Map<string, string>();

export function dimensionOf(arn: string): string {
  let d = dimensions.get(arn);
  if (d === undefined) {
    if (dimensions.size > 10_000) dimensions.clear(); // ARNs of deleted resources do not pile up
    dimensions.set(arn, (d = dimensionFromArn(arn)));
  }
  return d;
}

function dimensionFromArn(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.startsWith('loadbalancer/') ? resource.slice('loadbalancer/'.length) : resource;
}
