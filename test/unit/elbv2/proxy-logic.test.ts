import { describe, expect, it } from 'vitest';
import { checkConditions, compileConditions, wildcard, type RequestFacts } from '../../../src/services/elbv2/conditions.js';
import { parseMatcher } from '../../../src/services/elbv2/health-settings.js';
import { INITIAL, nextHealth, type CheckResult, type HealthRecord } from '../../../src/services/elbv2/proxy/health-state.js';
import { MetricsAggregator } from '../../../src/services/elbv2/proxy/metrics.js';
import { redirectLocation } from '../../../src/services/elbv2/proxy/redirect.js';
import { WeightedPicker } from '../../../src/services/elbv2/proxy/weighted.js';
import { usableTargetIp } from '../../../src/services/elbv2/targets.js';

const req = (over: Partial<RequestFacts> = {}): RequestFacts => ({ method: 'GET', path: '/', host: 'example.com', headers: {}, query: [], sourceIp: '127.0.0.1', ...over });

describe('rule conditions', () => {
  it.each([
    // AWS's documented examples: path patterns are case sensitive, * and ? wildcards.
    ['/img/*', '/img/a.png', false, true],
    ['/img/*', '/IMG/a.png', false, false],
    ['/img/*/pics', '/img/x/pics', false, true],
    ['/a?c', '/abc', false, true],
    ['/a?c', '/abbc', false, false],
    ['*.example.com', 'www.example.com', true, true],
    ['*.example.com', 'WWW.EXAMPLE.COM', true, true],
    ['*.example.com', 'example.com', true, false],
    ['a.b+c', 'a.b+c', false, true],
    ['a.b+c', 'axb+c', false, false],
  ])('wildcard %s against %s (case-insensitive %s) is %s', (pattern, value, ci, expected) => {
    expect(wildcard(pattern, ci).test(value)).toBe(expected);
  });

  it.each<[string, object[], Partial<RequestFacts>, boolean]>([
    ['path', [{ Field: 'path-pattern', Values: ['/api/*'] }], { path: '/api/v1' }, true],
    ['path, query not part of it', [{ Field: 'path-pattern', Values: ['/api'] }], { path: '/api', query: [['a', '1']] }, true],
    ['host with config', [{ Field: 'host-header', HostHeaderConfig: { Values: ['shop.*'] } }], { host: 'shop.example.com' }, true],
    ['header name case-insensitive', [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'User-Agent', Values: ['*Mobile*'] } }], { headers: { 'user-agent': 'x Mobile y' } }, true],
    ['header missing', [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-A', Values: ['*'] } }], {}, false],
    ['method exact', [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['POST', 'PUT'] } }], { method: 'PUT' }, true],
    ['method case-sensitive', [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['POST'] } }], { method: 'post' }, false],
    ['query key and value', [{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'version', Value: 'v1' }] } }], { query: [['version', 'V1']] }, true],
    ['query value only', [{ Field: 'query-string', QueryStringConfig: { Values: [{ Value: '*example*' }] } }], { query: [['q', 'an-example']] }, true],
    ['source ip v4', [{ Field: 'source-ip', SourceIpConfig: { Values: ['192.168.0.0/16'] } }], { sourceIp: '192.168.4.2' }, true],
    ['source ip v4-mapped', [{ Field: 'source-ip', SourceIpConfig: { Values: ['127.0.0.0/8'] } }], { sourceIp: '::ffff:127.0.0.1' }, true],
    ['source ip v6', [{ Field: 'source-ip', SourceIpConfig: { Values: ['2001:db8::/32'] } }], { sourceIp: '2001:db8::1' }, true],
    ['source ip outside', [{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } }], { sourceIp: '11.0.0.1' }, false],
    ['all conditions must match', [{ Field: 'path-pattern', Values: ['/a'] }, { Field: 'host-header', Values: ['b.com'] }], { path: '/a', host: 'c.com' }, false],
  ])('%s', (_name, conditions, facts, expected) => {
    expect(compileConditions(checkConditions(conditions))(req(facts))).toBe(expected);
  });
});

describe('health check matcher', () => {
  it.each([
    ['200', 200, true], ['200', 201, false], ['200,202', 202, true], ['200-299', 250, true], ['200-299', 300, false], ['404', 404, true],
  ])('%s matches %d: %s', (text, status, expected) => expect(parseMatcher(text)!(status)).toBe(expected));
  it.each(['', '199', '500', '300-200', 'abc', '200-'])('refuses %j', (text) => expect(parseMatcher(text)).toBeUndefined());
});

