import { BlockList, isIP } from 'node:net';

/**
 * SNS subscription filter policies: parsing and validation into conditions that
 * filter-match.ts evaluates. Pure: no service state, no I/O.
 */

export type FilterScope = 'MessageAttributes' | 'MessageBody';

export type Scalar = string | number | boolean | null;

export type Condition =
  | { kind: 'exact'; value: Scalar }
  | { kind: 'prefix' | 'suffix' | 'equals-ignore-case'; value: string }
  | { kind: 'anything-but'; values: Scalar[] }
  | { kind: 'anything-but-prefix' | 'anything-but-suffix'; value: string }
  | { kind: 'numeric'; bounds: [op: string, value: number][] }
  | { kind: 'exists'; value: boolean }
  | { kind: 'cidr'; network: BlockList };

/** A policy object: conditions per key (nested objects for payload policies) and `$or` alternatives. */
export interface PolicyNode {
  fields: Map<string, Condition[] | PolicyNode>;
  or: PolicyNode[];
}

export class FilterPolicyError extends Error {}

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
const NUMERIC_LIMIT = 1_000_000_000;

/** Parses and validates a FilterPolicy attribute; throws FilterPolicyError with AWS's reason. */
export function parseFilterPolicy(text: string, scope: FilterScope): PolicyNode {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new FilterPolicyError('failed to parse JSON.');
  }
  if (!isObject(doc)) throw new FilterPolicyError('Filter policy must be a JSON object');
  const keys = Object.keys(doc).filter((k) => k !== '$or');
  if (keys.length > MAX_KEYS) throw new FilterPolicyError(`Filter policy can not have more than ${MAX_KEYS} keys`);
  const node = parseNode(doc, scope, 1);
  if (combinations(node) > MAX_COMBINATIONS) throw new FilterPolicyError('Filter policy is too complex');
  return node;
}

function parseNode(doc: Record<string, unknown>, scope: FilterScope, depth: number): PolicyNode {
  const node: PolicyNode = { fields: new Map(), or: [] };
  for (const [key, value] of Object.entries(doc)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
        throw new FilterPolicyError('Or statement must be an array of at least two objects');
      }
      node.or = value.map((alt) => parseNode(alt as Record<string, unknown>, scope, depth + 1));
    } else if (Array.isArray(value)) {
      node.fields.set(key, value.map((v) => parseCondition(key, v)));
    } else if (isObject(value)) {
      if (scope === 'MessageAttributes') throw new FilterPolicyError('Filter policy scope MessageAttributes does not support nested filter policy');
      node.fields.set(key, parseNode(value, scope, depth + 1));
    } else {
      throw new FilterPolicyError(`"${key}" must be an object or an array`);
    }
  }
  return node;
}

function parseCondition(key: string, v: unknown): Condition {
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return { kind: 'exact', value: v };
  if (typeof v === 'number') return { kind: 'exact', value: checkNumber(v) };
  if (!isObject(v)) throw new FilterPolicyError('Match value must be String, number, true, false, or null');
  const entries = Object.entries(v);
  if (entries.length !== 1) throw new FilterPolicyError(`Only one key allowed in match expression for "${key}"`);
  const [op, arg] = entries[0];
  switch (op) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new FilterPolicyError(`${op} match pattern must be a string`);
      return { kind: op, value: arg };
    case 'anything-but':
      return anythingBut(arg);
    case 'numeric':
      return { kind: 'numeric', bounds: numericBounds(arg) };
    case 'exists':
      if (typeof arg !== 'boolean') throw new FilterPolicyError('exists match pattern must be either true or false.');
      return { kind: 'exists', value: arg };
    case 'cidr':
      return { kind: 'cidr', network: parseCidr(arg) };
    default:
      throw new FilterPolicyError(`Unrecognized match type ${op}`);
  }
}

function anythingBut(arg: unknown): Condition {
  if (typeof arg === 'string' || typeof arg === 'number') return { kind: 'anything-but', values: [arg] };
  if (Array.isArray(arg)) {
    if (!arg.every((a) => typeof a === 'string' || typeof a === 'number')) {
      throw new FilterPolicyError('Inside anything but list, start|null|boolean is not supported.');
    }
    return { kind: 'anything-but', values: arg as Scalar[] };
  }
  if (isObject(arg)) {
    const [[op, value]] = Object.entries(arg).length === 1 ? Object.entries(arg) : [['', undefined]];
    if ((op === 'prefix' || op === 'suffix') && typeof value === 'string') return { kind: `anything-but-${op}`, value };
    throw new FilterPolicyError('Unsupported anything-but pattern: only prefix and suffix may be nested in anything-but');
  }
  throw new FilterPolicyError('Value of anything-but must be an array or single string/number value.');
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

function numericBounds(arg: unknown): [string, number][] {
  if (!Array.isArray(arg) || arg.length === 0) throw new FilterPolicyError('Value of numeric must be an array.');
  const bounds: [string, number][] = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    if (typeof op !== 'string') throw new FilterPolicyError(`Invalid member in numeric match: ${String(op)}`);
    if (!LOWER.has(op) && !UPPER.has(op) && op !== '=') throw new FilterPolicyError(`Unrecognized numeric range operator: ${op}`);
    const value = arg[i + 1];
    if (typeof value !== 'number') throw new FilterPolicyError(`Value of ${op} must be numeric`);
    bounds.push([op, checkNumber(value)]);
  }
  if (bounds.length > 2) throw new FilterPolicyError('Too many elements in numeric expression');
  if (bounds.length === 2) {
    const [[lowOp, low], [highOp, high]] = bounds;
    if (!LOWER.has(lowOp)) throw new FilterPolicyError('Too many elements in numeric expression');
    if (!UPPER.has(highOp)) throw new FilterPolicyError(`Bad numeric range operator: ${highOp}`);
    if (!(low < high)) throw new FilterPolicyError('Bottom must be less than top');
  }
  return bounds;
}

function checkNumber(n: number): number {
  if (!(Math.abs(n) < NUMERIC_LIMIT)) throw new FilterPolicyError(`Numeric values must be between -${NUMERIC_LIMIT} and ${NUMERIC_LIMIT}`);
  return n;
}

/** Parses `10.0.0.0/24` or an IPv6 prefix into a set of addresses an IP can be checked against. */
export function parseCidr(arg: unknown): BlockList {
  const text = typeof arg === 'string' ? arg : '';
  const [ip, bitsText, extra] = text.split('/');
  const family = isIP(ip ?? '');
  const bits = Number(bitsText);
  if (!family || extra !== undefined || !/^\d+$/.test(bitsText ?? '') || bits > (family === 6 ? 128 : 32)) {
    throw new FilterPolicyError(`Malformed CIDR, one '/' required: ${text}`);
  }
  const list = new BlockList();
  list.addSubnet(ip, bits, family === 6 ? 'ipv6' : 'ipv4');
  return list;
}

function combinations(node: PolicyNode): number {
  let product = 1;
  for (const value of node.fields.values()) product *= Array.isArray(value) ? value.length : combinations(value);
  if (node.or.length) product *= node.or.reduce((sum, alt) => sum + combinations(alt), 0);
  return product;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
