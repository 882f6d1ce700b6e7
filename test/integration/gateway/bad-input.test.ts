import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { decode as cborDecode } from 'cbor2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const SIGNED = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

describe('bad input answers AWS-shaped 4xx errors and loses nothing', () => {
  let sw: TestSlipway;
  const send = (path: string, init: RequestInit) => fetch(`${sw.url}${path}`, init);

  beforeAll(async () => {
    sw = await startSlipway({ maxBodyBytes: 1024 * 1024 });
    await new IAMClient(sdkConfig(sw.url)).send(
      new (await import('@aws-sdk/client-iam')).CreateRoleCommand({ RoleName: 'Keep', AssumeRolePolicyDocument: '{"Statement":[]}' }),
    );
  });
  afterAll(async () => {
    // Whatever was thrown at it, the server is up and the role is intact.
    const role = await new IAMClient(sdkConfig(sw.url)).send(new GetRoleCommand({ RoleName: 'Keep' }));
    expect(role.Role?.RoleName).toBe('Keep');
    await sw.close();
  });

  it('malformed JSON', async () => {
    const res = await send('/', { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0' }, body: '{"TableName": "t", ' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe('SerializationException');
    expect(body.message).toMatch(/not valid JSON/);
  });

  it('a JSON value of the wrong type names its location', async () => {
    const res = await send('/', {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ TableName: 't', Item: { k: { S: 5 } } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe("Expected a string at 'Item.k.S' but found number 5.");
  });

  it('invalid UTF-8', async () => {
    const res = await send('/', { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.ListBackups', 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/UTF-8/);
  });

  it('an unknown JSON target', async () => {
    const res = await send('/', { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.Explode', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });

  it('malformed CBOR', async () => {
    const res = await send('/service/GraniteServiceVersion20100801/operation/PutMetricData', {
      method: 'POST',
      headers: { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' },
      body: Buffer.from([0xbf, 0x61, 0x41, 0xff, 0xff, 0x1c]),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('smithy-protocol')).toBe('rpc-v2-cbor');
    const body = cborDecode(new Uint8Array(await res.arrayBuffer())) as { __type: string };
    expect(body.__type).toBe('SerializationException');
  });

  it('malformed XML', async () => {
    const res = await send('/bucket?versioning', { method: 'PUT', headers: { authorization: SIGNED('s3') }, body: '<VersioningConfiguration><Status>Enabled</Status>' });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<Code>MalformedXML</Code>');
  });

  it('XML with a DOCTYPE (entity expansion) is refused', async () => {
    const body = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><VersioningConfiguration><Status>&a;</Status></VersioningConfiguration>';
    const res = await send('/bucket?versioning', { method: 'PUT', headers: { authorization: SIGNED('s3') }, body });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('DOCTYPE');
  });

  it('a form field of the wrong type, and a missing required member', async () => {
    const form = (body: string) =>
      send('/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: SIGNED('iam') }, body });
    const wrongType = await form('Action=ListRoles&Version=2010-05-08&MaxItems=lots');
    expect(wrongType.status).toBe(400);
    expect(await wrongType.text()).toContain("Value 'lots' at 'MaxItems' is not an integer.");
    const missing = await form('Action=GetRole&Version=2010-05-08');
    expect(missing.status).toBe(400);
    const text = await missing.text();
    expect(text).toContain('<Code>ValidationError</Code>');
    expect(text).toContain("Value null at 'roleName' failed to satisfy constraint: Member must not be null");
  });

  it('an unknown query action', async () => {
    const res = await send('/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: SIGNED('iam') }, body: 'Action=Frobnicate&Version=2010-05-08' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('garbled authorization headers', async () => {
    const res = await send('/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 garbage' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe('IncompleteSignature');
    expect(body.message).toContain("Authorization header requires 'Credential' parameter.");
    const scope = await send('/', { method: 'POST', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=abc, SignedHeaders=host, Signature=x' }, body: '' });
    expect(((await scope.json()) as { message: string }).message).toContain('Credential should be scoped');
  });

  it('a request no service can be found for', async () => {
    const res = await send('/definitely/not/aws', { method: 'PATCH', headers: {}, body: 'x' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownService');
  });

  it('an oversized body', async () => {
    const res = await send('/', {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0' },
      body: Buffer.alloc(2 * 1024 * 1024, 0x20),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { __type: string }).__type).toBe('RequestEntityTooLarge');
  });

  it('a valid call to an operation Slipway does not implement is a clear 501, not a success', async () => {
    const res = await send('/', {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListBackups', 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
    });
    expect(res.status).toBe(501);
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe('NotImplemented');
    expect(body.message).toContain('dynamodb operation ListBackups');
  });
});
