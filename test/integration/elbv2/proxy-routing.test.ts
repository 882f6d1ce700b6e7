import { CreateRuleCommand, DeregisterTargetsCommand, ModifyListenerCommand, SetRulePrioritiesCommand, DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createAlb, elbClient, forwardTo, get, startTarget, waitForStates, type Target } from './helpers.js';

describe('ELBv2 proxy: routing', () => {
  let sw: TestSlipway;
  const targets: Target[] = [];
  const target = async (name: string, handler?: Parameters<typeof startTarget>[1]) => {
    const t = await startTarget(name, handler);
    targets.push(t);
    return t;
  };

  beforeAll(async () => {
    sw = await startSlipway({ clock: new ManualClock(), elbPorts: 'ephemeral' });
  });
  afterAll(async () => {
    await sw.close();
    await Promise.all(targets.map((t) => t.close()));
  });

  it('round-robins over the healthy targets of a group', async () => {
    const [a, b] = [await target('a'), await target('b')];
    const alb = await createAlb(sw, 'rr', { web: [a, b] }, (g) => forwardTo(g.web));
    const bodies: string[] = [];
    for (let i = 0; i < 10; i++) bodies.push((await get(`${alb.url}/p${i}`)).body.split(' ')[0]);
    expect(bodies.filter((x) => x === 'a')).toHaveLength(5);
    expect(bodies.filter((x) => x === 'b')).toHaveLength(5);
    expect(bodies.slice(0, 4)).not.toEqual(['a', 'a', 'a', 'a']);
  });

  it('splits traffic by weight (90/10 over 1,000 requests) and follows a weight change at once', async () => {
    const [blue, green] = [await target('blue'), await target('green')];
    const alb = await createAlb(sw, 'weights', { blue: [blue], green: [green] }, (g) => ({
      Type: 'forward',
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: g.blue, Weight: 90 }, { TargetGroupArn: g.green, Weight: 10 }] },
    }));
    const counts = { blue: 0, green: 0 };
    for (let i = 0; i < 1000; i++) counts[(await get(alb.url)).body.split(' ')[0] as 'blue' | 'green']++;
    expect(Math.abs(counts.blue - 900)).toBeLessThanOrEqual(30);
    expect(counts.blue + counts.green).toBe(1000);
    await elbClient(sw).send(new ModifyListenerCommand({
      ListenerArn: alb.listenerArn,
      DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: alb.groups.blue, Weight: 0 }, { TargetGroupArn: alb.groups.green, Weight: 100 }] } }],
    }));
    for (let i = 0; i < 20; i++) expect((await get(alb.url)).body).toBe('green /');
  });

  it('loses no request while weights shift and a target drains under steady traffic', async () => {
    const [blue, green] = [await target('blue'), await target('green')];
    const alb = await createAlb(sw, 'shift', { blue: [blue], green: [green] }, (g) => forwardTo(g.blue));
    const elb = elbClient(sw);
    let running = true;
    const seen = { blue: 0, green: 0, failed: 0 };
    const worker = async () => {
      while (running) {
        const r = await get(alb.url).catch(() => ({ status: 0, body: '' }));
        if (r.status !== 200) seen.failed++;
        else seen[r.body.split(' ')[0] as 'blue' | 'green']++;
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    const until = async (n: number) => {
      const target = seen.blue + seen.green + n;
      while (seen.blue + seen.green + seen.failed < target) await new Promise((r) => setImmediate(r));
    };
    await until(50);
    for (const w of [[90, 10], [50, 50], [0, 100]]) {
      await elb.send(new ModifyListenerCommand({
        ListenerArn: alb.listenerArn,
        DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: alb.groups.blue, Weight: w[0] }, { TargetGroupArn: alb.groups.green, Weight: w[1] }] } }],
      }));
      await until(50);
    }
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: alb.groups.blue, Targets: [{ Id: '127.0.0.1', Port: blue.port }] }));
    const greenBefore = seen.green;
    await until(50);
    running = false;
    await Promise.all(workers);
    expect(seen.failed).toBe(0);
    expect(seen.blue).toBeGreaterThan(0);
    expect(seen.green - greenBefore).toBeGreaterThanOrEqual(50);
  });

  it('keeps a client on its target group with group stickiness', async () => {
    const cookieSetting = (name: string): Parameters<typeof startTarget>[1] => (_req, res) => {
      res.setHeader('set-cookie', 'session=abc; Path=/');
      res.end(`${name} /`);
    };
    const [x, y] = [await target('x', cookieSetting('x')), await target('y', cookieSetting('y'))];
    const alb = await createAlb(sw, 'sticky', { x: [x], y: [y] }, (g) => ({
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: g.x, Weight: 1 }, { TargetGroupArn: g.y, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 },
      },
    }));
    const first = await get(alb.url);
    expect(first.headers['set-cookie']).toHaveLength(2); // the target's own cookie stays
    const cookie = first.headers['set-cookie']!.find((c) => c.startsWith('AWSALBTG='))!.split(';')[0];
    expect(first.headers['set-cookie']).toContain('session=abc; Path=/');
    for (let i = 0; i < 6; i++) expect((await get(alb.url, { cookie })).body).toBe(first.body);
  });

  it('evaluates rules by priority: path, host, header, method, query string, source IP, fixed responses and redirects', async () => {
    const [web, api] = [await target('web'), await target('api')];
    const alb = await createAlb(sw, 'rules', { web: [web], api: [api] }, (g) => forwardTo(g.web));
    const elb = elbClient(sw);
    const rule = async (Priority: number, Conditions: object[], Actions: object[]) =>
      (await elb.send(new CreateRuleCommand({ ListenerArn: alb.listenerArn, Priority, Conditions, Actions } as never))).Rules![0].RuleArn!;
    const apiRule = await rule(10, [{ Field: 'path-pattern', Values: ['/api/*'] }], [forwardTo(alb.groups.api)]);
    await rule(20, [{ Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com'] } }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'example host' } }]);
    await rule(30, [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['yes'] } }], [forwardTo(alb.groups.api)]);
    await rule(40, [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['DELETE'] } }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '405' } }]);
    await rule(50, [{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'version', Value: 'v2*' }] } }], [forwardTo(alb.groups.api)]);
    await rule(60, [{ Field: 'path-pattern', Values: ['/old/*'] }], [{ Type: 'redirect', RedirectConfig: { Path: '/new/#{path}', StatusCode: 'HTTP_301' } }]);
    const blocked = await rule(70, [{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } }, { Field: 'path-pattern', Values: ['/admin'] }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: 'internal' } }]);
    await rule(80, [{ Field: 'source-ip', SourceIpConfig: { Values: ['127.0.0.0/8', '::1/128'] } }, { Field: 'path-pattern', Values: ['/admin'] }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', MessageBody: 'local' } }]);
    await waitForStates(sw, alb.groups.api, ['healthy']);

    expect((await get(`${alb.url}/api/users`)).body).toBe('api /api/users');
    expect((await get(`${alb.url}/apix`)).body).toBe('web /apix');
    const host = await get(`${alb.url}/`, { host: 'shop.example.com' });
    expect([host.status, host.body]).toEqual([200, 'example host']);
    expect((await get(`${alb.url}/x`, { 'x-canary': 'YES' })).body).toBe('api /x');
    expect((await get(`${alb.url}/thing`, {}, 'DELETE')).status).toBe(405);
    expect((await get(`${alb.url}/q?version=v2.1`)).body).toBe('api /q?version=v2.1');
    expect((await get(`${alb.url}/q?version=v1`)).body).toBe('web /q?version=v1');
    const moved = await get(`${alb.url}/old/page?x=1`, { host: 'site.test' });
    expect([moved.status, moved.headers.location]).toEqual([301, 'http://site.test/new/old/page?x=1']);
    expect(await get(`${alb.url}/admin`)).toMatchObject({ status: 403, body: 'local' });

    // Moving the /admin source-ip rule for 10/8 ahead changes nothing for a loopback client;
    // moving the API rule behind the header rule still routes /api to the API.
    await elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: blocked, Priority: 5 }, { RuleArn: apiRule, Priority: 35 }] }));
    expect(await get(`${alb.url}/admin`)).toMatchObject({ status: 403, body: 'local' });
    const rules = await elb.send(new DescribeRulesCommand({ ListenerArn: alb.listenerArn }));
    expect(rules.Rules!.map((r) => r.Priority)).toEqual(['5', '20', '30', '35', '40', '50', '60', '80', 'default']);
    expect(rules.Rules!.at(-1)).toMatchObject({ IsDefault: true, Conditions: [] });
  });

  it('sends X-Forwarded-For/-Proto/-Port and an X-Amzn-Trace-Id to targets, and keeps the client\'s trace id', async () => {
    const echo = await target('echo', (req, res) => res.end(JSON.stringify(req.headers)));
    const alb = await createAlb(sw, 'headers', { web: [echo] }, (g) => forwardTo(g.web));
    const seen = JSON.parse((await get(`${alb.url}/h`, { 'x-forwarded-for': '203.0.113.7' })).body) as Record<string, string>;
    expect(seen['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-port']).toBe('80');
    expect(seen['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const traced = JSON.parse((await get(`${alb.url}/h`, { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793' })).body) as Record<string, string>;
    expect(traced['x-amzn-trace-id']).toBe('Root=1-5759e988-bd862e3fe1be46a994272793');
  });
});
