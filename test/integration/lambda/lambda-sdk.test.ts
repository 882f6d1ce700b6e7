import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { ROLE, makeZip, nodeEcho } from './zip.js';

let s: TestSlipway;
let lambda: LambdaClient;
const json = (p: Uint8Array | undefined) => JSON.parse(Buffer.from(p ?? []).toString('utf8')) as Record<string, unknown>;

beforeAll(async () => {
  s = await startSlipway();
  lambda = new LambdaClient(sdkConfig(s.url));
});
afterAll(async () => {
  lambda.destroy();
  await s.close();
});

describe('Lambda through SDK v3', () => {
  it('creates a function and runs it, with its environment and context', async () => {
    const created = await lambda.send(new CreateFunctionCommand({ FunctionName: 'echo', Runtime: 'nodejs18.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: nodeEcho('v1') }, Environment: { Variables: { GREETING: 'hi' } } }));
    expect(created).toMatchObject({ FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:echo', State: 'Active', LastUpdateStatus: 'Successful', Version: '$LATEST', Timeout: 3, MemorySize: 128 });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":1}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(json(out.Payload)).toMatchObject({ tag: 'v1', event: { a: 1 }, name: 'echo', version: '$LATEST', remaining: true, env: 'hi' });
  });

  it('reports a thrown error as an Unhandled function error with the log tail', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"fail":true}'), LogType: 'Tail' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(json(out.Payload)).toMatchObject({ errorType: 'Error', errorMessage: 'boom v1' });
    const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    expect(log).toMatch(/^START RequestId: \S+ Version: \$LATEST/);
    expect(log).toContain('Invoke Error');
    expect(log).toMatch(/REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms/);
  });

  it('publishes immutable versions and routes an alias by weight', async () => {
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    expect(v1.Version).toBe('1');
    const again = await lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    expect(again.Version).toBe('1');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: nodeEcho('v2') }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    expect(v2.Version).toBe('2');
    expect(v2.CodeSha256).not.toBe(v1.CodeSha256);
    const one = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '1' }));
    expect(json(one.Payload)).toMatchObject({ tag: 'v1', version: '1' });
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'echo' }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);

    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } } }));
    expect(alias.AliasArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:echo:live');
    const counts: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo:live' }));
      counts[out.ExecutedVersion!] = (counts[out.ExecutedVersion!] ?? 0) + 1;
      expect(json(out.Payload).tag).toBe(out.ExecutedVersion === '2' ? 'v2' : 'v1');
    }
    // 400 draws at p = 0.25: mean 100, standard deviation about 8.7; 60..140 is beyond 4.5 sigma.
    expect(counts['2']).toBeGreaterThan(60);
    expect(counts['2']).toBeLessThan(140);
    expect(counts['1']! + counts['2']!).toBe(400);

    const shifted = await lambda.send(new UpdateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } }));
    expect(shifted.RoutingConfig).toBeUndefined();
    const got = await lambda.send(new GetAliasCommand({ FunctionName: 'echo', Name: 'live' }));
    expect(got).toMatchObject({ FunctionVersion: '2', RevisionId: shifted.RevisionId });
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo', Qualifier: 'live' }));
    expect(cfg).toMatchObject({ Version: '2', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:echo:live' });
  });

  it('refuses routing configurations AWS refuses', async () => {
    const bad = async (weights: Record<string, number>, version = '1') =>
      lambda.send(new UpdateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: version, RoutingConfig: { AdditionalVersionWeights: weights } })).catch((e: Error) => e);
    expect(await bad({ '2': 1.5 })).toMatchObject({ name: 'ValidationException' });
    expect(await bad({ '2': 0.1, '3': 0.1 })).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await bad({ $LATEST: 0.1 })).toMatchObject({ name: 'ValidationException' });
    expect(await bad({ '2': 0.1 }, '$LATEST')).toMatchObject({ name: 'InvalidParameterValueException', message: '$LATEST is not supported for an alias pointing to more than 1 version' });
    expect(await bad({ '9': 0.1 })).toMatchObject({ name: 'ResourceNotFoundException', message: expect.stringContaining('function:echo:9') });
    expect(await bad({ '1': 0.1 })).toMatchObject({ name: 'InvalidParameterValueException' });
    const rev = await lambda.send(new UpdateAliasCommand({ FunctionName: 'echo', Name: 'live', RevisionId: 'nope' })).catch((e: Error) => e);
    expect(rev).toMatchObject({ name: 'PreconditionFailedException' });
  });

  it('updates configuration, lists, and deletes versions and functions', async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'echo', Timeout: 10, Environment: { Variables: { GREETING: 'hello' } } }));
    expect(updated.Timeout).toBe(10);
    expect(updated.RevisionId).not.toBe(before.RevisionId);
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo' }));
    expect(json(out.Payload).env).toBe('hello');
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    const zip = Buffer.from(await (await fetch(fn.Code!.Location!)).arrayBuffer());
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    const list = await lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toContain('echo');
    const inUse = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'echo', Qualifier: '2' })).catch((e: Error) => e);
    expect(inUse).toMatchObject({ name: 'ResourceConflictException' });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'echo', Qualifier: '1' }));
    const gone = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '1' })).catch((e: Error) => e);
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:echo:1' });
    const noAlias = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'beta' })).catch((e: Error) => e);
    expect(noAlias).toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:echo:beta' });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'echo' }));
    const none = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' })).catch((e: Error) => e);
    expect(none).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses a package that is not a zip and a payload that is not JSON', async () => {
    const notZip = await lambda.send(new CreateFunctionCommand({ FunctionName: 'bad', Runtime: 'nodejs18.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: Buffer.from('hello') } })).catch((e: Error) => e);
    expect(notZip).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Could not unzip uploaded file') });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'py', Runtime: 'python3.12', Role: ROLE, Handler: 'app.handler', Code: { ZipFile: makeZip({ 'app.py': 'def handler(event, context):\n    print("hello from python")\n    return {"sum": event["a"] + event["b"], "id": context.aws_request_id}\n' }) } }));
    const notJson = await lambda.send(new InvokeCommand({ FunctionName: 'py', Payload: Buffer.from('{nope') })).catch((e: Error) => e);
    expect(notJson).toMatchObject({ name: 'InvalidRequestContentException' });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'py', Payload: Buffer.from('{"a":2,"b":3}') }));
    expect(json(out.Payload)).toMatchObject({ sum: 5 });
    const err = await lambda.send(new InvokeCommand({ FunctionName: 'py', Payload: Buffer.from('{"a":2}') }));
    expect(err.FunctionError).toBe('Unhandled');
    expect(json(err.Payload)).toMatchObject({ errorType: 'KeyError', errorMessage: "'b'", stackTrace: expect.any(Array) });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'pyset', Runtime: 'python3.12', Role: ROLE, Handler: 'app.handler', Code: { ZipFile: makeZip({ 'app.py': 'def handler(event, context):\n    return {1, 2}\n' }) } }));
    const marshal = await lambda.send(new InvokeCommand({ FunctionName: 'pyset' }));
    expect(marshal.FunctionError).toBe('Unhandled');
    expect(json(marshal.Payload)).toMatchObject({ errorType: 'Runtime.MarshalError', errorMessage: expect.stringContaining('Unable to marshal response') });
  });
});
