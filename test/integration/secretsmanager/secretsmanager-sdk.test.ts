import {
  BatchGetSecretValueCommand, CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, InvalidParameterException,
  InvalidRequestException, ListSecretsCommand, ListSecretVersionIdsCommand, PutSecretValueCommand, ResourceExistsException, ResourceNotFoundException,
  RestoreSecretCommand, SecretsManagerClient, TagResourceCommand, UntagResourceCommand, UpdateSecretCommand, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const DAY = 86_400_000;
const token = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('Secrets Manager through the SDK v3 client', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-sm-'));
  const clock = new ManualClock(Date.UTC(2024, 2, 1));
  let sw: TestSlipway;
  let sm: SecretsManagerClient;

  beforeAll(async () => {
    sw = await startSlipway({ clock, dataDir });
    sm = new SecretsManagerClient(sdkConfig(sw.url));
  });
  afterAll(async () => {
    await sw.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates binary secrets and answers retries of the same request token idempotently', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    const first = await sm.send(new CreateSecretCommand({ Name: 'ci/cert', SecretBinary: bytes, ClientRequestToken: token(1), Description: 'tls' }));
    const retry = await sm.send(new CreateSecretCommand({ Name: 'ci/cert', SecretBinary: bytes, ClientRequestToken: token(1) }));
    expect(retry).toMatchObject({ ARN: first.ARN, VersionId: token(1) });
    await expect(sm.send(new CreateSecretCommand({ Name: 'ci/cert', SecretBinary: Uint8Array.from([9]), ClientRequestToken: token(1) }))).rejects.toBeInstanceOf(
      ResourceExistsException,
    );
    const got = await sm.send(new GetSecretValueCommand({ SecretId: 'ci/cert' }));
    expect(Buffer.from(got.SecretBinary!)).toEqual(Buffer.from(bytes));
    expect(got.SecretString).toBeUndefined();
    const samePut = await sm.send(new PutSecretValueCommand({ SecretId: 'ci/cert', SecretBinary: bytes, ClientRequestToken: token(1) }));
    expect(samePut.VersionId).toBe(token(1));
    expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'ci/cert' }))).Versions).toHaveLength(1);
    await expect(sm.send(new CreateSecretCommand({ Name: 'ci/both', SecretString: 'a', SecretBinary: bytes }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sm.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'a' }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('stages versions: AWSPENDING, promotion with UpdateSecretVersionStage, reads by id and stage', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'app/key', SecretString: 'v1', ClientRequestToken: token(10) }));
    clock.advance(1000);
    await sm.send(new PutSecretValueCommand({ SecretId: 'app/key', SecretString: 'v2', ClientRequestToken: token(11), VersionStages: ['AWSPENDING'] }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'app/key' }))).SecretString).toBe('v1');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'app/key', VersionStage: 'AWSPENDING' }))).SecretString).toBe('v2');
    await expect(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'app/key', VersionStage: 'AWSCURRENT', MoveToVersionId: token(11) }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'app/key', VersionStage: 'AWSCURRENT', MoveToVersionId: token(11), RemoveFromVersionId: token(10) }));
    const current = await sm.send(new GetSecretValueCommand({ SecretId: 'app/key' }));
    expect(current).toMatchObject({ SecretString: 'v2', VersionId: token(11) });
    expect(current.VersionStages!.sort()).toEqual(['AWSCURRENT', 'AWSPENDING']);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'app/key', VersionId: token(10) }))).VersionStages).toEqual(['AWSPREVIOUS']);
    await sm.send(new UpdateSecretCommand({ SecretId: 'app/key', SecretString: 'v3', ClientRequestToken: token(12) }));
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'app/key' }));
    expect(versions.Versions!.map((v) => [v.VersionId, v.VersionStages!.sort()])).toEqual([
      [token(12), ['AWSCURRENT']], [token(11), ['AWSPENDING', 'AWSPREVIOUS']],
    ]);
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'app/key', IncludeDeprecated: true }));
    expect(all.Versions).toHaveLength(3);
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'app/key', VersionId: token(99) }))).rejects.toThrow(
      `Secrets Manager can't find the specified secret value for VersionId: ${token(99)}`,
    );
  });

  it('updates description and value, tags, lists with filters and pages', async () => {
    await sm.send(new UpdateSecretCommand({ SecretId: 'app/key', Description: 'signing key' }));
    await sm.send(new TagResourceCommand({ SecretId: 'app/key', Tags: [{ Key: 'team', Value: 'payments' }, { Key: 'tmp', Value: 'x' }] }));
    await sm.send(new UntagResourceCommand({ SecretId: 'app/key', TagKeys: ['tmp'] }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'app/key' }));
    expect(d).toMatchObject({ Name: 'app/key', Description: 'signing key', Tags: [{ Key: 'team', Value: 'payments' }], RotationEnabled: false });
    expect(d.CreatedDate!.getTime()).toBe(Date.UTC(2024, 2, 1));
    const byTag = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-value', Values: ['pay'] }] }));
    expect(byTag.SecretList!.map((s) => s.Name)).toEqual(['app/key']);
    const notCi = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['!ci'] }] }));
    expect(notCi.SecretList!.map((s) => s.Name)).toEqual(['app/key']);
    for (let i = 0; i < 5; i++) await sm.send(new CreateSecretCommand({ Name: `bulk/s${i}`, SecretString: `value-${i}` }));
    const first = await sm.send(new ListSecretsCommand({ MaxResults: 4, SortBy: 'name' }));
    const second = await sm.send(new ListSecretsCommand({ MaxResults: 4, SortBy: 'name', NextToken: first.NextToken }));
    expect([...first.SecretList!, ...second.SecretList!].map((s) => s.Name)).toEqual(['app/key', 'bulk/s0', 'bulk/s1', 'bulk/s2', 'bulk/s3', 'bulk/s4', 'ci/cert']);
    expect(second.NextToken).toBeUndefined();
    const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['bulk/s1', 'bulk/missing', 'bulk/s3'] }));
    expect(batch.SecretValues!.map((v) => v.SecretString)).toEqual(['value-1', 'value-3']);
    expect(batch.Errors).toMatchObject([{ SecretId: 'bulk/missing', ErrorCode: 'ResourceNotFoundException' }]);
    const filtered = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['bulk/'] }], MaxResults: 3 }));
    expect(filtered.SecretValues).toHaveLength(3);
    expect(filtered.NextToken).toBeDefined();
  });

  it('removes a deleted secret only when its recovery window has passed, even across a restart', async () => {
    const del = await sm.send(new DeleteSecretCommand({ SecretId: 'bulk/s0', RecoveryWindowInDays: 7 }));
    expect(del.DeletionDate!.getTime()).toBe(clock.now() + 7 * DAY);
    await expect(sm.send(new DeleteSecretCommand({ SecretId: 'bulk/s0' }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'bulk/s0', SecretString: 'x' }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(sm.send(new CreateSecretCommand({ Name: 'bulk/s0', SecretString: 'x' }))).rejects.toThrow(/already scheduled for deletion/);
    const planned = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['bulk/s0'] }] }));
    expect(planned.SecretList!.map((s) => s.Name)).toEqual(['bulk/s0']);
    // Restore one secret so its job finds nothing to do; delete another for good.
    await sm.send(new DeleteSecretCommand({ SecretId: 'bulk/s1', RecoveryWindowInDays: 7 }));
    await sm.send(new RestoreSecretCommand({ SecretId: 'bulk/s1' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'bulk/s2', ForceDeleteWithoutRecovery: true }));
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'bulk/s2' }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    clock.advance(7 * DAY - 60_000);
    await sw.slipway.settled();
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'bulk/s0' }))).DeletedDate).toBeDefined();

    // Restart on the same data dir: the schedule and the encrypted values survive.
    await new SSMClient(sdkConfig(sw.url)).send(new PutParameterCommand({ Name: '/kept/param', Value: 'kept-value', Type: 'SecureString' }));
    await sw.close();
    sw = await startSlipway({ clock, dataDir });
    sm = new SecretsManagerClient(sdkConfig(sw.url));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'bulk/s1' }))).SecretString).toBe('value-1');
    const kept = await new SSMClient(sdkConfig(sw.url)).send(new GetParameterCommand({ Name: '/kept/param', WithDecryption: true }));
    expect(kept.Parameter?.Value).toBe('kept-value');
    clock.advance(60_000);
    await sw.slipway.settled();
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'bulk/s0' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'bulk/s1' }))).SecretString).toBe('value-1');
    const recreated = await sm.send(new CreateSecretCommand({ Name: 'bulk/s0', SecretString: 'again' }));
    expect(recreated.ARN).not.toBe(del.ARN);
  });
});


