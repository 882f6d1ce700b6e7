import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { makeZip } from './zip.js';

let s: TestSlipway;
let cli: ReturnType<typeof awsCli>;
let dir: string;

beforeAll(async () => {
  s = await startSlipway();
  cli = awsCli(s.env);
  dir = mkdtempSync(join(tmpdir(), 'lambda-cli-'));
  const code = `exports.handler = async (event) => {
  if (event.fail) throw new Error('requested failure');
  return { statusCode: 200, body: JSON.stringify([{ id: 1, name: 'Ada' }]), version: process.env.AWS_LAMBDA_FUNCTION_VERSION };
};`;
  writeFileSync(join(dir, 'function.zip'), makeZip({ 'index.js': code }));
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Lambda through the aws CLI', () => {
  it("runs the seed's create-function and invokes it into an output file", async () => {
    const created = await cli('lambda', 'create-function', '--function-name', 'GetUsers', '--runtime', 'nodejs18.x', '--role', 'arn:aws:iam::123456789012:role/LambdaRole', '--handler', 'index.handler', '--zip-file', `fileb://${join(dir, 'function.zip')}`);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json()).toMatchObject({ FunctionName: 'GetUsers', Runtime: 'nodejs18.x', Handler: 'index.handler', State: 'Active', Version: '$LATEST' });

    const out = join(dir, 'out.json');
    const invoked = await cli('lambda', 'invoke', '--function-name', 'GetUsers', '--payload', '{"path":"/users"}', out);
    expect(invoked.json()).toEqual({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ statusCode: 200, body: '[{"id":1,"name":"Ada"}]', version: '$LATEST' });
  });

  it('publishes a version, routes an alias, and shows function errors and the log tail', async () => {
    expect((await cli('lambda', 'publish-version', '--function-name', 'GetUsers')).json()).toMatchObject({ Version: '1' });
    const alias = await cli('lambda', 'create-alias', '--function-name', 'GetUsers', '--name', 'live', '--function-version', '1');
    expect(alias.json()).toMatchObject({ Name: 'live', FunctionVersion: '1', AliasArn: 'arn:aws:lambda:us-east-1:000000000000:function:GetUsers:live' });

    const out = join(dir, 'err.json');
    const failed = await cli('lambda', 'invoke', '--function-name', 'GetUsers', '--qualifier', 'live', '--log-type', 'Tail', '--payload', '{"fail":true}', out);
    const result = failed.json<{ StatusCode: number; FunctionError: string; ExecutedVersion: string; LogResult: string }>();
    expect(result).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '1' });
    expect(Buffer.from(result.LogResult, 'base64').toString()).toMatch(/START RequestId: .* Version: 1[\s\S]*requested failure[\s\S]*REPORT RequestId/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ errorType: 'Error', errorMessage: 'requested failure' });

    const routed = await cli('lambda', 'update-alias', '--function-name', 'GetUsers', '--name', 'live', '--routing-config', 'AdditionalVersionWeights={1=0.5}', '--function-version', '$LATEST');
    expect(routed.code).not.toBe(0);
    expect(routed.stderr).toContain('$LATEST is not supported for an alias pointing to more than 1 version');

    const missing = await cli('lambda', 'get-alias', '--function-name', 'GetUsers', '--name', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('ResourceNotFoundException');
  });
});
