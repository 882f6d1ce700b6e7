import { describe, expect, it } from 'vitest';
import { expandMatch, filtersPass, hubSignature, inRange, parseCidr, parseJsonPath, select, signatureValid } from '../../../src/services/codepipeline/webhook-rules.js';

const payload = { ref: 'refs/heads/main', repository: { full_name: 'me/app', 'odd key': 1 }, commits: [{ id: 'c1' }, { id: 'c2' }], draft: false };

describe('webhook JSON paths', () => {
  it.each([
    ['$.ref', 'refs/heads/main'],
    ['$.repository.full_name', 'me/app'],
    ["$.repository['odd key']", 1],
    ['$["ref"]', 'refs/heads/main'],
    ['$.commits[1].id', 'c2'],
    ['$.commits[5].id', undefined],
    ['$.missing.deeper', undefined],
    ['$.draft', false],
  ])('%s selects %j', (path, expected) => {
    expect(select(payload, parseJsonPath(path)!)).toEqual(expected);
  });

  it.each(['ref', '$.', '$..ref', '$.commits[*]', '$[?(@.x)]'])('refuses %s', (path) => {
    expect(parseJsonPath(path)).toBeUndefined();
  });
});

describe('webhook filters', () => {
  it('expands {Key} placeholders from the target action configuration (AWS: refs/heads/{Branch})', () => {
    expect(expandMatch('refs/heads/{Branch}', { Branch: 'main' })).toBe('refs/heads/main');
  });

  it.each([
    [[{ jsonPath: '$.ref', matchEquals: 'refs/heads/{Branch}' }], true],
    [[{ jsonPath: '$.ref', matchEquals: 'refs/heads/dev' }], false],
    [[{ jsonPath: '$.commits[0].id' }], true],
    [[{ jsonPath: '$.nope' }], false],
    [[{ jsonPath: '$.draft', matchEquals: 'false' }], true],
    [[{ jsonPath: '$.ref', matchEquals: 'refs/heads/main' }, { jsonPath: '$.repository.full_name', matchEquals: 'other/app' }], false],
  ])('%j passes: %s', (filters, expected) => {
    expect(filtersPass(filters, payload, { Branch: 'main' }).ok).toBe(expected);
  });
});

describe('GITHUB_HMAC signatures', () => {
  // GitHub's documented example for validating webhook deliveries.
  const secret = "It's a Secret to Everybody";
  const body = Buffer.from('Hello, World!');

  it('computes GitHub documented X-Hub-Signature-256', () => {
    expect(hubSignature(secret, body, 'sha256')).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  it.each([
    ['sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17', undefined, true],
    ['sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18', undefined, false],
    [undefined, hubSignature(secret, body, 'sha1'), true],
    [undefined, 'sha1=00', false],
    [undefined, undefined, false],
  ])('256 %s / sha1 %s: %s', (h256, h1, expected) => {
    expect(signatureValid(secret, body, h256, h1)).toBe(expected);
  });
});

describe('IP ranges', () => {
  it.each([
    ['10.0.0.0/8', '10.200.3.4', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.1.7', '192.168.1.7', true],
    ['192.168.1.0/24', '::ffff:192.168.1.99', true],
    ['127.0.0.0/8', '::1', true],
    ['0.0.0.0/0', '8.8.8.8', true],
  ])('%s contains %s: %s', (range, ip, expected) => {
    expect(inRange(ip, range)).toBe(expected);
  });

  it.each(['300.1.1.1/8', '10.0.0.0/33', '10.0.0.0/8/1', 'example.com', '10.0.0.0/x'])('refuses %s', (range) => {
    expect(parseCidr(range)).toBeUndefined();
  });
});
