import { CreateFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSandbox } from '../../../src/runtime/sandbox.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { ROLE, makeZip } from './zip.js';

let s: TestSlipway;
let lambda: LambdaClient;
const json = (p: Uint8Array | undefined) => JSON.parse(Buffer.from(p ?? []).toString('utf8')) as Record<string, unknown>;

async function create(name: string, runtime: 'nodejs20.x' | 'python3.12' | 'provided.al2023', handler: string, zip: Buffer, extra: { Timeout?: number; Variables?: Record<string, string> } = {}) {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime, Role: ROLE, Handler: handler, Code: { ZipFile: zip }, Timeout: extra.Timeout, Environment: extra.Variables ? { Variables: extra.Variables } : undefined }));
}

async function invoke(name: string, payload: unknown = {}) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: 'Tail' }));
  return { out, body: json(out.Payload), log: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8') };
}

beforeAll(async () => {
  s = await startSlipway();
  lambda = new LambdaClient(sdkConfig(s.url));
});
afterAll(async () => {
  lambda.destroy();
  await s.close();
});

describe('Lambda execution', () => {
  it('runs ESM, callback and sync-returning Node handlers, reusing a warm environment', async () => {
    await create('esm', 'nodejs20.x', 'src/app.handler', makeZip({ 'src/app.mjs': 'let n = 0;\nexport const handler = async () => ({ n: ++n, pid: process.pid });\n' }));
    const a = await invoke('esm');
    const b = await invoke('esm');
    expect(a.body.n).toBe(1);
    expect(b.body).toEqual({ n: 2, pid: a.body.pid });
    expect(a.log).toContain('Init Duration');
    expect(b.log).not.toContain('Init Duration');
    await create('cb', 'nodejs20.x', 'index.handler', makeZip({ 'index.js': 'exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { doubled: event.x * 2 }), 5); };\n' }));
    expect((await invoke('cb', { x: 21 })).body).toEqual({ doubled: 42 });
    await create('cberr', 'nodejs20.x', 'index.handler', makeZip({ 'index.js': 'exports.handler = (event, context, callback) => callback(new TypeError("bad input"));\n' }));
    const err = await invoke('cberr');
    expect(err.out.FunctionError).toBe('Unhandled');
    expect(err.body).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
  });

  it('starts fresh environments after a code update', async () => {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'esm', ZipFile: makeZip({ 'src/app.mjs': 'export const handler = async () => ({ fresh: true });\n' }) }));
    expect((await invoke('esm')).body).toEqual({ fresh: true });
  });

  it('answers a handler that cannot be loaded with the runtime error', async () => {
    await create('missing', 'nodejs20.x', 'nope.handler', makeZip({ 'index.js': 'exports.handler = async () => 1;\n' }));
    const out = await invoke('missing');
    expect(out.out.FunctionError).toBe('Unhandled');
    expect(out.body).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: expect.stringContaining("Cannot find module 'nope'") });
    await create('pymissing', 'python3.12', 'app.nothere', makeZip({ 'app.py': 'x = 1\n' }));
    expect((await invoke('pymissing')).body).toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
  });

  it('enforces the timeout: the invocation ends with the task timed out error', async () => {
    await create('slow', 'nodejs20.x', 'index.handler', makeZip({ 'index.js': 'exports.handler = () => new Promise(() => {});\n' }), { Timeout: 1 });
    const out = await invoke('slow');
    expect(out.out.FunctionError).toBe('Unhandled');
    expect(out.body).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });
    expect(out.log).toMatch(/Task timed out after 1\.00 seconds/);
  });

  it('runs a provided runtime with its own bootstrap speaking the Runtime API', async () => {
    const bootstrap = [
      '#!/bin/sh',
      'set -eu',
      'while true; do',
      '  HEADERS=$(mktemp)',
      '  EVENT=$(curl -sS -D "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")',
      "  ID=$(grep -i Lambda-Runtime-Aws-Request-Id \"$HEADERS\" | tr -d '[:space:]' | cut -d: -f2)",
      '  echo "handling $ID"',
      '  curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$ID/response" -d "{\\"echo\\":$EVENT,\\"handler\\":\\"$_HANDLER\\"}" >/dev/null',
      'done',
      '',
    ].join('\n');
    await create('shell', 'provided.al2023', 'my.handler', makeZip({ bootstrap }, ['bootstrap']));
    const out = await invoke('shell', { hello: 'world' });
    expect(out.body).toEqual({ echo: { hello: 'world' }, handler: 'my.handler' });
    expect(out.log).toMatch(/handling [0-9a-f-]{36}/);
    await create('nobootstrap', 'provided.al2023', 'my.handler', makeZip({ 'main.sh': 'echo hi' }));
    const none = await invoke('nobootstrap');
    expect(none.out.FunctionError).toBe('Unhandled');
    expect(none.body).toMatchObject({ errorType: 'Runtime.InvalidEntrypoint', errorMessage: expect.stringContaining("Couldn't find valid bootstrap(s)") });
  });

  it('gives the function the SDK v3, credentials and an endpoint, so the SDK inside reaches Slipway', async () => {
    const code = `const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
exports.handler = async () => (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;`;
    await create('caller', 'nodejs20.x', 'index.handler', makeZip({ 'index.js': code }));
    const out = await invoke('caller');
    expect(out.out.FunctionError).toBeUndefined();
    expect(Buffer.from(out.out.Payload!).toString()).toBe('"arn:aws:sts::000000000000:assumed-role/lambda-role/caller"');
  });

  it('sandboxes the environment where bubblewrap works: code at /var/task, private /tmp, data dir hidden', async () => {
    const code = `const fs = require('fs');
exports.handler = async (e) => { fs.writeFileSync('/tmp/scratch', 'ok'); return { root: process.env.LAMBDA_TASK_ROOT, cwd: process.cwd(), tmp: fs.readFileSync('/tmp/scratch', 'utf8'), seesData: fs.existsSync(e.dataDir + '/slipway.db') }; };`;
    await create('boxed', 'nodejs20.x', 'index.handler', makeZip({ 'index.js': code }));
    const out = await invoke('boxed', { dataDir: s.dataDir });
    if (detectSandbox().kind === 'bubblewrap') expect(out.body).toEqual({ root: '/var/task', cwd: '/var/task', tmp: 'ok', seesData: false });
    else expect(out.body).toMatchObject({ tmp: 'ok' });
  });

  it.skipIf(detectSandbox().kind !== 'bubblewrap')('lets an ES module handler import the SDK the runtime provides, as on AWS', async () => {
    const code = `import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
const sts = new STSClient({});
export const handler = async () => (await sts.send(new GetCallerIdentityCommand({}))).Arn;
`;
    await create('esm-sdk', 'nodejs20.x', 'index.handler', makeZip({ 'index.mjs': code }));
    expect((await invoke('esm-sdk')).body).toBe('arn:aws:sts::000000000000:assumed-role/lambda-role/esm-sdk');
  });

  it.skipIf(spawnSync('python3', ['-c', 'import boto3']).status !== 0)('gives Python functions the machine\'s boto3, pointed at Slipway', async () => {
    const code = 'import boto3\n\ndef handler(event, context):\n    return boto3.client("sts").get_caller_identity()["Arn"]\n';
    await create('pycaller', 'python3.12', 'app.handler', makeZip({ 'app.py': code }));
    const out = await invoke('pycaller');
    expect(out.body).toBe('arn:aws:sts::000000000000:assumed-role/lambda-role/pycaller');
  });

  it('takes the package from S3', async () => {
    const s3 = new S3Client(sdkConfig(s.url));
    await s3.send(new CreateBucketCommand({ Bucket: 'code' }));
    await s3.send(new PutObjectCommand({ Bucket: 'code', Key: 'fn.zip', Body: makeZip({ 'lambda_function.py': 'def lambda_handler(event, context):\n    return "from s3"\n' }) }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'froms3', Runtime: 'python3.12', Role: ROLE, Handler: 'lambda_function.lambda_handler', Code: { S3Bucket: 'code', S3Key: 'fn.zip' } }));
    expect((await invoke('froms3')).body).toBe('from s3');
    const missing = await lambda.send(new CreateFunctionCommand({ FunctionName: 'nos3', Runtime: 'python3.12', Role: ROLE, Handler: 'a.b', Code: { S3Bucket: 'code', S3Key: 'nope.zip' } })).catch((e: Error) => e);
    expect(missing).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('S3 Error Code: NoSuchKey') });
    s3.destroy();
  });
});
