import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/aws/models/index.js';
import { matchRoute } from '../../src/aws/protocol/rest-router.js';
import type { WireRequest } from '../../src/aws/protocol/wire.js';

const s3 = loadModel('s3');
const lambda = loadModel('lambda');

function req(method: string, target: string, headers: Record<string, string> = {}): WireRequest {
  const [path, query = ''] = target.split('?');
  return { method, path, query: new URLSearchParams(query), headers, body: Buffer.alloc(0) };
}

describe('REST routing', () => {
  it.each([
    ['GET', '/', {}, 'ListBuckets', {}],
    ['PUT', '/my-bucket', {}, 'CreateBucket', { Bucket: 'my-bucket' }],
    ['GET', '/my-bucket', {}, 'ListObjects', { Bucket: 'my-bucket' }],
    ['GET', '/my-bucket?list-type=2&prefix=app/', {}, 'ListObjectsV2', { Bucket: 'my-bucket' }],
    ['GET', '/my-bucket?versions', {}, 'ListObjectVersions', { Bucket: 'my-bucket' }],
    ['PUT', '/my-bucket?versioning', {}, 'PutBucketVersioning', { Bucket: 'my-bucket' }],
    ['PUT', '/b/dir/a%20b.txt', {}, 'PutObject', { Bucket: 'b', Key: 'dir/a b.txt' }],
    ['PUT', '/b/k', { 'x-amz-copy-source': '/b/src' }, 'CopyObject', { Bucket: 'b', Key: 'k' }],
    ['PUT', '/b/k?partNumber=1&uploadId=u', {}, 'UploadPart', { Bucket: 'b', Key: 'k' }],
    ['PUT', '/b/k?partNumber=1&uploadId=u', { 'x-amz-copy-source': '/b/src' }, 'UploadPartCopy', { Bucket: 'b', Key: 'k' }],
    ['POST', '/b/k?uploads', {}, 'CreateMultipartUpload', { Bucket: 'b', Key: 'k' }],
    ['POST', '/b/k?uploadId=u', {}, 'CompleteMultipartUpload', { Bucket: 'b', Key: 'k' }],
    ['GET', '/b/k?uploadId=u', {}, 'ListParts', { Bucket: 'b', Key: 'k' }],
    ['DELETE', '/b/k?uploadId=u', {}, 'AbortMultipartUpload', { Bucket: 'b', Key: 'k' }],
    ['DELETE', '/b/a/../../k', {}, 'DeleteObject', { Bucket: 'b', Key: 'a/../../k' }],
    ['GET', '/b//leading-slash', {}, 'GetObject', { Bucket: 'b', Key: '/leading-slash' }],
    ['PUT', '/b?notification', {}, 'PutBucketNotificationConfiguration', { Bucket: 'b' }],
    ['GET', '/b?notification', {}, 'GetBucketNotificationConfiguration', { Bucket: 'b' }],
    ['GET', '/b?lifecycle', {}, 'GetBucketLifecycleConfiguration', { Bucket: 'b' }],
  ])('S3 %s %s -> %s', (method, target, headers, op, labels) => {
    const m = matchRoute(s3, req(method, target, headers));
    expect(m?.op.name).toBe(op);
    expect(m?.labels).toEqual(labels);
  });

  it('routes Lambda paths with versions in them', () => {
    expect(matchRoute(lambda, req('POST', '/2015-03-31/functions/my-fn/invocations'))?.op.name).toBe('Invoke');
    expect(matchRoute(lambda, req('GET', '/2015-03-31/functions/my-fn/configuration'))?.op.name).toBe('GetFunctionConfiguration');
    expect(matchRoute(lambda, req('GET', '/2015-03-31/functions/'))?.op.name).toBe('ListFunctions');
    expect(matchRoute(lambda, req('PATCH', '/nothing'))).toBeUndefined();
  });
});
