import { describe, expect, it } from 'vitest';
import { bucketFromHost } from '../../../src/services/s3/addressing.js';
import { evaluateConditions, parseRange } from '../../../src/services/s3/http-rules.js';
import { commonPrefixOf, listKeys, prefixSuccessor, urlEncodeKey } from '../../../src/services/s3/listing.js';
import { multipartEtag } from '../../../src/services/s3/multipart.js';
import { bucketNameProblem } from '../../../src/services/s3/names.js';
import type { ObjectVersion } from '../../../src/services/s3/store.js';

describe('bucket naming rules (AWS general purpose buckets)', () => {
  it.each([
    // AWS's documented examples of valid names
    ['docexamplebucket1', undefined],
    ['log-delivery-march-2020', undefined],
    ['my-hosted-content', undefined],
    ['docexamplewebsite.com', undefined],
    ['www.docexamplewebsite.com', undefined],
    ['my.example.s3.bucket', undefined],
    // and of invalid ones
    ['doc_example_bucket', 'can consist only of lowercase letters, numbers, periods and hyphens'],
    ['DocExampleBucket', 'can consist only of lowercase letters, numbers, periods and hyphens'],
    ['doc-example-bucket-', 'must begin and end with a letter or number'],
    ['ab', 'must be between 3 and 63 characters long'],
    ['a'.repeat(64), 'must be between 3 and 63 characters long'],
    ['my..bucket', 'must not contain two adjacent periods'],
    ['192.168.5.4', 'must not be formatted as an IP address'],
    ['xn--bucket', "must not start with the prefix 'xn--'"],
    ['sthree-bucket', "must not start with the prefix 'sthree-'"],
    ['bucket-s3alias', "must not end with the suffix '-s3alias'"],
    ['bucket--ol-s3', "must not end with the suffix '--ol-s3'"],
    ['bucket.mrap', "must not end with the suffix '.mrap'"],
  ])('%s -> %s', (name, problem) => {
    expect(bucketNameProblem(name)).toBe(problem);
  });
});

describe('conditional requests (RFC 7232 as S3 applies it)', () => {
  const etag = '"abc"';
  const modified = Date.UTC(2024, 0, 1, 12, 0, 0, 500);
  const before = new Date(Date.UTC(2024, 0, 1, 11));
  const after = new Date(Date.UTC(2024, 0, 1, 13));
  const same = new Date(Date.UTC(2024, 0, 1, 12));
  it.each([
    [{}, 'proceed'],
    [{ ifMatch: '"abc"' }, 'proceed'],
    [{ ifMatch: 'abc' }, 'proceed'],
    [{ ifMatch: '"x", "abc"' }, 'proceed'],
    [{ ifMatch: '*' }, 'proceed'],
    [{ ifMatch: '"x"' }, 'precondition-failed'],
    [{ ifNoneMatch: '"abc"' }, 'not-modified'],
    [{ ifNoneMatch: '"x"' }, 'proceed'],
    [{ ifModifiedSince: after }, 'not-modified'],
    [{ ifModifiedSince: same }, 'not-modified'],
    [{ ifModifiedSince: before }, 'proceed'],
    [{ ifUnmodifiedSince: before }, 'precondition-failed'],
    [{ ifUnmodifiedSince: same }, 'proceed'],
    // If-Match true and If-Unmodified-Since false: 200 (S3's documented pairing)
    [{ ifMatch: '"abc"', ifUnmodifiedSince: before }, 'proceed'],
    // If-None-Match false and If-Modified-Since true: 304
    [{ ifNoneMatch: '"abc"', ifModifiedSince: before }, 'not-modified'],
    // If-None-Match true (no match) wins over If-Modified-Since
    [{ ifNoneMatch: '"x"', ifModifiedSince: after }, 'proceed'],
  ])('%o -> %s', (c, outcome) => {
    expect(evaluateConditions(c, etag, modified).outcome).toBe(outcome);
  });
});

describe('byte ranges', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=50-500', 100, { start: 50, end: 99 }],
    ['bytes=5-2', 100, undefined],
    ['bytes=0-1,5-6', 100, undefined],
    ['items=0-1', 100, undefined],
    [undefined, 100, undefined],
  ])('%s of %d bytes -> %o', (header, size, range) => {
    expect(parseRange(header, size)).toEqual(range);
  });

  it.each([['bytes=100-', 100], ['bytes=0-', 0], ['bytes=-0', 10]])('%s of %d bytes is unsatisfiable', (header, size) => {
    expect(() => parseRange(header, size)).toThrow(expect.objectContaining({ code: 'InvalidRange', statusCode: 416 }));
  });
});

