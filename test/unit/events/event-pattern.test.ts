import { describe, expect, it } from 'vitest';
import { EventPattern, PatternError } from '../../../src/services/common/event-pattern/index.js';

// The EC2 event from the EventBridge user guide's pattern examples.
const ec2 = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2017-10-02T18:43:48Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated', 'c-count': 3, 'd-count': 7, 'x-limit': 301.8, sourceIPAddress: '10.0.0.12' },
};
const withDetail = (detail: Record<string, unknown>) => ({ ...ec2, detail });

const cases: [string, unknown, object, boolean][] = [
  ['source, detail-type and nested state', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }, ec2, true],
  ['values in an array are OR', { source: ['aws.ec2', 'aws.fargate'] }, ec2, true],
  ['a different state', { detail: { state: ['running'] } }, ec2, false],
  ['a missing field does not match', { detail: { nope: ['x'] } }, ec2, false],
  ['exact matching is case sensitive', { source: ['AWS.EC2'] }, ec2, false],
  ['prefix on time', { time: [{ prefix: '2017-10-02' }] }, ec2, true],
  ['prefix that does not fit', { time: [{ prefix: '2018' }] }, ec2, false],
  ['prefix equals-ignore-case', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'eventbridge' }), true],
  ['suffix', { detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'a/b.png' }), true],
  ['suffix is case sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'a/b.PNG' }), false],
  ['suffix equals-ignore-case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, withDetail({ FileName: 'a/b.PNG' }), true],
  ['equals-ignore-case', { detail: { name: [{ 'equals-ignore-case': 'alice' }] } }, withDetail({ name: 'ALICE' }), true],
  ['wildcard', { detail: { FilePath: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FilePath: 'dir/sub/x.png' }), true],
  ['wildcard that does not fit', { detail: { FilePath: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FilePath: 'other/x.png' }), false],
  ['escaped wildcard star is literal', { detail: { p: [{ wildcard: 'a\\*b' }] } }, withDetail({ p: 'a*b' }), true],
  ['escaped wildcard star is not a wildcard', { detail: { p: [{ wildcard: 'a\\*b' }] } }, withDetail({ p: 'axxb' }), false],
  ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2, true],
  ['anything-but the value itself', { detail: { state: [{ 'anything-but': 'terminated' }] } }, ec2, false],
  ['anything-but a number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2, true],
  ['anything-but a list of strings', { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, ec2, false],
  ['anything-but a list of numbers', { detail: { 'c-count': [{ 'anything-but': [100, 200, 300] }] } }, ec2, true],
  ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, ec2, true],
  ['anything-but prefix excluded', { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, ec2, false],
  ['anything-but suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } }, withDetail({ FileName: 'x.png' }), false],
  ['anything-but equals-ignore-case', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED'] } }] } }, ec2, false],
  ['anything-but wildcard', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, withDetail({ FilePath: '/usr/lib/x' }), false],
  ['anything-but wildcard passes others', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, withDetail({ FilePath: '/usr/bin/x' }), true],
  ['anything-but needs the field', { detail: { nope: [{ 'anything-but': 'x' }] } }, ec2, false],
  ['numeric ranges, all must hold', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, ec2, true],
  ['numeric out of range', { detail: { 'c-count': [{ numeric: ['>', 3] }] } }, ec2, false],
  ['numeric on a string never matches', { detail: { state: [{ numeric: ['>', 0] }] } }, ec2, false],
  ['numbers compare by value', { detail: { 'x-limit': [301.80] } }, ec2, true],
  ['cidr', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, ec2, true],
  ['cidr outside', { detail: { sourceIPAddress: [{ cidr: '10.0.1.0/24' }] } }, ec2, false],
  ['cidr IPv6', { detail: { ip: [{ cidr: '2001:db8::/32' }] } }, withDetail({ ip: '2001:db8:0:1::5' }), true],
  ['exists true', { detail: { state: [{ exists: true }] } }, ec2, true],
  ['exists false', { detail: { 'c-count': [{ exists: false }] } }, withDetail({ state: ['initializing', 'running'] }), true],
  ['exists false on an object field (not a leaf)', { detail: { 'c-count': [{ exists: false }] } }, withDetail({ state: 'x', 'c-count': { c1: 100 } }), true],
  ['exists false when present', { detail: { state: [{ exists: false }] } }, ec2, false],
  ['exists true on an object field', { detail: { 'c-count': [{ exists: true }] } }, withDetail({ 'c-count': { c1: 100 } }), false],
  ['null value', { detail: { responseElements: [null] } }, withDetail({ responseElements: null }), true],
  ['null does not match a missing field', { detail: { responseElements: [null] } }, withDetail({}), false],
  ['empty string', { detail: { LastName: [''] } }, withDetail({ LastName: '' }), true],
  ['booleans', { detail: { ok: [true] } }, withDetail({ ok: true }), true],
  ['an event array matches when any element matches', { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0', 'other'] }, ec2, true],
  ['an array of values in the event', { detail: { state: ['running'] } }, withDetail({ state: ['initializing', 'running'] }), true],
  ['$or across fields', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } }, ec2, true],
  ['$or where no branch holds', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['>', 10] }] }] } }, ec2, false],
  ['$or at the top with source', { source: ['aws.ec2'], $or: [{ 'detail-type': ['nope'] }, { detail: { state: ['terminated'] } }] }, ec2, true],
  ['dots join path steps', { 'detail.state': ['terminated'] }, ec2, true],
  ['fields of one array element stay together', { detail: { items: { a: [1], b: [4] } } }, withDetail({ items: [{ a: 1, b: 2 }, { a: 3, b: 4 }] }), false],
  ['fields of the same array element', { detail: { items: { a: [3], b: [4] } } }, withDetail({ items: [{ a: 1, b: 2 }, { a: 3, b: 4 }] }), true],
  ['exists false with an alternative value', { detail: { tier: [{ exists: false }, 'gold'] } }, withDetail({ tier: 'gold' }), true],
];

