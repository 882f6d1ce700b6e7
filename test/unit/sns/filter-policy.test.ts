import { describe, expect, it } from 'vitest';
import { matchesPolicy, type FilterAttribute } from '../../../src/services/sns/filter-match.js';
import { FilterPolicyError, parseFilterPolicy, type FilterScope } from '../../../src/services/sns/filter-policy.js';

const s = (v: string): FilterAttribute => ({ DataType: 'String', StringValue: v });
const n = (v: string): FilterAttribute => ({ DataType: 'Number', StringValue: v });
const list = (...v: unknown[]): FilterAttribute => ({ DataType: 'String.Array', StringValue: JSON.stringify(v) });

// The message attributes of the AWS developer guide's filter policy examples.
const example: Record<string, FilterAttribute> = {
  customer_interests: list('soccer', 'rugby', 'hockey'),
  store: s('example_corp'),
  event: s('order_placed'),
  price_usd: n('210.75'),
  encrypted: { DataType: 'Binary', StringValue: undefined },
  source_ip: s('10.0.0.14'),
};

const attr = (policy: object, attributes: Record<string, FilterAttribute> = example) =>
  matchesPolicy(parseFilterPolicy(JSON.stringify(policy), 'MessageAttributes'), 'MessageAttributes', { attributes, body: '' });

const body = (policy: object, message: unknown) =>
  matchesPolicy(parseFilterPolicy(JSON.stringify(policy), 'MessageBody'), 'MessageBody', { attributes: {}, body: typeof message === 'string' ? message : JSON.stringify(message) });

describe('attribute-based filter policies (AWS examples)', () => {
  it.each([
    ['the guide\'s combined policy', { store: ['example_corp'], event: [{ 'anything-but': 'order_cancelled' }], customer_interests: ['rugby', 'football', 'baseball'], price_usd: [{ numeric: ['>=', 100] }] }, true],
    ['exact string', { store: ['example_corp'] }, true],
    ['exact string, other value', { store: ['other_corp'] }, false],
    ['any of several values', { event: ['order_cancelled', 'order_placed'] }, true],
    ['String.Array: any element', { customer_interests: ['rugby'] }, true],
    ['String.Array: no element', { customer_interests: ['tennis'] }, false],
    ['prefix', { event: [{ prefix: 'order_' }] }, true],
    ['suffix', { event: [{ suffix: '_placed' }] }, true],
    ['suffix mismatch', { event: [{ suffix: '_cancelled' }] }, false],
    ['equals-ignore-case', { store: [{ 'equals-ignore-case': 'EXAMPLE_Corp' }] }, true],
    ['anything-but list', { event: [{ 'anything-but': ['order_cancelled', 'order_returned'] }] }, true],
    ['anything-but matching value', { event: [{ 'anything-but': ['order_placed'] }] }, false],
    ['anything-but prefix', { event: [{ 'anything-but': { prefix: 'order' } }] }, false],
    ['anything-but suffix', { event: [{ 'anything-but': { suffix: '_shipped' } }] }, true],
    ['anything-but on a String.Array matches when one element differs', { customer_interests: [{ 'anything-but': ['rugby'] }] }, true],
    ['numeric equals', { price_usd: [{ numeric: ['=', 210.75] }] }, true],
    ['plain number is numeric equality', { price_usd: [210.75] }, true],
    ['numeric range', { price_usd: [{ numeric: ['>', 0, '<=', 210.75] }] }, true],
    ['numeric range excludes', { price_usd: [{ numeric: ['>', 0, '<', 150] }] }, false],
    ['numeric on a String attribute', { store: [{ numeric: ['>', 0] }] }, false],
    ['exists true', { store: [{ exists: true }] }, true],
    ['exists false on a present attribute', { store: [{ exists: false }] }, false],
    ['exists false on an absent attribute', { coupon: [{ exists: false }] }, true],
    ['absent attribute never matches a value', { coupon: ['x'] }, false],
    ['absent attribute and anything-but', { coupon: [{ 'anything-but': 'x' }] }, false],
    ['binary attributes are not matched', { encrypted: [{ exists: true }] }, false],
    ['cidr', { source_ip: [{ cidr: '10.0.0.0/24' }] }, true],
    ['cidr outside', { source_ip: [{ cidr: '10.0.1.0/24' }] }, false],
    ['$or, one branch', { store: ['example_corp'], $or: [{ event: ['order_cancelled'] }, { price_usd: [{ numeric: ['>', 200] }] }] }, true],
    ['$or, no branch', { store: ['example_corp'], $or: [{ event: ['order_cancelled'] }, { price_usd: [{ numeric: ['>', 300] }] }] }, false],
    ['all keys must match', { store: ['example_corp'], event: ['order_cancelled'] }, false],
  ])('%s', (_name, policy, expected) => {
    expect(attr(policy)).toBe(expected);
  });

  it('matches IPv6 ranges', () => {
    expect(attr({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: s('2001:db8:1::5') })).toBe(true);
    expect(attr({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: s('2001:db9::5') })).toBe(false);
  });
});

