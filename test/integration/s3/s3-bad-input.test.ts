import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const auth = {
  authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000',
  'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
};

function send(url: string, method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...auth, ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('S3 refuses bad input with AWS-shaped errors and keeps serving', () => {
  let sw: TestSlipway;

  beforeAll(async () => {
    sw = await startSlipway();
    expect((await send(sw.url, 'PUT', '/bad-input')).status).toBe(200);
    expect((await send(sw.url, 'PUT', '/bad-input/obj', {}, 'hello')).status).toBe(200);
  });
  afterAll(() => sw.close());

  it.each([
    ['PUT', '/bad-input?versioning', {}, '<VersioningConfiguration><Status>Enabled', 400, 'MalformedXML'],
    ['PUT', '/bad-input?versioning', {}, '<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>', 400, 'InvalidArgument'],
    ['PUT', '/bad-input?encryption', {}, '<ServerSideEncryptionConfiguration></ServerSideEncryptionConfiguration>', 400, 'InvalidArgument'],
    ['PUT', '/bad-input?tagging', {}, '<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>', 400, 'InvalidTag'],
    ['POST', '/bad-input/obj?uploadId=nope', {}, '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>', 404, 'NoSuchUpload'],
    ['PUT', '/bad-input/obj?partNumber=1&uploadId=nope', {}, 'x', 404, 'NoSuchUpload'],
    ['PUT', '/bad-input/copy', { 'x-amz-copy-source': '%zz' }, '', 400, 'InvalidArgument'],
    ['PUT', '/bad-input/copy', { 'x-amz-copy-source': 'bad-input' }, '', 400, 'InvalidArgument'],
    ['PUT', '/bad-input/copy', { 'x-amz-copy-source': 'bad-input/missing' }, '', 404, 'NoSuchKey'],
    ['GET', '/bad-input/obj?versionId=..%2F..%2Fetc', {}, '', 400, 'InvalidArgument'],
    ['GET', '/bad-input/obj?versionId=nonexistent', {}, '', 404, 'NoSuchVersion'],
    ['GET', '/bad-input?list-type=2&continuation-token=%00%01', {}, '', 400, 'InvalidArgument'],
    ['GET', '/bad-input?list-type=2&max-keys=many', {}, '', 400, 'SerializationException'],
    ['GET', '/bad-input?encoding-type=base64', {}, '', 400, 'InvalidArgument'],
    ['PUT', '/bad-input/chunked', { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5' }, 'zz\r\nhello\r\n0\r\n\r\n', 400, 'IncompleteBody'],
    ['PUT', '/bad-input/chunked', { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '9' }, '5\r\nhello\r\n0\r\n\r\n', 400, 'IncompleteBody'],
    ['PUT', '/bad-input/sum', { 'x-amz-checksum-crc32': 'not base64!' }, 'data', 400, 'BadDigest'],
    ['PUT', '/bad-input/md5', { 'content-md5': 'short' }, 'data', 400, 'InvalidDigest'],
    ['PUT', '/bad-input/obj?partNumber=0&uploadId=x', {}, 'x', 400, 'InvalidArgument'],
    ['PUT', '/bad-input/tags', { 'x-amz-tagging': 'aws:reserved=1' }, 'x', 400, 'InvalidTag'],
    ['PUT', '/bad-input/enc', { 'x-amz-server-side-encryption': 'rot13' }, 'x', 400, 'InvalidArgument'],
    ['DELETE', '/no-such-bucket/k', {}, '', 404, 'NoSuchBucket'],
    ['PUT', '/Bad_Bucket', {}, '', 400, 'InvalidBucketName'],
  ])('%s %s %o -> %d %s', async (method, path, headers, body, status, code) => {
    const res = await send(sw.url, method, path, headers, body);
    expect([res.status, /<Code>([^<]+)<\/Code>/.exec(res.body)?.[1]]).toEqual([status, code]);
  });

  it('still serves the object afterwards', async () => {
    expect(await send(sw.url, 'GET', '/bad-input/obj')).toEqual({ status: 200, body: 'hello' });
  });
});
