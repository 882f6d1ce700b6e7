import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, IAMClient, ListRolesCommand, PutRolePolicyCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSlipway } from '../helpers/process.js';
import { sdkConfig } from '../helpers/slipway.js';

describe('state survives kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-kill-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every acknowledged write across a SIGKILL and restart', async () => {
    const first = await spawnSlipway(['--port', '0', '--data-dir', dataDir]);
    const iam = new IAMClient(sdkConfig(first.url));
    await iam.send(new CreateRoleCommand({ RoleName: 'CodeBuildRole', AssumeRolePolicyDocument: '{"Statement":[]}' }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'CodeBuildRole', PolicyName: 'p', PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' }));
    await iam.send(new CreateUserCommand({ UserName: 'ci' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }))).AccessKey!;
    // Many acknowledged writes right before the kill.
    await Promise.all(Array.from({ length: 50 }, (_, i) => iam.send(new CreateRoleCommand({ RoleName: `r${i}`, AssumeRolePolicyDocument: '{"Statement":[]}' }))));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await spawnSlipway(['--port', '0', '--data-dir', dataDir]);
    try {
      const iam2 = new IAMClient(sdkConfig(second.url));
      expect((await iam2.send(new GetRoleCommand({ RoleName: 'CodeBuildRole' }))).Role?.Arn).toBe('arn:aws:iam::000000000000:role/CodeBuildRole');
      expect((await iam2.send(new GetRolePolicyCommand({ RoleName: 'CodeBuildRole', PolicyName: 'p' }))).PolicyName).toBe('p');
      expect((await iam2.send(new ListRolesCommand({ MaxItems: 1000 }))).Roles).toHaveLength(51);
      const asUser = new STSClient({ ...sdkConfig(second.url), credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
      expect((await asUser.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::000000000000:user/ci');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