describe('payload-based filter policies', () => {
  const message = {
    Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'uploads' }, object: { size: 2048, key: 'img/cat.png' } } }],
    detail: { status: 'confirmed', retries: 0, flag: true, note: null },
  };
  it.each([
    ['nested key through an array of objects', { Records: { eventName: [{ prefix: 'ObjectCreated:' }] } }, true],
    ['deeply nested numeric', { Records: { s3: { object: { size: [{ numeric: ['>', 1024] }] } } } }, true],
    ['deeply nested suffix mismatch', { Records: { s3: { object: { key: [{ suffix: '.jpg' }] } } } }, false],
    ['top-level nested exact', { detail: { status: ['confirmed'] } }, true],
    ['booleans and null', { detail: { flag: [true], note: [null] } }, true],
    ['number zero is not "0"', { detail: { retries: ['0'] } }, false],
    ['missing key with exists false', { detail: { reason: [{ exists: false }] } }, true],
    ['$or over nested keys', { $or: [{ detail: { status: ['rejected'] } }, { Records: { s3: { bucket: { name: ['uploads'] } } } }] }, true],
  ])('%s', (_name, policy, expected) => {
    expect(body(policy, message)).toBe(expected);
  });

  it('does not match a body that is not a JSON object', () => {
    expect(body({ status: [{ exists: false }] }, 'plain text')).toBe(false);
    expect(body({ status: ['x'] }, '[1, 2]')).toBe(false);
  });
});

describe('filter policy validation', () => {
  const problem = (policy: unknown, scope: FilterScope = 'MessageAttributes') => {
    try {
      parseFilterPolicy(typeof policy === 'string' ? policy : JSON.stringify(policy), scope);
      return undefined;
    } catch (e) {
      expect(e).toBeInstanceOf(FilterPolicyError);
      return (e as Error).message;
    }
  };
  it.each([
    ['{not json', 'failed to parse JSON.'],
    [['a'], 'Filter policy must be a JSON object'],
    [{ a: ['1'], b: ['1'], c: ['1'], d: ['1'], e: ['1'], f: ['1'] }, 'Filter policy can not have more than 5 keys'],
    [{ a: 'x' }, '"a" must be an object or an array'],
    [{ a: { b: ['x'] } }, 'Filter policy scope MessageAttributes does not support nested filter policy'],
    [{ a: [['x']] }, 'Match value must be String, number, true, false, or null'],
    [{ a: [{ wildcard: 'x*' }] }, 'Unrecognized match type wildcard'],
    [{ a: [{ exists: 'yes' }] }, 'exists match pattern must be either true or false.'],
    [{ a: [{ numeric: ['>', 'x'] }] }, 'Value of > must be numeric'],
    [{ a: [{ numeric: ['~', 1] }] }, 'Unrecognized numeric range operator: ~'],
    [{ a: [{ numeric: ['<', 1, '>', 0] }] }, 'Too many elements in numeric expression'],
    [{ a: [{ numeric: ['>', 5, '<', 1] }] }, 'Bottom must be less than top'],
    [{ a: [{ cidr: '10.0.0.1' }] }, "Malformed CIDR, one '/' required: 10.0.0.1"],
    [{ a: Array.from({ length: 13 }, (_, i) => `v${i}`), b: Array.from({ length: 12 }, (_, i) => `w${i}`) }, 'Filter policy is too complex'],
  ])('%j is refused: %s', (policy, message) => {
    expect(problem(policy)).toBe(message);
  });

  it('accepts nesting in MessageBody scope', () => {
    expect(problem({ a: { b: ['x'] } }, 'MessageBody')).toBeUndefined();
  });
});