describe('event patterns (AWS documented examples)', () => {
  it.each(cases)('%s', (_name, pattern, event, expected) => {
    expect(EventPattern.compile(JSON.stringify(pattern)).matches(event)).toBe(expected);
  });
});

const invalid: [unknown, string, string][] = [
  ['not json', 'not valid JSON', ''],
  [[], 'Filter is not an object', ''],
  [{}, 'Empty objects are not allowed', ''],
  [{ source: 'aws.ec2' }, '"source" must be an object or an array', 'source'],
  [{ source: [] }, 'Empty arrays are not allowed', 'source'],
  [{ detail: { state: [['x']] } }, 'Match value must be String, number, true, false, or null', 'detail.state'],
  [{ detail: { state: [{ prefix: 1 }] } }, 'prefix match pattern must be a string', 'detail.state'],
  [{ detail: { state: [{ bogus: 'x' }] } }, 'Unrecognized match type bogus', 'detail.state'],
  [{ detail: { state: [{ prefix: 'a', suffix: 'b' }] } }, 'Only one key allowed in match expression', 'detail.state'],
  [{ detail: { n: [{ numeric: '>' }] } }, 'Value of numeric must be an array.', 'detail.n'],
  [{ detail: { n: [{ numeric: ['>', 'x'] }] } }, 'Value of > must be numeric', 'detail.n'],
  [{ detail: { n: [{ numeric: ['!', 1] }] } }, 'Unrecognized numeric range operator: !', 'detail.n'],
  [{ detail: { n: [{ numeric: ['<', 1, '>', 0] }] } }, 'Bad numeric range operator: >', 'detail.n'],
  [{ detail: { n: [{ numeric: ['=', 1, '<', 3] }] } }, 'Too many elements in numeric expression', 'detail.n'],
  [{ detail: { n: [{ 'anything-but': ['a', 1] }] } }, 'mixed type is not supported', 'detail.n'],
  [{ detail: { n: [{ 'anything-but': { contains: 'a' } }] } }, 'Unsupported anything-but pattern: contains', 'detail.n'],
  [{ detail: { n: [{ 'anything-but': { prefix: '' } }] } }, 'Null prefix/suffix not allowed', 'detail.n'],
  [{ detail: { n: [{ exists: 'yes' }] } }, 'exists match pattern must be either true or false.', 'detail.n'],
  [{ detail: { n: [{ cidr: '10.0.0.0/33' }] } }, 'Nonsensical CIDR IP address: 10.0.0.0/33', 'detail.n'],
  [{ detail: { n: [{ wildcard: 'a**b' }] } }, 'Consecutive wildcard characters at pos 2', 'detail.n'],
  [{ detail: { n: [{ wildcard: 'a\\b' }] } }, 'Invalid escape character at pos 2', 'detail.n'],
  [{ detail: { $or: [{ a: ['x'] }] } }, 'There must have at least 2 Objects in $or relationship.', 'detail'],
  [{ $or: [{ a: ['x'] }, 'b'] }, 'Only JSON object is allowed in array of $or relationship.', ''],
];

describe('invalid event patterns name the problem and where it is', () => {
  it.each(invalid)('%j', (pattern, reason, at) => {
    const text = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
    let error: unknown;
    try {
      EventPattern.compile(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PatternError);
    expect((error as PatternError).reason).toContain(reason);
    expect((error as PatternError).at).toBe(at);
  });
});
