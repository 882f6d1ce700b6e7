import type { Tag } from '../../aws/models/generated/elbv2.js';
import { formatArn } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { hexId } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';

export function validation(message: string): ServiceError {
  return new ServiceError('ValidationError', message, { statusCode: 400 });
}

export function invalidConfig(message: string): ServiceError {
  return new ServiceError('InvalidConfigurationRequestException', message);
}

export const notFound = {
  loadBalancer: (what = 'One or more load balancers not found') => new ServiceError('LoadBalancerNotFoundException', what),
  targetGroup: (what = 'One or more target groups not found') => new ServiceError('TargetGroupNotFoundException', what),
  listener: (what = 'One or more listeners not found') => new ServiceError('ListenerNotFoundException', what),
  rule: (what = 'One or more rules not found') => new ServiceError('RuleNotFoundException', what),
};

export function elbArn(scope: Scope, resource: string): string {
  return formatArn({ service: 'elasticloadbalancing', region: scope.region, accountId: scope.accountId, resource });
}

/** The 16-hex-digit id AWS puts at the end of load balancer, listener and target group ARNs. */
export function resourceId(): string {
  return hexId(16);
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

/** Load balancer and target group names: 1-32 alphanumerics and hyphens, no hyphen at either end. */
export function checkName(kind: 'Load balancer' | 'Target group', name: string): void {
  if (name.length > 32) throw validation(`${kind} name '${name}' cannot be longer than '32' characters`);
  if (!NAME.test(name)) {
    throw validation(`${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-), and must not begin or end with a hyphen`);
  }
  if (kind === 'Load balancer' && name.toLowerCase().startsWith('internal-')) throw validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
}

/** Tags merged by key, at most 50; a request naming a key twice is refused. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const t of added) {
    if (seen.has(t.Key)) throw new ServiceError('DuplicateTagKeysException', `Tag key '${t.Key}' is duplicated`);
    seen.add(t.Key);
  }
  const merged = new Map(existing.map((t) => [t.Key, t.Value ?? '']));
  for (const t of added) merged.set(t.Key, t.Value ?? '');
  if (merged.size > 50) throw new ServiceError('TooManyTagsException', 'The quota for the number of tags that can be assigned to a load balancer has been reached');
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

/** AWS's attribute lists: every key with a value, in key order. */
export function attributeList(attrs: Record<string, string>): { Key: string; Value: string }[] {
  return Object.keys(attrs)
    .sort()
    .map((Key) => ({ Key, Value: attrs[Key] }));
}

export interface AttributeRule {
  /** A check of the value; returns an error message when it is not acceptable. */
  check(value: string): string | undefined;
}

export const integerIn = (min: number, max: number): AttributeRule => ({
  check: (v) => (/^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `must be an integer between ${min} and ${max}`),
});
export const oneOf = (...values: string[]): AttributeRule => ({
  check: (v) => (values.includes(v) ? undefined : `must be one of ${values.map((x) => `'${x}'`).join(', ')}`),
});
export const BOOLEAN = oneOf('true', 'false');
export const ANY: AttributeRule = { check: () => undefined };

/** Applies attribute changes after checking every key and value against the rules. */
export function applyAttributes(
  kind: 'Load balancer' | 'Target group',
  current: Record<string, string>,
  changes: { Key?: string; Value?: string }[],
  rules: Record<string, AttributeRule>,
): Record<string, string> {
  const next = { ...current };
  for (const { Key, Value } of changes) {
    const rule = Key === undefined ? undefined : rules[Key];
    if (!Key || !rule) throw validation(`${kind} attribute key '${Key ?? ''}' is not recognized`);
    const problem = rule.check(Value ?? '');
    if (problem) throw validation(`${kind} attribute '${Key}' value '${Value ?? ''}' is not valid: it ${problem}`);
    next[Key] = Value ?? '';
  }
  return next;
}
