import { CreateListenerCommand, CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CLI, spawnSlipway } from '../../helpers/process.js';
import { sdkConfig } from '../../helpers/slipway.js';

const run = promisify(execFile);

describe('slipway start --elb-ports', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-elb-ports-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('binds listeners on OS-chosen ports, lists them and logs each bind; refuses an unknown mode', async () => {
    const p = await spawnSlipway(['--port', '0', '--data-dir', dataDir], { SLIPWAY_ELB_PORTS: 'ephemeral', SLIPWAY_LOG_LEVEL: 'info' });
    try {
      const elb = new ElasticLoadBalancingV2Client(sdkConfig(p.url));
      const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'flag', Subnets: ['subnet-1', 'subnet-2'] }))).LoadBalancers![0];
      const fixed = { Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '200', MessageBody: 'port 80, really' } };
      await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [fixed] }));
      const listed = (await (await fetch(`${p.url}/_slipway/elbv2/listeners`)).json()) as { Listeners: { Port: number; BoundPort: number; Address: string }[] };
      expect(listed.Listeners).toHaveLength(1);
      expect(listed.Listeners[0].Port).toBe(80);
      expect(listed.Listeners[0].BoundPort).not.toBe(80);
      expect(await (await fetch(listed.Listeners[0].Address)).text()).toBe('port 80, really');
      await vi.waitFor(() => expect(p.output()).toContain(`load balancer listener bound`));
      expect(p.output()).toContain(`port=80 address=${listed.Listeners[0].Address}`);
    } finally {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
    const bad = await run(process.execPath, [CLI, 'start', '--elb-ports', 'random']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain("--elb-ports must be 'requested' or 'ephemeral', got 'random'");
  });
});
