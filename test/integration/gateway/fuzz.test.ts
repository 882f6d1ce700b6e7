import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { decode as cborDecode, encode as cborEncode } from 'cbor2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

/** A small seeded PRNG, so every run throws the same requests. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Base {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

const sign = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

const BASES: Record<string, Base[]> = {
  json: [
    {
      method: 'POST', path: '/',
      headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0' },
      body: Buffer.from(JSON.stringify({ TableName: 'terraform-locks', Item: { LockID: { S: 'x' }, N: { N: '1' }, B: { B: 'AAEC' } }, ConditionExpression: 'attribute_not_exists(LockID)' })),
    },
    {
      method: 'POST', path: '/',
      headers: { 'x-amz-target': 'CodeBuild_20161006.CreateProject', 'content-type': 'application/x-amz-json-1.1' },
      body: Buffer.from(JSON.stringify({ name: 'p', source: { type: 'NO_SOURCE', buildspec: 'version: 0.2' }, artifacts: { type: 'NO_ARTIFACTS' }, environment: { type: 'LINUX_CONTAINER', image: 'i', computeType: 'BUILD_GENERAL1_SMALL' }, serviceRole: 'r' })),
    },
  ],
  query: [
    { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: sign('iam') }, body: Buffer.from('Action=GetRole&Version=2010-05-08&RoleName=Keep') },
    { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('Action=ListRoles&Version=2010-05-08&MaxItems=10&PathPrefix=%2F') },
    { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: sign('sts') }, body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15') },
  ],
  ec2: [
    {
      method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: sign('ec2') },
      body: Buffer.from('Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=WebServer&MaxResults=10'),
    },
  ],
  'rest-json': [
    {
      method: 'POST', path: '/2015-03-31/functions', headers: { 'content-type': 'application/json', authorization: sign('lambda') },
      body: Buffer.from(JSON.stringify({ FunctionName: 'f', Runtime: 'nodejs18.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: 'UEsDBA==' }, Environment: { Variables: { A: 'b' } } })),
    },
    { method: 'GET', path: '/2015-03-31/functions/f/configuration', headers: { authorization: sign('lambda') }, body: Buffer.alloc(0) },
  ],
  'rest-xml': [
    { method: 'PUT', path: '/bucket?versioning', headers: { authorization: sign('s3') }, body: Buffer.from('<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>') },
    { method: 'POST', path: '/bucket?delete', headers: { authorization: sign('s3') }, body: Buffer.from('<Delete><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>') },
  ],
  'smithy-rpc-v2-cbor': [
    {
      method: 'POST', path: '/service/GraniteServiceVersion20100801/operation/PutMetricData', headers: { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' },
      body: Buffer.from(cborEncode({ Namespace: 'App', MetricData: [{ MetricName: 'M', Value: 1.5, Timestamp: new Date(1700000000000), Dimensions: [{ Name: 'a', Value: 'b' }] }] })),
    },
  ],
};

function mutate(base: Base, rnd: () => number): Base {
  const body = Buffer.from(base.body);
  const headers = { ...base.headers };
  let path = base.path;
  const pick = (n: number) => Math.floor(rnd() * n);
  const kinds = 1 + pick(3);
  for (let k = 0; k < kinds; k++) {
    switch (pick(9)) {
      case 0: for (let i = 0, n = 1 + pick(4); i < n && body.length; i++) body[pick(body.length)] = pick(256); break;
      case 1: return { ...base, headers, path, body: body.subarray(0, pick(body.length + 1)) };
      case 2: { const at = pick(body.length + 1); return { ...base, headers, path, body: Buffer.concat([body.subarray(0, at), Buffer.from(Array.from({ length: 1 + pick(16) }, () => pick(256))), body.subarray(at)]) }; }
      case 3: { const a = pick(body.length + 1); const b = a + pick(body.length - a + 1); return { ...base, headers, path, body: Buffer.concat([body, body.subarray(a, b)]) }; }
      case 4: delete headers['content-type']; break;
      case 5: if (headers['x-amz-target']) headers['x-amz-target'] += String.fromCharCode(33 + pick(90)); else headers['content-type'] = ['text/plain', 'application/json', 'application/cbor', ''][pick(4)]; break;
      case 6: headers.authorization = ['AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 Credential=x', `AWS ${'a'.repeat(pick(30))}`, 'Bearer x', sign('nope')][pick(5)]; break;
      case 7: { const chars = path.split(''); chars.splice(pick(chars.length + 1), 0, ['%', '%zz', '/', '..', '?', '&', '=', '%00', '\u00e9'][pick(9)]); path = chars.join(''); break; }
      default: return { ...base, headers, path, body: Buffer.from(Array.from({ length: pick(64) }, () => pick(256))) };
    }
  }
  return { ...base, headers, path, body };
}

/** The error body is in the shape of the protocol the content type announces. */
function assertAwsShaped(status: number, type: string, body: Buffer, what: string): void {
  if (status < 400) return;
  if (type.includes('json')) {
    const doc = JSON.parse(body.toString('utf8')) as { __type?: string; message?: string };
    expect(typeof doc.__type, what).toBe('string');
    expect(typeof doc.message, what).toBe('string');
  } else if (type.includes('cbor')) {
    const doc = cborDecode(body) as { __type?: string };
    expect(typeof doc.__type, what).toBe('string');
  } else if (type.includes('xml')) {
    expect(body.toString('utf8'), what).toMatch(/<Code>[^<]+<\/Code>/);
  } else {
    throw new Error(`${what}: error with content type '${type}'`);
  }
}

