import { DeregisterTargetsCommand, DescribeTargetHealthCommand, ModifyLoadBalancerAttributesCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createAlb, elbClient, forwardTo, get, startRequest, startTarget, waitForStates, type Target } from './helpers.js';

describe('ELBv2 proxy: failures, health checks and draining', () => {
  let sw: TestSlipway;
  let clock: ManualClock;
  const targets: Target[] = [];
  const target = async (name: string, handler?: Parameters<typeof startTarget>[1]) => {
    const t = await startTarget(name, handler);
    targets.push(t);
    return t;
  };
  const health = async (tgArn: string) =>
    (await elbClient(sw).send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!.map((d) => ({ port: d.Target!.Port, ...d.TargetHealth }));

  beforeAll(async () => {
    clock = new ManualClock();
    sw = await startSlipway({ clock, elbPorts: 'ephemeral' });
  });
  afterAll(async () => {
    await sw.close();
    await Promise.all(targets.map((t) => t.close()));
  });

  it('answers 503 when the group has no target, 502 when a target resets, 504 after the idle timeout', async () => {
    const held: ServerResponse[] = [];
    const flaky = await target('flaky', (req, res) => {
      if (req.url === '/reset') return req.socket.destroy();
      if (req.url === '/slow') return void held.push(res);
      res.end('ok');
    });
    const empty = await createAlb(sw, 'empty', { none: [] }, (g) => forwardTo(g.none));
    const r503 = await get(empty.url);
    expect([r503.status, r503.headers.server]).toEqual([503, 'awselb/2.0']);
    expect(r503.body).toContain('503 Service Temporarily Unavailable');

    const alb = await createAlb(sw, 'flaky', { web: [flaky] }, (g) => forwardTo(g.web));
    expect((await get(`${alb.url}/reset`)).status).toBe(502);
    await elbClient(sw).send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: alb.lbArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '10' }] }));
    const slow = get(`${alb.url}/slow`);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    clock.advance(10_000);
    expect((await slow).status).toBe(504);
    expect((await get(`${alb.url}/fine`)).body).toBe('ok');
  });

  it('turns a failing target unhealthy after the threshold (traffic avoids it) and healthy again after recovering', async () => {
    let failing = false;
    let checks = 0;
    const sick = await target('sick', (req, res) => {
      if (req.headers['user-agent'] === 'ELB-HealthChecker/2.0') checks++;
      res.statusCode = failing && req.url === '/health' ? 500 : 200;
      res.end('sick');
    });
    const well = await target('well');
    const alb = await createAlb(sw, 'hc', { web: [sick, well] }, (g) => forwardTo(g.web), { HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 3, UnhealthyThresholdCount: 2 });
    failing = true;
    const tick = async () => {
      const before = checks;
      clock.advance(10_000);
      await vi.waitFor(() => expect(checks).toBeGreaterThan(before));
    };
    await tick();
    expect((await health(alb.groups.web)).find((h) => h.port === sick.port)!.State).toBe('healthy'); // one failure is below the threshold
    await tick();
    await vi.waitFor(async () =>
      expect((await health(alb.groups.web)).find((h) => h.port === sick.port)).toMatchObject({
        State: 'unhealthy',
        Reason: 'Target.ResponseCodeMismatch',
        Description: 'Health checks failed with these codes: [500]',
      }),
    );
    for (let i = 0; i < 6; i++) expect((await get(`${alb.url}/`)).body).toBe('well /');
    failing = false;
    await tick();
    await tick();
    expect((await health(alb.groups.web)).find((h) => h.port === sick.port)!.State).toBe('unhealthy'); // two passes, three needed
    await tick();
    await waitForStates(sw, alb.groups.web, ['healthy', 'healthy']);
  });

  it('reports Target.Timeout and Target.FailedHealthChecks, and fails open when every target is unhealthy', async () => {
    let hung = 0;
    const hanging = await target('hanging', (req) => void (req.headers['user-agent'] === 'ELB-HealthChecker/2.0' && hung++));
    const closed = await target('closed');
    await closed.close(); // a port nothing listens on any more
    const alb = await createAlb(sw, 'hc2', { web: [] }, (g) => forwardTo(g.web), { HealthCheckIntervalSeconds: 10, UnhealthyThresholdCount: 2 });
    await elbClient(sw).send(new RegisterTargetsCommand({ TargetGroupArn: alb.groups.web, Targets: [{ Id: '127.0.0.1', Port: hanging.port }, { Id: '127.0.0.1', Port: closed.port }] }));
    for (let round = 1; round <= 2; round++) {
      await vi.waitFor(() => expect(hung).toBe(round));
      clock.advance(5_000); // the health check timeout
      if (round === 1) await vi.waitFor(async () => expect((await health(alb.groups.web)).map((h) => h.Reason)).toEqual(['Elb.InitialHealthChecking', 'Elb.InitialHealthChecking']));
      clock.advance(5_000);
    }
    await vi.waitFor(async () => {
      const h = await health(alb.groups.web);
      expect(h.find((x) => x.port === hanging.port)).toMatchObject({ State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' });
      expect(h.find((x) => x.port === closed.port)).toMatchObject({ State: 'unhealthy', Reason: 'Target.FailedHealthChecks' });
    });
    // Fail open: both are unhealthy, so both get requests: the closed port answers 502, the hanging one 504.
    const requests = [get(`${alb.url}/`), get(`${alb.url}/`)];
    await vi.waitFor(() => expect(hanging.hits).toHaveLength(1));
    clock.advance(60_000);
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    expect([...statuses].sort()).toEqual([502, 504]);
  });

  it('drains a deregistered target: its in-flight request finishes, new requests go elsewhere, then it leaves', async () => {
    const held: ServerResponse[] = [];
    const old = await target('old', (req, res) => (req.url === '/hold' ? void held.push(res) : res.end('old')));
    const next = await target('new');
    const alb = await createAlb(sw, 'drain', { web: [old] }, (g) => forwardTo(g.web));
    const elb = elbClient(sw);
    const inFlight = startRequest(`${alb.url}/hold`);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: alb.groups.web, Targets: [{ Id: '127.0.0.1', Port: next.port }] }));
    await waitForStates(sw, alb.groups.web, ['healthy', 'healthy']);
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: alb.groups.web, Targets: [{ Id: '127.0.0.1', Port: old.port }] }));
    expect((await health(alb.groups.web)).find((h) => h.port === old.port)).toMatchObject({ State: 'draining', Reason: 'Target.DeregistrationInProgress' });
    for (let i = 0; i < 4; i++) expect((await get(`${alb.url}/`)).body).toBe('new /');
    held[0].end('finished while draining');
    const res = await inFlight;
    let body = '';
    for await (const chunk of res) body += String(chunk);
    expect([res.statusCode, body]).toEqual([200, 'finished while draining']);
    await waitForStates(sw, alb.groups.web, ['healthy']);

  });

  it('cuts off a request still running when the deregistration delay ends', async () => {
    const held: ServerResponse[] = [];
    const slow = await target('slow', (req, res) => (req.url === '/hold' ? void held.push(res) : res.end('slow')));
    const alb = await createAlb(sw, 'drain2', { web: [slow] }, (g) => forwardTo(g.web));
    await elbClient(sw).send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: alb.lbArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '4000' }] }));
    const inFlight = get(`${alb.url}/hold`);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    await elbClient(sw).send(new DeregisterTargetsCommand({ TargetGroupArn: alb.groups.web, Targets: [{ Id: '127.0.0.1', Port: slow.port }] }));
    expect((await health(alb.groups.web)).map((h) => h.State)).toEqual(['draining']);
    clock.advance(299_000);
    expect((await health(alb.groups.web)).map((h) => h.State)).toEqual(['draining']);
    clock.advance(1_000); // deregistration_delay.timeout_seconds defaults to 300
    expect((await inFlight).status).toBe(502);
    expect(await health(alb.groups.web)).toEqual([]);
  });
});
