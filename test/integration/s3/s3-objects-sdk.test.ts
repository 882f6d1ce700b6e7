import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand,
  ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, PutObjectTaggingCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumOf } from '../../../src/services/s3/checksums.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const Bucket = 'objects-bucket';

async function failure(p: Promise<unknown>): Promise<S3ServiceException> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(e)}`);
  return e;
}

describe('S3 objects through the SDK v3 client', () => {
  let sw: TestSlipway;
  let s3: S3Client;
  const text = (k: string, v?: string) => s3.send(new GetObjectCommand({ Bucket, Key: k, VersionId: v })).then((o) => o.Body!.transformToString());

  beforeAll(async () => {
    sw = await startSlipway();
    s3 = new S3Client(sdkConfig(sw.url));
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(() => sw.close());

  it('stores an aws-chunked upload with its trailing CRC32, and returns bytes, headers and checksum', async () => {
    const body = Buffer.from('console.log("hello from slipway");\n'.repeat(300));
    const put = await s3.send(
      new PutObjectCommand({
        Bucket, Key: 'app/dist/main.js', Body: body, ContentType: 'text/javascript', CacheControl: 'max-age=60', ContentDisposition: 'inline',
        Metadata: { Build: '42', 'commit-id': 'abc' }, Tagging: 'env=prod&team=web',
      }),
    );
    const md5 = createHash('md5').update(body).digest('hex');
    expect(put.ETag).toBe(`"${md5}"`);
    expect(put.ChecksumCRC32).toBe(checksumOf('CRC32', body));
    expect(put.ServerSideEncryption).toBe('AES256');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'app/dist/main.js', ChecksumMode: 'ENABLED' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(got).toMatchObject({ ETag: `"${md5}"`, ContentLength: body.length, ContentType: 'text/javascript', CacheControl: 'max-age=60', ContentDisposition: 'inline', TagCount: 2 });
    expect(got.ContentEncoding).toBeUndefined();
    expect(got.Metadata).toEqual({ build: '42', 'commit-id': 'abc' });
    expect(got.ChecksumCRC32).toBe(checksumOf('CRC32', body));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'app/dist/main.js' }))).TagSet).toEqual([{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }]);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'app/dist/main.js' }));
    expect([head.ContentLength, head.ETag, head.VersionId]).toEqual([body.length, `"${md5}"`, undefined]);
  });

  it.each(['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const)('verifies and returns a %s checksum', async (alg) => {
    const body = Buffer.from(`checksummed with ${alg}`);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: `sum/${alg}`, Body: body, ChecksumAlgorithm: alg }));
    expect(put[`Checksum${alg}`]).toBe(checksumOf(alg, body));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: `sum/${alg}`, ChecksumMode: 'ENABLED' }));
    expect(head[`Checksum${alg}`]).toBe(checksumOf(alg, body));
  });

  it('refuses a body whose stated checksum or Content-MD5 is wrong, storing nothing', async () => {
    const wrong = await failure(s3.send(new PutObjectCommand({ Bucket, Key: 'bad-sum', Body: 'data', ChecksumCRC32: checksumOf('CRC32', Buffer.from('other')) })));
    expect([wrong.name, wrong.$metadata.httpStatusCode, wrong.message]).toEqual(['BadDigest', 400, 'The CRC32 you specified did not match the calculated checksum.']);
    const md5 = await failure(s3.send(new PutObjectCommand({ Bucket, Key: 'bad-sum', Body: 'data', ContentMD5: createHash('md5').update('x').digest('base64') })));
    expect(md5.name).toBe('BadDigest');
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket, Key: 'bad-sum' })))).$metadata.httpStatusCode).toBe(404);
  });

  it('serves byte ranges with 206 and refuses unsatisfiable ones with 416', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'range.txt', Body: '0123456789' }));
    const mid = await s3.send(new GetObjectCommand({ Bucket, Key: 'range.txt', Range: 'bytes=2-5' }));
    expect([await mid.Body!.transformToString(), mid.ContentRange, mid.ContentLength, mid.$metadata.httpStatusCode]).toEqual(['2345', 'bytes 2-5/10', 4, 206]);
    const tail = await s3.send(new GetObjectCommand({ Bucket, Key: 'range.txt', Range: 'bytes=-3' }));
    expect(await tail.Body!.transformToString()).toBe('789');
    const open = await s3.send(new GetObjectCommand({ Bucket, Key: 'range.txt', Range: 'bytes=7-' }));
    expect(await open.Body!.transformToString()).toBe('789');
    const past = await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'range.txt', Range: 'bytes=10-20' })));
    expect([past.name, past.$metadata.httpStatusCode]).toEqual(['InvalidRange', 416]);
  });

  it('applies If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since with 304 and 412', async () => {
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket, Key: 'cond.txt', Body: 'conditional' }));
    const later = new Date(Date.now() + 3600_000);
    const earlier = new Date(Date.now() - 3600_000);
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfMatch: ETag }))).Body!.transformToString()).toBe('conditional');
    const pf = await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfMatch: '"0000"' })));
    expect([pf.name, pf.$metadata.httpStatusCode]).toEqual(['PreconditionFailed', 412]);
    expect((await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfNoneMatch: ETag })))).$metadata.httpStatusCode).toBe(304);
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket, Key: 'cond.txt', IfNoneMatch: '*' })))).$metadata.httpStatusCode).toBe(304);
    expect((await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfModifiedSince: later })))).$metadata.httpStatusCode).toBe(304);
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfModifiedSince: earlier }))).$metadata.httpStatusCode).toBe(200);
    expect((await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfUnmodifiedSince: earlier })))).$metadata.httpStatusCode).toBe(412);
    // If-Match that holds wins over a failing If-Unmodified-Since (RFC 7232, as S3 documents).
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfMatch: ETag, IfUnmodifiedSince: earlier }))).$metadata.httpStatusCode).toBe(200);
    // Conditional writes: If-None-Match: * refuses to overwrite.
    expect((await failure(s3.send(new PutObjectCommand({ Bucket, Key: 'cond.txt', Body: 'again', IfNoneMatch: '*' })))).$metadata.httpStatusCode).toBe(412);
    expect(await text('cond.txt')).toBe('conditional');
  });

  it('lets exactly one of several concurrent If-None-Match: * writes win', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => s3.send(new PutObjectCommand({ Bucket, Key: 'lock/state', Body: `writer ${i}`, IfNoneMatch: '*' }))),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(won.length).toBe(1);
    expect(lost.map((l) => (l.reason as S3ServiceException).$metadata.httpStatusCode)).toEqual([412, 412, 412, 412, 412]);
    const winner = attempts.findIndex((a) => a.status === 'fulfilled');
    expect(await text('lock/state')).toBe(`writer ${winner}`);
  });

  it('copies objects keeping or replacing metadata, and refuses a pointless self-copy', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src.txt', Body: 'source bytes', ContentType: 'text/plain', Metadata: { origin: 'src' } }));
    const kept = await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy/kept.txt', CopySource: `${Bucket}/src.txt` }));
    expect(kept.CopyObjectResult?.ETag).toBe(`"${createHash('md5').update('source bytes').digest('hex')}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy/kept.txt' }));
    expect([head.ContentType, head.Metadata]).toEqual(['text/plain', { origin: 'src' }]);
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy/replaced.txt', CopySource: `/${Bucket}/src.txt`, MetadataDirective: 'REPLACE', ContentType: 'application/x-new', Metadata: { origin: 'new' } }));
    const replaced = await s3.send(new GetObjectCommand({ Bucket, Key: 'copy/replaced.txt' }));
    expect([await replaced.Body!.transformToString(), replaced.ContentType, replaced.Metadata]).toEqual(['source bytes', 'application/x-new', { origin: 'new' }]);
    const self = await failure(s3.send(new CopyObjectCommand({ Bucket, Key: 'src.txt', CopySource: `${Bucket}/src.txt` })));
    expect(self.name).toBe('InvalidRequest');
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'src.txt', CopySource: `${Bucket}/src.txt`, MetadataDirective: 'REPLACE', Metadata: { touched: 'yes' } }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'src.txt' }))).Metadata).toEqual({ touched: 'yes' });
    const missing = await failure(s3.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}/missing` })));
    expect(missing.name).toBe('NoSuchKey');
    const unmet = await failure(s3.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}/src.txt`, CopySourceIfMatch: '"nope"' })));
    expect(unmet.$metadata.httpStatusCode).toBe(412);
  });

  it('lists v2 with prefix, delimiter, common prefixes, max-keys, continuation and start-after', async () => {
    const B = 'list-bucket';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    for (const k of ['a.txt', 'app/a.js', 'app/b.js', 'app/lib/c.js', 'app/lib/d.js', 'app/z/e.js', 'b.txt', 'c d+e.txt']) await s3.send(new PutObjectCommand({ Bucket: B, Key: k, Body: k }));
    const top = await s3.send(new ListObjectsV2Command({ Bucket: B, Delimiter: '/' }));
    expect(top.Contents?.map((c) => c.Key)).toEqual(['a.txt', 'b.txt', 'c d+e.txt']);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['app/']);
    expect(top.KeyCount).toBe(4);
    const app = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'app/', Delimiter: '/' }));
    expect([app.Contents?.map((c) => c.Key), app.CommonPrefixes?.map((p) => p.Prefix)]).toEqual([['app/a.js', 'app/b.js'], ['app/lib/', 'app/z/']]);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: B, MaxKeys: 3, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      expect(page.Contents!.length).toBeLessThanOrEqual(3);
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(keys).toEqual(['a.txt', 'app/a.js', 'app/b.js', 'app/lib/c.js', 'app/lib/d.js', 'app/z/e.js', 'b.txt', 'c d+e.txt']);
    const paged = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'app/', Delimiter: '/', MaxKeys: 3 }));
    expect([paged.Contents?.length, paged.CommonPrefixes?.map((p) => p.Prefix), paged.IsTruncated]).toEqual([2, ['app/lib/'], true]);
    const rest = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'app/', Delimiter: '/', ContinuationToken: paged.NextContinuationToken }));
    expect([rest.Contents, rest.CommonPrefixes?.map((p) => p.Prefix)]).toEqual([undefined, ['app/z/']]);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: B, StartAfter: 'app/z/e.js' }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(['b.txt', 'c d+e.txt']);
    const encoded = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'c', EncodingType: 'url' }));
    expect(encoded.Contents?.map((c) => c.Key)).toEqual(['c%20d%2Be.txt']);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: B, Delimiter: '/', MaxKeys: 2 }));
    expect([v1.Contents?.map((c) => c.Key), v1.IsTruncated, v1.NextMarker]).toEqual([['a.txt'], true, 'app/']);
    const v1next = await s3.send(new ListObjectsCommand({ Bucket: B, Delimiter: '/', Marker: v1.NextMarker }));
    expect(v1next.Contents?.map((c) => c.Key)).toEqual(['b.txt', 'c d+e.txt']);
  });

  it('deletes objects one by one and in batches', async () => {
    for (const k of ['del/1', 'del/2', 'del/3']) await s3.send(new PutObjectCommand({ Bucket, Key: k, Body: k }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'del/1' }));
    expect((await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'del/1' })))).name).toBe('NoSuchKey');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'del/never-existed' }));
    const batch = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'del/2' }, { Key: 'del/3' }, { Key: 'del/none' }] } }));
    expect(batch.Deleted?.map((d) => d.Key).sort()).toEqual(['del/2', 'del/3', 'del/none']);
    const left = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'del/' }));
    expect(left.KeyCount).toBe(0);
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'x' }], Quiet: true } }));
    expect(quiet.Deleted).toBeUndefined();
  });

  it('tags objects and answers NoSuchKey and NoSuchBucket', async () => {
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'range.txt', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'range.txt' }))).TagSet).toEqual([{ Key: 'k', Value: 'v' }]);
    const nk = await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'nope' })));
    expect([nk.name, nk.$metadata.httpStatusCode, nk.message]).toEqual(['NoSuchKey', 404, 'The specified key does not exist.']);
    const nb = await failure(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })));
    expect([nb.name, nb.$metadata.httpStatusCode]).toEqual(['NoSuchBucket', 404]);
  });
});