function version(key: string, seq: number, deleteMarker = false): ObjectVersion {
  return { seq, bucket: 'b', key, versionId: String(seq), isLatest: true, deleteMarker, size: 0, etag: '', lastModified: 0, meta: { metadata: {}, checksums: {}, storageClass: 'STANDARD', tags: [] }, segments: [] };
}

describe('listing', () => {
  const keys = ['a', 'dir/1', 'dir/2', 'dir/sub/3', 'e', 'photos/2024/x.jpg', 'photos/2025/y.jpg', 'z'];
  const rows = keys.map((k, i) => version(k, i + 1, k === 'e'));
  const fetch = (c: { low: string; after: string }, limit: number) => rows.filter((r) => r.key >= c.low && r.key > c.after).slice(0, limit);
  const live = (v: ObjectVersion) => !v.deleteMarker;

  it.each([
    ['', '/', '', 1000, ['a', 'z'], ['dir/', 'photos/'], false],
    ['dir/', '/', '', 1000, ['dir/1', 'dir/2'], ['dir/sub/'], false],
    ['photos/', '/', '', 1000, [], ['photos/2024/', 'photos/2025/'], false],
    ['', undefined, '', 3, ['a', 'dir/1', 'dir/2'], [], true],
    ['', '/', 'dir/', 1000, ['z'], ['photos/'], false],
    ['', '/', '', 2, ['a'], ['dir/'], true],
    ['', undefined, 'dir/2', 2, ['dir/sub/3', 'photos/2024/x.jpg'], [], true],
  ])('prefix %j delimiter %j after %j max %d', (prefix, delimiter, after, maxKeys, items, prefixes, truncated) => {
    const r = listKeys({ prefix, delimiter, after, maxKeys }, fetch, live);
    expect([r.items.map((v) => v.key), r.prefixes, r.truncated]).toEqual([items, prefixes, truncated]);
  });

  it('finds successors and common prefixes', () => {
    expect(prefixSuccessor('app/')).toBe('app0');
    expect(prefixSuccessor('a\uD7FF')).toBe('a\uE000');
    expect(commonPrefixOf('a/b/c', 'a/', '/')).toBe('a/b/');
    expect(commonPrefixOf('a/b', 'a/', '/')).toBeUndefined();
    expect(commonPrefixOf('2024-01-02', '', '-')).toBe('2024-');
  });

  it('url-encodes keys the way botocore decodes them', () => {
    expect(urlEncodeKey('dir/a b+c&d.txt')).toBe('dir/a%20b%2Bc%26d.txt');
    expect(urlEncodeKey('ü\u0000')).toBe('%C3%BC%00');
  });
});

describe('addressing', () => {
  it.each([
    ['my-bucket.s3.localhost:4566', 'my-bucket'],
    ['my-bucket.localhost:4566', 'my-bucket'],
    ['my-bucket.s3.us-east-1.amazonaws.com', 'my-bucket'],
    ['my.dotted.bucket.s3.amazonaws.com', 'my.dotted.bucket'],
    ['my-bucket.s3-us-west-2.amazonaws.com', 'my-bucket'],
    ['my-bucket.s3.localhost.localstack.cloud:4566', 'my-bucket'],
    ['localhost:4566', undefined],
    ['s3.localhost:4566', undefined],
    ['127.0.0.1:4566', undefined],
    ['s3.us-east-1.amazonaws.com', undefined],
    ['Not_A_Bucket.localhost', undefined],
  ])('%s -> %s', (host, bucket) => {
    expect(bucketFromHost(host)).toBe(bucket);
  });
});

describe('multipart ETag', () => {
  it('is the MD5 of the binary part MD5s with the part count', () => {
    // Two parts whose MD5s are those of "a" and "b".
    expect(multipartEtag(['"0cc175b9c0f1b6a831c399e269772661"', '92eb5ffee6ae2fec3ad71c777531578f'])).toBe('"96e024ba2074fe77e8e965ba43a704be-2"');
  });
});
