import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeregisterTargetsCommand, DescribeTargetHealthCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { elbClient, get, startRequest, startTarget, waitForStates, type Target } from './helpers.js';
import { freePort } from '../../helpers/ports.js';

/** Targets and their states as DescribeTargetHealth answers, by port. */
async function states(sw: TestSlipway, tgArn: string): Promise<Record<number, string>> {
  const h = await elbClient(sw).send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return Object.fromEntries(h.TargetHealthDescriptions!.map((d) => [d.Target!.Port!, d.TargetHealth!.State!]));
}

/** A load balancer on a fixed port (so the restarted Slipway reopens the same address) forwarding to `targets`. */
async function setUp(sw: TestSlipway, targets: Target[]): Promise<{ url: string; tgArn: string }> {
  const elb = elbClient(sw);
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'restart', Subnets: ['subnet-1', 'subnet-2'] }));
  const tg = await elb.send(new CreateTargetGroupCommand({ Name: 'restart-web', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'ip' }));
  const tgArn = tg.TargetGroups![0].TargetGroupArn!;
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: targets.map((t) => ({ Id: '127.0.0.1', Port: t.port })) }));
  const port = await freePort();
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancers![0].LoadBalancerArn!, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
  await waitForStates(sw, tgArn, targets.map(() => 'healthy'));
  return { url: `http://127.0.0.1:${port}`, tgArn };
}

describe('ELBv2 target health across a restart', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'slipway-elbv2-restart-'));
    dirs.push(d);
    return d;
  };

  it('keeps healthy targets healthy and serving: no request fails once the listener is reopened', async () => {
    const dir = dataDir();
    // After the restart the targets hold their health checks: only stored health can route to them.
    const heldChecks: ServerResponse[] = [];
    let holdChecks = false;
    const app = (name: string) =>
      startTarget(name, (req, res) => {
        req.resume();
        if (holdChecks && req.headers['user-agent'] === 'ELB-HealthChecker/2.0') return void heldChecks.push(res);
        res.end(`${name} ${req.url}`);
      });
    const a = await app('a');
    const b = await app('b');
    let clock = new ManualClock();
    let sw = await startSlipway({ dataDir: dir, clock });
    // A load generator across the restart: answers other than 200 are failures; refused connections
    // are the moments no listener was bound.
    const tally = { ok: 0, failed: [] as number[], refused: 0, okAfterReopen: 0 };
    let running = true;
    let reopened = false;
    let load: Promise<void> | undefined;
    try {
      const { url, tgArn } = await setUp(sw, [a, b]);
      load = (async () => {
        while (running) {
          const r = await get(`${url}/load`).catch(() => undefined);
          if (!r) tally.refused++;
          else if (r.status === 200) {
            tally.ok++;
            if (reopened) tally.okAfterReopen++;
          }
          else tally.failed.push(r.status);
          if (!r) await new Promise((done) => setTimeout(done, 2));
        }
      })();
      await vi.waitFor(() => expect(tally.ok).toBeGreaterThan(20));
      await sw.close();
      holdChecks = true;
      clock = new ManualClock(clock.now() + 5_000);
      sw = await startSlipway({ dataDir: dir, clock });
      reopened = true;
      // Before any health check of the new process has answered: still healthy, still served.
      expect(await states(sw, tgArn)).toEqual({ [a.port]: 'healthy', [b.port]: 'healthy' });
      await vi.waitFor(() => expect(tally.okAfterReopen).toBeGreaterThan(50));
      running = false;
      await load;
      expect(tally.failed).toEqual([]);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => get(`${url}/after${i}`)));
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(new Set(results.map((r) => r.body.split(' ')[0]))).toEqual(new Set(['a', 'b']));
      // Health checking carries on from the restored state: a target that stops answering turns unhealthy.
      await b.close();
      clock.advance(30_000);
      clock.advance(30_000);
      await vi.waitFor(async () => expect((await states(sw, tgArn))[b.port]).toBe('unhealthy'));
    } finally {
      running = false;
      await load;
      heldChecks.forEach((r) => r.destroy());
      await sw.close();
      await a.close();
      await b.close();
    }
  });

  it('lets a target that was draining finish the rest of its deregistration delay after a restart', async () => {
    const dir = dataDir();
    const held: ServerResponse[] = [];
    const old = await startTarget('old', (req, res) => (req.url === '/hold' ? void held.push(res) : (req.resume(), res.end('old'))));
    const next = await startTarget('new');
    let clock = new ManualClock();
    let sw = await startSlipway({ dataDir: dir, clock });
    try {
      const { url, tgArn } = await setUp(sw, [old, next]);
      // An in-flight request to the old target keeps it draining once deregistered.
      for (let i = 0; held.length === 0 && i < 4; i++) void startRequest(`${url}/hold`).catch(() => undefined);
      await vi.waitFor(() => expect(held.length).toBeGreaterThan(0));
      await elbClient(sw).send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1', Port: old.port }] }));
      expect((await states(sw, tgArn))[old.port]).toBe('draining');
      clock.advance(50_000); // 50 of the default 300 seconds pass before the restart (within the 60 s idle timeout)
      await sw.close();

      clock = new ManualClock(clock.now());
      sw = await startSlipway({ dataDir: dir, clock });
      expect(await states(sw, tgArn)).toEqual({ [old.port]: 'draining', [next.port]: 'healthy' });
      for (let i = 0; i < 4; i++) expect((await get(`${url}/x`)).body).toBe('new /x');
      clock.advance(249_000);
      expect((await states(sw, tgArn))[old.port]).toBe('draining');
      clock.advance(1_000);
      expect(await states(sw, tgArn)).toEqual({ [next.port]: 'healthy' });
    } finally {
      held.forEach((r) => r.destroy());
      await sw.close();
      await old.close();
      await next.close();
    }
  });
});
