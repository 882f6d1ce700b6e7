import { describe, expect, it } from 'vitest';
import { parseFilterPattern, splitDelimited } from '../../../src/services/logs/filter-pattern.js';

// The example events of the AWS filter pattern documentation (unstructured, JSON, delimited).
const UNSTRUCTURED = [
  '[ERROR 400] BAD REQUEST',
  '[ERROR 401] UNAUTHORIZED REQUEST',
  '[ERROR 419] MISSING ARGUMENTS',
  '[ERROR 420] INVALID ARGUMENTS',
  '[WARN] Exiting with ERRORCODE: -1',
  '[SUCCESS 200] AUTHORIZED REQUEST',
];

const JSON_EVENT = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '123.123.123.123',
  arrayKey: ['value', 'another value'],
  objectList: [{ name: 'a', id: 1 }, { name: 'b', id: 2 }],
  SomeObject: null,
  cluster: { client: 'rds' },
  ThisFlag: true,
  latency: 150,
  level: 'ERROR',
});

const APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534';

describe('filter patterns on unstructured events', () => {
  const cases: [string, number[]][] = [
    ['', [0, 1, 2, 3, 4, 5]],
    ['""', [0, 1, 2, 3, 4, 5]],
    ['ERROR', [0, 1, 2, 3, 4]],
    ['ERROR ARGUMENTS', [2, 3]],
    ['?ERROR ?WARN', [0, 1, 2, 3, 4]],
    ['?WARN ?SUCCESS', [4, 5]],
    ['ERROR -ARGUMENTS', [0, 1, 4]],
    ['-ERROR', [5]],
    ['"BAD REQUEST"', [0]],
    ['"ERROR 4"', [0, 1, 2, 3]],
    ['%AUTHORIZED%', [1, 5]],
    ['%ERROR 4[12][09]%', [2, 3]],
    ['%^\\[WARN%', [4]],
    ['error', []],
  ];
  it.each(cases)('%j matches events %j', (pattern, expected) => {
    const p = parseFilterPattern(pattern);
    expect(UNSTRUCTURED.map((m, i) => (p.test(m) ? i : -1)).filter((i) => i >= 0)).toEqual(expected);
  });

  it('lists the substrings SQL can check first, and whether they decide the match', () => {
    expect(parseFilterPattern('ERROR "BAD REQUEST"')).toMatchObject({ required: ['ERROR', 'BAD REQUEST'], exact: true });
    expect(parseFilterPattern('ERROR -x')).toMatchObject({ required: ['ERROR'], exact: false });
    expect(parseFilterPattern('?a ?b')).toMatchObject({ required: [], exact: false });
  });

  it('refuses broken patterns with InvalidParameterException naming the position', () => {
    expect(() => parseFilterPattern('"unterminated')).toThrow(/unterminated quoted term at position 1/);
    expect(() => parseFilterPattern('%(group)%')).toThrow(/\(\) operator is not supported/);
    expect(() => parseFilterPattern('a{b')).toThrow(/must be inside a quoted term/);
  });
});

