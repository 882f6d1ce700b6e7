import { CreateListenerCommand, CreateLoadBalancerCommand, DeleteLoadBalancerCommand, DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startSlipway } from '../../helpers/slipway.js';
import { createAlb, elbClient, forwardTo, get, listenerAddress, startTarget, waitForStates } from './helpers.js';
import { freePort } from '../../helpers/ports.js';

describe('ELBv2 listeners across restarts and ports', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-elbv2-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('restores listeners after a restart and closes them on shutdown', async () => {
    const app = await startTarget('app');
    let sw = await startSlipway({ dataDir, clock: new ManualClock(), elbPorts: 'ephemeral' });
    const alb = await createAlb(sw, 'durable', { web: [app] }, (g) => forwardTo(g.web));
    expect((await get(alb.url)).body).toBe('app /');
    await sw.close();
    await expect(fetch(alb.url)).rejects.toThrow();

    sw = await startSlipway({ dataDir, clock: new ManualClock(), elbPorts: 'ephemeral' });
    try {
      const url = await listenerAddress(sw, alb.listenerArn);
      await waitForStates(sw, alb.groups.web, ['healthy']);
      expect((await get(`${url}/again`)).body).toBe('app /again');
      const listeners = await elbClient(sw).send(new DescribeListenersCommand({ LoadBalancerArn: alb.lbArn }));
      expect(listeners.Listeners!.map((l) => l.Port)).toEqual([80]);
    } finally {
      await sw.close();
      await app.close();
    }
  });

  it('binds the requested port by default, and a port in use is an AWS-shaped error', async () => {
    const sw = await startSlipway({ clock: new ManualClock() });
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const elb = elbClient(sw);
      const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'ports', Subnets: ['subnet-a', 'subnet-b'] }))).LoadBalancers![0];
      const fixed = { Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '200', MessageBody: 'on its own port' } };
      const port = await freePort();
      await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [fixed] }));
      expect((await get(`http://127.0.0.1:${port}/`)).body).toBe('on its own port');

      const busyPort = (busy.address() as { port: number }).port;
      const err = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: busyPort, DefaultActions: [fixed] })).catch((e: Error) => e);
      expect(err).toMatchObject({ name: 'InvalidConfigurationRequestException' });
      expect((err as Error).message).toContain(`Port ${busyPort} on 127.0.0.1 is already in use on this machine`);
      const listeners = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
      expect(listeners.Listeners!.map((l) => l.Port)).toEqual([port]); // nothing half-created

      await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow(); // the port is released
    } finally {
      busy.close();
      await sw.close();
    }
  });
});