const PER_CODEC = 1500;

describe('fuzzing every codec with mutated requests', () => {
  let sw: TestSlipway;
  let iam: IAMClient;
  let rolesBefore: string[];

  beforeAll(async () => {
    sw = await startSlipway();
    iam = new IAMClient(sdkConfig(sw.url));
    await iam.send(new CreateRoleCommand({ RoleName: 'Keep', AssumeRolePolicyDocument: '{"Statement":[]}' }));
    rolesBefore = (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.Arn!);
  });
  afterAll(() => sw.close());

  for (const [codec, bases] of Object.entries(BASES)) {
    it(`${codec}: ${PER_CODEC} mutated requests all answer AWS-shaped errors, never 500`, async () => {
      const rnd = prng(codec.length * 7919 + Number(process.env.FUZZ_SEED ?? 17));
      const statuses = new Map<number, number>();
      const work = Array.from({ length: PER_CODEC }, (_, i) => mutate(bases[i % bases.length], rnd));
      let next = 0;
      const worker = async () => {
        while (next < work.length) {
          const req = work[next++];
          const what = `${codec} ${req.method} ${req.path} ${JSON.stringify(req.headers)} body=${req.body.toString('hex').slice(0, 120)}`;
          const res = await fetch(`${sw.url}${req.path.startsWith('/') ? '' : '/'}${req.path}`, { method: req.method, headers: req.headers, body: req.method === 'GET' ? undefined : req.body });
          const body = Buffer.from(await res.arrayBuffer());
          expect(res.status, what).not.toBe(500);
          expect(res.status === 501 || res.status < 500, what).toBe(true);
          assertAwsShaped(res.status, res.headers.get('content-type') ?? '', body, what);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(PER_CODEC);
      // Most mutations are rejected as bad input.
      const rejected = [...statuses].filter(([s]) => s >= 400 && s < 500).reduce((a, [, n]) => a + n, 0);
      expect(rejected).toBeGreaterThan(PER_CODEC / 4);
    });
  }

  it('left state as it was', async () => {
    const roles = (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.Arn!);
    expect(roles).toEqual(rolesBefore);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'Keep' }))).Role?.RoleName).toBe('Keep');
  });
});