describe('JSON filter patterns', () => {
  const cases: [string, boolean][] = [
    ['{ $.eventType = "UpdateTrail" }', true],
    ['{ $.eventType = UpdateTrail }', true],
    ['{ $.eventType != "UpdateTrail" }', false],
    ['{ $.sourceIPAddress != 123.123.* }', false],
    ['{ $.sourceIPAddress = 123.123.* }', true],
    ['{ $.eventType = %Update% }', true],
    ['{ $.arrayKey[0] = "value" }', true],
    ['{ $.arrayKey[1] = "value" }', false],
    ['{ $.arrayKey[*] = "another value" }', true],
    ['{ $.objectList[1].id = 2 }', true],
    ['{ $.objectList[*].name = "b" }', true],
    ['{ $.latency > 100 }', true],
    ['{ $.latency >= 150 && $.latency <= 150 }', true],
    ['{ $.latency < 100 }', false],
    ['{ $.level = "ERROR" && $.latency > 100 }', true],
    ['{ $.level = "ERROR" && $.latency > 1000 }', false],
    ['{ ($.level = "WARN" || $.latency > 100) && $.cluster.client = "rds" }', true],
    ['{ $.SomeObject IS NULL }', true],
    ['{ $.cluster IS NULL }', false],
    ['{ $.ThisFlag IS TRUE }', true],
    ['{ $.ThisFlag IS FALSE }', false],
    ['{ $.cluster.client EXISTS }', true],
    ['{ $.nope NOT EXISTS }', true],
    ['{ $.cluster NOT EXISTS }', false],
    ['{ $.nope = "x" }', false],
    ['{ $.nope != "x" }', false],
  ];
  it.each(cases)('%s → %s', (pattern, expected) => {
    expect(parseFilterPattern(pattern).test(JSON_EVENT)).toBe(expected);
  });

  it('never matches events that are not JSON, and extracts the selected values', () => {
    expect(parseFilterPattern('{ $.level = "ERROR" }').test('ERROR level')).toBe(false);
    expect(parseFilterPattern('{ $.level = "ERROR" && $.latency > 100 }').match(JSON_EVENT)).toEqual({ '$.level': 'ERROR', '$.latency': '150' });
  });

  it.each([
    ['{ $.level = }', /expected a value/],
    ['{ $.level "x" }', /expected a comparison/],
    ['{ level = "x" }', /selector starting with '\$'/],
    ['{ $.a = 1', /expected '}'/],
    ['{ $.a > "x" }', /compares numbers only/],
    ['{ $.a IS MAYBE }', /NULL, TRUE or FALSE/],
  ])('refuses %s', (pattern, message) => {
    expect(() => parseFilterPattern(pattern)).toThrow(message);
  });
});

describe('space-delimited filter patterns', () => {
  it('splits on spaces, keeping quoted and bracketed text as one field', () => {
    expect(splitDelimited(APACHE)).toEqual(['127.0.0.1', '-', 'frank', '10/Oct/2000:13:25:15 -0700', 'GET /apache_pb.gif HTTP/1.0', '200', '1534']);
  });

  const cases: [string, boolean][] = [
    ['[ip, user, username, timestamp, request, status_code, bytes]', true],
    ['[ip, user, username, timestamp, request, status_code = 200, bytes]', true],
    ['[ip, user, username, timestamp, request, status_code = 404, bytes]', false],
    ['[ip, user, ..., status_code = 2*, bytes]', true],
    ['[..., status_code = 4* || status_code = 2*, bytes > 1000]', true],
    ['[..., bytes > 2000]', false],
    ['[ip = 127.0.0.1, ...]', true],
    ['[ip, user, username = "frank", ...]', true],
    ['[ip, user, username != "frank", ...]', false],
    ['[ip, user, username, timestamp, request = *gif*, ...]', true],
    ['[ip, user, username, timestamp, request = %apache_pb\\.gif%, ...]', true],
    ['[a, b, c]', false],
    ['[..., status_code >= 200 && status_code < 300, bytes]', true],
  ];
  it.each(cases)('%s → %s', (pattern, expected) => {
    expect(parseFilterPattern(pattern).test(APACHE)).toBe(expected);
  });

  it('extracts named fields as $name', () => {
    expect(parseFilterPattern('[ip, user, ..., status_code, bytes]').match(APACHE)).toMatchObject({ $ip: '127.0.0.1', $user: '-', $status_code: '200', $bytes: '1534' });
  });

  it('refuses broken delimited patterns', () => {
    expect(() => parseFilterPattern('[ip, user')).toThrow(/expected '\]'/);
    expect(() => parseFilterPattern('[ip, , user]')).toThrow(/empty field/);
    expect(() => parseFilterPattern('[ip = ]')).toThrow(/expected a value/);
  });
});
