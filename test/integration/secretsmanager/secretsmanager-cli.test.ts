import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

describe('Secrets Manager through the aws CLI', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let arn: string;

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
  });
  afterAll(() => sw.close());

  it("runs the seed's create-secret and reads the value back by name and by ARN", async () => {
    const created = await cli('secretsmanager', 'create-secret', '--name', 'prod/db', '--secret-string', '{"password":"s3cr3t"}');
    expect(created.code, created.stderr).toBe(0);
    const body = created.json<{ ARN: string; Name: string; VersionId: string }>();
    arn = body.ARN;
    expect(body.Name).toBe('prod/db');
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:prod\/db-[A-Za-z0-9]{6}$/);
    const [byName, byArn, byPartial] = await Promise.all([
      cli('secretsmanager', 'get-secret-value', '--secret-id', 'prod/db'),
      cli('secretsmanager', 'get-secret-value', '--secret-id', arn, '--query', 'SecretString', '--output', 'text'),
      cli('secretsmanager', 'get-secret-value', '--secret-id', arn.slice(0, -7), '--query', 'VersionId', '--output', 'text'),
    ]);
    expect(byName.json()).toMatchObject({ ARN: arn, Name: 'prod/db', VersionId: body.VersionId, SecretString: '{"password":"s3cr3t"}', VersionStages: ['AWSCURRENT'] });
    expect(JSON.parse(byArn.stdout)).toEqual({ password: 's3cr3t' });
    expect(byPartial.stdout.trim()).toBe(body.VersionId);
  });

  it('never writes the value in plaintext, and keeps its key private', async () => {
    for (const file of ['slipway.db', 'slipway.db-wal']) expect(readFileSync(join(sw.dataDir, file)).includes('s3cr3t')).toBe(false);
    expect(statSync(join(sw.dataDir, 'services', 'secretsmanager', 'secrets.key')).mode & 0o777).toBe(0o600);
  });

  it('refuses a duplicate name as AWS does', async () => {
    const dup = await cli('secretsmanager', 'create-secret', '--name', 'prod/db', '--secret-string', 'x');
    expect(dup.stderr).toContain('An error occurred (ResourceExistsException) when calling the CreateSecret operation: The operation failed because the secret prod/db already exists.');
    const missing = await cli('secretsmanager', 'get-secret-value', '--secret-id', 'prod/nope');
    expect(missing.stderr).toContain("An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret.");
  });

  it('rotates values by hand: put-secret-value moves AWSCURRENT and keeps AWSPREVIOUS', async () => {
    const put = await cli('secretsmanager', 'put-secret-value', '--secret-id', 'prod/db', '--secret-string', '{"password":"n3w"}');
    expect(put.json()).toMatchObject({ ARN: arn, Name: 'prod/db', VersionStages: ['AWSCURRENT'] });
    const [current, previous, described] = await Promise.all([
      cli('secretsmanager', 'get-secret-value', '--secret-id', 'prod/db', '--query', 'SecretString', '--output', 'text'),
      cli('secretsmanager', 'get-secret-value', '--secret-id', 'prod/db', '--version-stage', 'AWSPREVIOUS', '--query', 'SecretString', '--output', 'text'),
      cli('secretsmanager', 'describe-secret', '--secret-id', 'prod/db'),
    ]);
    expect(current.stdout.trim()).toBe('{"password":"n3w"}');
    expect(previous.stdout.trim()).toBe('{"password":"s3cr3t"}');
    const stages = Object.values(described.json<{ VersionIdsToStages: Record<string, string[]> }>().VersionIdsToStages);
    expect(stages.sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
  });

  it('deletes with a recovery window, refuses reads meanwhile, and restores', async () => {
    const bad = await cli('secretsmanager', 'delete-secret', '--secret-id', 'prod/db', '--recovery-window-in-days', '3');
    expect(bad.stderr).toContain('(InvalidParameterException) when calling the DeleteSecret operation: The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    const del = await cli('secretsmanager', 'delete-secret', '--secret-id', 'prod/db', '--recovery-window-in-days', '7');
    const deletion = del.json<{ DeletionDate: number }>().DeletionDate;
    const [described, read] = await Promise.all([
      cli('secretsmanager', 'describe-secret', '--secret-id', 'prod/db', '--query', 'DeletedDate'),
      cli('secretsmanager', 'get-secret-value', '--secret-id', 'prod/db'),
    ]);
    expect(Math.round((deletion - described.json<number>()) * 1000)).toBe(7 * 86_400_000);
    expect(read.stderr).toContain("(InvalidRequestException) when calling the GetSecretValue operation: You can't perform this operation on the secret because it was marked for deletion.");
    const listed = await cli('secretsmanager', 'list-secrets', '--query', 'SecretList[].Name');
    expect(listed.json()).toEqual([]);
    expect((await cli('secretsmanager', 'restore-secret', '--secret-id', 'prod/db')).json()).toEqual({ ARN: arn, Name: 'prod/db' });
    const back = await cli('secretsmanager', 'get-secret-value', '--secret-id', 'prod/db', '--query', 'SecretString', '--output', 'text');
    expect(back.stdout.trim()).toBe('{"password":"n3w"}');
  });

  it('generates random passwords', async () => {
    const r = await cli('secretsmanager', 'get-random-password', '--password-length', '24', '--exclude-punctuation');
    expect(r.json<{ RandomPassword: string }>().RandomPassword).toMatch(/^[A-Za-z0-9]{24}$/);
  });
});
