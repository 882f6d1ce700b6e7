import { CreateRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

describe('/_slipway endpoints', () => {
  let sw: TestSlipway;
  beforeAll(async () => {
    sw = await startSlipway();
  });
  afterAll(() => sw.close());

  it('health lists the running services', async () => {
    const res = await fetch(`${sw.url}/_slipway/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'running', services: { iam: 'running', sts: 'running' } });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reset wipes state and the services keep working', async () => {
    const iam = new IAMClient(sdkConfig(sw.url));
    await iam.send(new CreateRoleCommand({ RoleName: 'Temp', AssumeRolePolicyDocument: '{"Statement":[]}' }));
    expect((await iam.send(new ListRolesCommand({}))).Roles).toHaveLength(1);
    const res = await fetch(`${sw.url}/_slipway/reset`, { method: 'POST' });
    expect(await res.json()).toEqual({ status: 'reset' });
    expect((await iam.send(new ListRolesCommand({}))).Roles).toHaveLength(0);
    await iam.send(new CreateRoleCommand({ RoleName: 'Temp', AssumeRolePolicyDocument: '{"Statement":[]}' }));
  });

  it('an unknown /_slipway path says which ones exist', async () => {
    const res = await fetch(`${sw.url}/_slipway/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('/_slipway/health');
  });
});
