import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { ROLE, makeZip } from './zip.js';

let s: TestSlipway;
let lambda: LambdaClient;
const arn = 'arn:aws:lambda:us-east-1:000000000000:function:worker';

beforeAll(async () => {
  s = await startSlipway();
  lambda = new LambdaClient(sdkConfig(s.url));
  // Each environment has its own id (a pid would be the same in every sandbox's PID namespace).
  const code = 'const id = Math.random();\nexports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 0)); return id; };\n';
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'worker', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: makeZip({ 'index.js': code }) }, Tags: { team: 'core' } }));
});
afterAll(async () => {
  lambda.destroy();
  await s.close();
});

describe('Lambda concurrency, permissions and tags', () => {
  it('runs parallel invocations in several warm environments, up to the per-version cap', async () => {
    const ids = await Promise.all(
      Array.from({ length: 6 }, async () => Number(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: 'worker', Payload: Buffer.from('{"ms":300}') }))).Payload!).toString())),
    );
    const distinct = new Set(ids);
    expect(distinct.size).toBeGreaterThan(1);
    expect(distinct.size).toBeLessThanOrEqual(4);
  });

  it('throttles with reserved concurrency 0 and keeps AWS bookkeeping', async () => {
    expect(await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'worker', ReservedConcurrentExecutions: 0 }))).toMatchObject({ ReservedConcurrentExecutions: 0 });
    const throttled = await lambda.send(new InvokeCommand({ FunctionName: 'worker' })).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect(throttled).toMatchObject({ name: 'TooManyRequestsException', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', $metadata: { httpStatusCode: 429 } });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'worker' }))).Concurrency).toEqual({ ReservedConcurrentExecutions: 0 });
    const tooMuch = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'worker', ReservedConcurrentExecutions: 950 })).catch((e: Error) => e);
    expect(tooMuch).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('below its minimum value of [100]') });
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'worker', ReservedConcurrentExecutions: 10 }));
    expect((await lambda.send(new GetAccountSettingsCommand({}))).AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 990 });
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'worker' }));
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'worker' }))).ReservedConcurrentExecutions).toBeUndefined();
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'worker' }))).StatusCode).toBe(200);
  });

  it('stores resource-based policy statements as AWS writes them', async () => {
    const added = await lambda.send(new AddPermissionCommand({ FunctionName: 'worker', StatementId: 's3-invoke', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::uploads', SourceAccount: '000000000000' }));
    expect(JSON.parse(added.Statement!)).toEqual({
      Sid: 's3-invoke',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: arn,
      Condition: { StringEquals: { 'AWS:SourceAccount': '000000000000' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::uploads' } },
    });
    const dup = await lambda.send(new AddPermissionCommand({ FunctionName: 'worker', StatementId: 's3-invoke', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' })).catch((e: Error) => e);
    expect(dup).toMatchObject({ name: 'ResourceConflictException' });
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'worker' }))).Policy!);
    expect(policy).toMatchObject({ Version: '2012-10-17', Statement: [{ Sid: 's3-invoke' }] });
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'worker', StatementId: 's3-invoke' }));
    expect(await lambda.send(new GetPolicyCommand({ FunctionName: 'worker' })).catch((e: Error) => e)).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await lambda.send(new RemovePermissionCommand({ FunctionName: 'worker', StatementId: 's3-invoke' })).catch((e: Error) => e)).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('tags the function, not its versions', async () => {
    await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { env: 'dev' } }));
    await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['team'] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ env: 'dev' });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'worker' }))).Tags).toEqual({ env: 'dev' });
    const qualified = await lambda.send(new ListTagsCommand({ Resource: `${arn}:1` })).catch((e: Error) => e);
    expect(qualified).toMatchObject({ name: 'InvalidParameterValueException' });
  });

  it('runs functions again after a reset wiped the state', async () => {
    await s.slipway.reset();
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'again', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: makeZip({ 'index.js': 'exports.handler = async () => "again";\n' }) } }));
    expect(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: 'again' }))).Payload!).toString()).toBe('"again"');
    expect(await lambda.send(new GetFunctionCommand({ FunctionName: 'worker' })).catch((e: Error) => e)).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses to run a runtime it cannot execute, without reporting success', async () => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'javafn', Runtime: 'java17', Role: ROLE, Handler: 'example.Handler::handleRequest', Code: { ZipFile: makeZip({ 'x.txt': 'x' }) } }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'javafn' })).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect(out).toMatchObject({ name: 'InvalidRuntimeException', $metadata: { httpStatusCode: 502 } });
  });
});
