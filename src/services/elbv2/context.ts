import type { RequestContext } from '../../aws/gateway/context.js';
import type { Elbv2Operations } from '../../aws/models/generated/elbv2.js';
import type { Clock } from '../../core/clock.js';
import type { ProxyEngine } from './proxy/engine.js';
import type { Elbv2Store, ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from './store.js';
import { listenerOfRule, loadBalancerOfListener } from './store.js';
import { notFound } from './common.js';
import type { Scope } from '../../core/scope.js';

export type Ops = Partial<Elbv2Operations<RequestContext>>;

/** What the operation handlers share. */
export interface Elbv2 {
  store: Elbv2Store;
  engine: ProxyEngine;
  clock: Clock;
}

export function getLoadBalancer(e: Elbv2, scope: Scope, arn: string): LoadBalancerRecord {
  const lb = e.store.loadBalancers.get(scope, arn);
  if (!lb) throw notFound.loadBalancer(`Load balancer '${arn}' not found`);
  return lb;
}

export function getTargetGroup(e: Elbv2, scope: Scope, arn: string): TargetGroupRecord {
  const tg = e.store.targetGroups.get(scope, arn);
  if (!tg) throw notFound.targetGroup(`Target groups '${arn}' not found`);
  return tg;
}

export function getListener(e: Elbv2, scope: Scope, arn: string): ListenerRecord {
  const l = e.store.listeners.get(scope, arn);
  if (!l || !e.store.loadBalancers.has(scope, loadBalancerOfListener(arn))) throw notFound.listener(`Listener '${arn}' not found`);
  return l;
}

export function getRule(e: Elbv2, scope: Scope, arn: string): RuleRecord {
  const r = e.store.rules.get(scope, arn);
  if (!r || !e.store.listeners.has(scope, listenerOfRule(arn))) throw notFound.rule(`Rule '${arn}' not found`);
  return r;
}

/** Describe calls page with Marker/NextMarker over items in key order. */
export function page<T>(items: T[], key: (t: T) => string, marker: string | undefined, size: number | undefined): { items: T[]; next?: string } {
  const start = marker ? items.findIndex((i) => key(i) > Buffer.from(marker, 'base64url').toString('utf8')) : 0;
  const from = start < 0 ? items.length : start;
  const max = size ?? 400;
  const slice = items.slice(from, from + max);
  const more = from + max < items.length;
  return { items: slice, next: more ? Buffer.from(key(slice[slice.length - 1]), 'utf8').toString('base64url') : undefined };
}