describe('target health transitions', () => {
  const ok: CheckResult = { ok: true };
  const bad: CheckResult = { ok: false, reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [500]' };
  const run = (results: CheckResult[], start: HealthRecord = INITIAL) => results.reduce((h, r) => nextHealth(h, r, { healthy: 3, unhealthy: 2 }), start).state;
  it.each<[string, CheckResult[], string]>([
    ['one pass makes a new target healthy', [ok], 'healthy'],
    ['a new target stays initial below the unhealthy threshold', [bad], 'initial'],
    ['a new target turns unhealthy at the threshold', [bad, bad], 'unhealthy'],
    ['one failure keeps a healthy target healthy', [ok, bad], 'healthy'],
    ['two failures in a row make it unhealthy', [ok, bad, bad], 'unhealthy'],
    ['a pass between failures resets the count', [ok, bad, ok, bad], 'healthy'],
    ['two passes are not enough to recover', [ok, bad, bad, ok, ok], 'unhealthy'],
    ['three passes recover', [ok, bad, bad, ok, ok, ok], 'healthy'],
  ])('%s', (_name, results, expected) => expect(run(results)).toBe(expected));
});

describe('weighted picker', () => {
  it('gives each group exactly its share over a full cycle, spread out', () => {
    const p = new WeightedPicker();
    const picks = Array.from({ length: 100 }, () => p.pick([{ key: 'a', weight: 90 }, { key: 'b', weight: 10 }]));
    expect(picks.filter((x) => x === 'b')).toHaveLength(10);
    expect(picks.slice(0, 10).filter((x) => x === 'b').length).toBeLessThanOrEqual(1);
  });
  it('skips zero weights and answers undefined when nothing has weight', () => {
    const p = new WeightedPicker();
    expect(new Set(Array.from({ length: 5 }, () => p.pick([{ key: 'a', weight: 0 }, { key: 'b', weight: 3 }])))).toEqual(new Set(['b']));
    expect(p.pick([{ key: 'a', weight: 0 }])).toBeUndefined();
  });
});

describe('redirects', () => {
  const r = { protocol: 'http' as const, host: 'example.com', port: 80, path: '/a/b', query: 'x=1' };
  it.each([
    [{ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' as const }, 'https://example.com/a/b?x=1'],
    [{ Host: 'new.#{host}', StatusCode: 'HTTP_302' as const }, 'http://new.example.com/a/b?x=1'],
    [{ Path: '/v2/#{path}', Query: '#{query}&y=2', StatusCode: 'HTTP_301' as const }, 'http://example.com/v2/a/b?x=1&y=2'],
    [{ Port: '8080', Query: '', StatusCode: 'HTTP_301' as const }, 'http://example.com:8080/a/b'],
  ])('%j → %s', (config, location) => expect(redirectLocation(config, r)).toBe(location));
});

describe('target addresses and metrics', () => {
  it.each([['10.1.2.3', true], ['172.16.0.1', true], ['172.32.0.1', false], ['192.168.1.1', true], ['127.0.0.1', true], ['8.8.8.8', false], ['::1', true], ['fd00::1', true], ['2001:db8::1', false]])(
    '%s usable: %s',
    (ip, ok) => expect(usableTargetIp(ip)).toBe(ok),
  );

  it('aggregates a minute of requests with AWS names and dimensions', () => {
    const m = new MetricsAggregator();
    const scope = { accountId: '000000000000', region: 'us-east-1' };
    m.record({ scope, lb: 'app/a/1', tg: 'targetgroup/t/2', targetStatus: 500, targetSeconds: 0.2 });
    m.record({ scope, lb: 'app/a/1', tg: 'targetgroup/t/2', targetStatus: 200, targetSeconds: 0.1 });
    m.record({ scope, lb: 'app/a/1', elbStatus: 502 });
    const [{ data }] = [...m.drain(60_000).values()];
    const find = (name: string, dims: number) => data.find((d) => d.MetricName === name && d.Dimensions!.length === dims);
    expect(find('RequestCount', 1)!.Value).toBe(3);
    expect(find('RequestCount', 2)!.Value).toBe(2);
    expect(find('HTTPCode_Target_5XX_Count', 2)!.Dimensions).toEqual([{ Name: 'TargetGroup', Value: 'targetgroup/t/2' }, { Name: 'LoadBalancer', Value: 'app/a/1' }]);
    expect(find('HTTPCode_ELB_502_Count', 1)!.Value).toBe(1);
    expect(find('HTTPCode_ELB_5XX_Count', 2)).toBeUndefined();
    expect(find('TargetResponseTime', 1)!.StatisticValues).toEqual({ SampleCount: 2, Sum: 0.30000000000000004, Minimum: 0.1, Maximum: 0.2 });
    expect(m.drain(120_000).size).toBe(0);
  });
});