describe('a replaced encryption key', () => {
  it('answers AWS-shaped decryption errors instead of failing the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-key-'));
    try {
      let sw = await startSlipway({ dataDir: dir });
      await new SecretsManagerClient(sdkConfig(sw.url)).send(new CreateSecretCommand({ Name: 'k/secret', SecretString: 'v' }));
      await new SSMClient(sdkConfig(sw.url)).send(new PutParameterCommand({ Name: '/k/param', Value: 'v', Type: 'SecureString' }));
      await sw.close();
      writeFileSync(join(dir, 'services', 'secretsmanager', 'secrets.key'), randomBytes(32));
      writeFileSync(join(dir, 'services', 'ssm', 'parameter-store.key'), randomBytes(32));
      sw = await startSlipway({ dataDir: dir });
      try {
        await expect(new SecretsManagerClient(sdkConfig(sw.url)).send(new GetSecretValueCommand({ SecretId: 'k/secret' }))).rejects.toMatchObject({
          name: 'DecryptionFailure',
        });
        const ssm = new SSMClient(sdkConfig(sw.url));
        await expect(ssm.send(new GetParameterCommand({ Name: '/k/param', WithDecryption: true }))).rejects.toMatchObject({ name: 'InvalidKeyId' });
        expect((await ssm.send(new GetParameterCommand({ Name: '/k/param' }))).Parameter?.Type).toBe('SecureString');
      } finally {
        await sw.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
