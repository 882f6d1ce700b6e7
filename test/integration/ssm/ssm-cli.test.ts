import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

interface Param {
  Name: string;
  Type: string;
  Value: string;
  Version: number;
  Selector?: string;
  ARN: string;
}

describe('SSM Parameter Store through the aws CLI', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
  });
  afterAll(() => sw.close());

  it("runs the seed's put-parameter and reads the value back", async () => {
    const put = await cli('ssm', 'put-parameter', '--name', '/app/db-host', '--value', 'db.local', '--type', 'String');
    expect(put.code, put.stderr).toBe(0);
    expect(put.json()).toEqual({ Version: 1, Tier: 'Standard' });
    const [got, text] = await Promise.all([
      cli('ssm', 'get-parameter', '--name', '/app/db-host'),
      cli('ssm', 'get-parameter', '--name', '/app/db-host', '--query', 'Parameter.Value', '--output', 'text'),
    ]);
    expect(got.json<{ Parameter: Param }>().Parameter).toMatchObject({
      Name: '/app/db-host', Type: 'String', Value: 'db.local', Version: 1, ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/app/db-host', DataType: 'text',
    });
    expect(text.stdout.trim()).toBe('db.local');
  });

  it('refuses to overwrite without --overwrite and versions each overwrite', async () => {
    const again = await cli('ssm', 'put-parameter', '--name', '/app/db-host', '--value', 'db2.local', '--type', 'String');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(
      'An error occurred (ParameterAlreadyExists) when calling the PutParameter operation: The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
    const over = await cli('ssm', 'put-parameter', '--name', '/app/db-host', '--value', 'db2.local', '--overwrite');
    expect(over.json()).toEqual({ Version: 2, Tier: 'Standard' });
    const [v1, missing] = await Promise.all([cli('ssm', 'get-parameter', '--name', '/app/db-host:1'), cli('ssm', 'get-parameter', '--name', '/app/db-host:7')]);
    expect(v1.json<{ Parameter: Param }>().Parameter).toMatchObject({ Name: '/app/db-host', Value: 'db.local', Version: 1, Selector: ':1' });
    expect(missing.stderr).toContain('(ParameterVersionNotFound) when calling the GetParameter operation: Systems Manager could not find version 7 of /app/db-host.');
  });

  it('keeps SecureStrings encrypted: ciphertext without --with-decryption, plaintext with it, nothing readable on disk', async () => {
    const put = await cli('ssm', 'put-parameter', '--name', '/app/db-password', '--value', 'Pa55-w0rd!', '--type', 'SecureString');
    expect(put.code, put.stderr).toBe(0);
    const [plain, shown, described] = await Promise.all([
      cli('ssm', 'get-parameter', '--name', '/app/db-password'),
      cli('ssm', 'get-parameter', '--name', '/app/db-password', '--with-decryption', '--query', 'Parameter.Value', '--output', 'text'),
      cli('ssm', 'describe-parameters', '--parameter-filters', 'Key=Name,Values=/app/db-password'),
    ]);
    const hidden = plain.json<{ Parameter: Param }>().Parameter;
    expect(hidden.Type).toBe('SecureString');
    expect(hidden.Value).not.toContain('Pa55-w0rd!');
    expect(hidden.Value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(shown.stdout.trim()).toBe('Pa55-w0rd!');
    expect(described.json<{ Parameters: { KeyId: string }[] }>().Parameters[0].KeyId).toBe('alias/aws/ssm');
    for (const file of ['slipway.db', 'slipway.db-wal']) {
      expect(readFileSync(join(sw.dataDir, file)).includes('Pa55-w0rd!')).toBe(false);
    }
    const keyDir = join(sw.dataDir, 'services', 'ssm');
    expect(readdirSync(keyDir)).toEqual(['parameter-store.key']);
  });

  it('reads a hierarchy with get-parameters-by-path and reports missing names in get-parameters', async () => {
    await Promise.all([
      cli('ssm', 'put-parameter', '--name', '/app/cache/url', '--value', 'redis://cache', '--type', 'String'),
      cli('ssm', 'put-parameter', '--name', '/app/hosts', '--value', 'a,b,c', '--type', 'StringList'),
    ]);
    const [oneLevel, recursive, many] = await Promise.all([
      cli('ssm', 'get-parameters-by-path', '--path', '/app'),
      cli('ssm', 'get-parameters-by-path', '--path', '/app', '--recursive', '--with-decryption', '--query', 'Parameters[].[Name,Value]'),
      cli('ssm', 'get-parameters', '--names', '/app/db-host', '/app/nope', '/app/hosts'),
    ]);
    expect(oneLevel.json<{ Parameters: Param[] }>().Parameters.map((p) => p.Name)).toEqual(['/app/db-host', '/app/db-password', '/app/hosts']);
    expect(recursive.json()).toEqual([
      ['/app/cache/url', 'redis://cache'], ['/app/db-host', 'db2.local'], ['/app/db-password', 'Pa55-w0rd!'], ['/app/hosts', 'a,b,c'],
    ]);
    const body = many.json<{ Parameters: Param[]; InvalidParameters: string[] }>();
    expect(body.Parameters.map((p) => [p.Name, p.Type, p.Value])).toEqual([['/app/db-host', 'String', 'db2.local'], ['/app/hosts', 'StringList', 'a,b,c']]);
    expect(body.InvalidParameters).toEqual(['/app/nope']);
  });

  it('labels versions, reads by label and shows the history', async () => {
    const label = await cli('ssm', 'label-parameter-version', '--name', '/app/db-host', '--parameter-version', '1', '--labels', 'stable', '1bad');
    expect(label.json()).toEqual({ InvalidLabels: ['1bad'], ParameterVersion: 1 });
    const [byLabel, history] = await Promise.all([
      cli('ssm', 'get-parameter', '--name', '/app/db-host:stable'),
      cli('ssm', 'get-parameter-history', '--name', '/app/db-host', '--query', 'Parameters[].[Version,Value,Labels]'),
    ]);
    expect(byLabel.json<{ Parameter: Param }>().Parameter).toMatchObject({ Value: 'db.local', Version: 1, Selector: ':stable' });
    expect(history.json()).toEqual([[1, 'db.local', ['stable']], [2, 'db2.local', []]]);
  });

  it('rejects names AWS rejects', async () => {
    const [unqualified, reserved] = await Promise.all([
      cli('ssm', 'put-parameter', '--name', 'app/db-host', '--value', 'x', '--type', 'String'),
      cli('ssm', 'put-parameter', '--name', 'aws-thing', '--value', 'x', '--type', 'String'),
    ]);
    expect(unqualified.stderr).toContain('(ValidationException) when calling the PutParameter operation: Parameter name must be a fully qualified name.');
    expect(reserved.stderr).toContain('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  });

  it('deletes a parameter and reports a second delete', async () => {
    expect((await cli('ssm', 'delete-parameter', '--name', '/app/cache/url')).code).toBe(0);
    const again = await cli('ssm', 'delete-parameter', '--name', '/app/cache/url');
    expect(again.stderr).toContain('An error occurred (ParameterNotFound) when calling the DeleteParameter operation: Parameter /app/cache/url not found.');
  });
});
