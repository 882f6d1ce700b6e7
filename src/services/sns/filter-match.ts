import { isIP } from 'node:net';
import type { Condition, FilterScope, PolicyNode, Scalar } from './filter-policy.js';

/** A message attribute as a filter policy sees it. */
export interface FilterAttribute {
  DataType: string;
  StringValue?: string;
}

export interface FilterInput {
  attributes: Record<string, FilterAttribute>;
  body: string;
}

/** Evaluates a parsed filter policy against a message's attributes or JSON body. Pure. */
export function matchesPolicy(policy: PolicyNode, scope: FilterScope, message: FilterInput): boolean {
  if (scope === 'MessageAttributes') return matchNode(policy, (key) => attributeValues(message.attributes[key]));
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return false;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  return matchPayload(policy, [body]);
}

type Lookup = (key: string) => Scalar[] | undefined;

function matchNode(node: PolicyNode, lookup: Lookup): boolean {
  for (const [key, conditions] of node.fields) {
    if (!Array.isArray(conditions)) return false; // nesting is refused for attribute policies
    if (!matchConditions(conditions, lookup(key))) return false;
  }
  return node.or.length === 0 || node.or.some((alt) => matchNode(alt, lookup));
}

/** Payload policies: keys descend into objects; arrays anywhere on the path match by any element. */
function matchPayload(node: PolicyNode, objects: unknown[]): boolean {
  for (const [key, value] of node.fields) {
    const children = objects.flatMap((o) => expand(isRecord(o) && Object.hasOwn(o, key) ? [o[key]] : []));
    if (Array.isArray(value)) {
      const present = children.filter((c) => !isRecord(c));
      if (!matchConditions(value, children.length ? present : undefined)) return false;
    } else if (!matchPayload(value, children.filter(isRecord))) {
      return false;
    }
  }
  return node.or.length === 0 || node.or.some((alt) => matchPayload(alt, objects));
}

function expand(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? expand(v) : [v]));
}

/** The values an attribute offers a policy: a String, a Number, or the elements of a String.Array. */
function attributeValues(attr: FilterAttribute | undefined): Scalar[] | undefined {
  if (!attr || attr.StringValue === undefined) return undefined;
  const type = attr.DataType.split('.')[0];
  if (type === 'Number') return [Number(attr.StringValue)];
  if (attr.DataType === 'String.Array') {
    try {
      const list: unknown = JSON.parse(attr.StringValue);
      return Array.isArray(list) ? list.filter(isScalar) : undefined;
    } catch {
      return undefined;
    }
  }
  return type === 'String' ? [attr.StringValue] : undefined;
}

/** A key matches when any of its conditions holds; an absent key only satisfies `exists: false`. */
function matchConditions(conditions: Condition[], values: unknown[] | undefined): boolean {
  return conditions.some((c) => {
    if (c.kind === 'exists') return c.value === (values !== undefined);
    return values !== undefined && values.some((v) => matchValue(c, v));
  });
}

function matchValue(c: Exclude<Condition, { kind: 'exists' }>, v: unknown): boolean {
  switch (c.kind) {
    case 'exact':
      return v === c.value;
    case 'prefix':
      return typeof v === 'string' && v.startsWith(c.value);
    case 'suffix':
      return typeof v === 'string' && v.endsWith(c.value);
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === c.value.toLowerCase();
    case 'anything-but':
      return (typeof v === 'string' || typeof v === 'number') && !c.values.includes(v);
    case 'anything-but-prefix':
      return typeof v === 'string' && !v.startsWith(c.value);
    case 'anything-but-suffix':
      return typeof v === 'string' && !v.endsWith(c.value);
    case 'numeric':
      return typeof v === 'number' && c.bounds.every(([op, n]) => compare(op, v, n));
    case 'cidr': {
      const family = typeof v === 'string' ? isIP(v) : 0;
      return family !== 0 && c.network.check(v as string, family === 6 ? 'ipv6' : 'ipv4');
    }
  }
}

function compare(op: string, v: number, n: number): boolean {
  switch (op) {
    case '<':
      return v < n;
    case '<=':
      return v <= n;
    case '>':
      return v > n;
    case '>=':
      return v >= n;
    default:
      return v === n;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is Scalar {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}
