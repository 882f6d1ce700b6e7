import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const Bucket = 'safety-bucket';

async function failure(p: Promise<unknown>): Promise<S3ServiceException> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(e)}`);
  return e;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/** A raw HTTP request with any Host header (virtual-hosted addressing), unsigned. */
function raw(url: string, method: string, path: string, host: string, body?: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('S3 keys, addressing, presigned URLs and persistence', () => {
  let sw: TestSlipway;
  let s3: S3Client;
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-s3-safety-'));

  beforeAll(async () => {
    sw = await startSlipway({ dataDir });
    s3 = new S3Client(sdkConfig(sw.url));
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(async () => {
    await sw.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps hostile keys as names: nothing is written outside the blob store', async () => {
    const hostile = ['../../../../escape.txt', '/absolute/path.txt', 'a/../../b.txt', 'nul\u0000byte', `${'x'.repeat(900)}/long-segment`, '..', './.'];
    // Small bodies are kept in the database, larger ones in blob files: use both sizes.
    const body = (Key: string, i: number) => (i % 2 ? `bytes of ${Key}` : `bytes of ${Key}`.padEnd(100_000, '.'));
    for (const [i, Key] of hostile.entries()) await s3.send(new PutObjectCommand({ Bucket, Key, Body: body(Key, i) }));
    for (const [i, Key] of hostile.entries()) {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      expect(await got.Body!.transformToString()).toBe(body(Key, i));
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, EncodingType: 'url' }));
    expect(listed.Contents?.map((c) => decodeURIComponent(c.Key!)).sort()).toEqual([...hostile].sort());
    expect(existsSync(join(dataDir, '..', '..', 'escape.txt'))).toBe(false);
    const written = files(dataDir).map((f) => relative(dataDir, f));
    const blobs = written.filter((f) => f.startsWith('blobs/'));
    expect(blobs.length).toBeGreaterThanOrEqual(Math.ceil(hostile.length / 2));
    for (const f of blobs) expect(f).toMatch(/^blobs\/[0-9a-f]{2}\/[0-9a-f-]{36}$/);
    for (const f of written.filter((w) => !w.startsWith('blobs/'))) expect(f).toMatch(/^(slipway\.db(-wal|-shm)?|services\/.*)$/);
    const tooLong = await failure(s3.send(new PutObjectCommand({ Bucket, Key: 'k'.repeat(1025), Body: 'x' })));
    expect([tooLong.name, tooLong.$metadata.httpStatusCode]).toEqual(['KeyTooLongError', 400]);
  });

  it('rewrites virtual-hosted addresses to path style', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'site/index.html', Body: '<h1>hi</h1>' }));
    const port = new URL(sw.url).port;
    for (const host of [`${Bucket}.s3.localhost:${port}`, `${Bucket}.localhost:${port}`, `${Bucket}.s3.us-east-1.amazonaws.com`, `${Bucket}.s3.amazonaws.com`]) {
      const got = await raw(sw.url, 'GET', '/site/index.html', host);
      expect([host, got.status, got.body]).toEqual([host, 200, '<h1>hi</h1>']);
    }
    const put = await raw(sw.url, 'PUT', '/vhost/put.txt', `${Bucket}.s3.localhost:${port}`, 'put through a virtual host');
    expect(put.status).toBe(200);
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'vhost/put.txt' }))).Body!.transformToString()).toBe('put through a virtual host');
    const list = await raw(sw.url, 'GET', '/?list-type=2&prefix=vhost/', `${Bucket}.s3.localhost:${port}`);
    expect(list.body).toContain('<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    expect(list.body).toContain('<Name>safety-bucket</Name>');
    expect(list.body).toContain('<Key>vhost/put.txt</Key>');
    // Path style on the plain endpoint host still works.
    expect((await raw(sw.url, 'GET', `/${Bucket}/site/index.html`, `localhost:${port}`)).body).toBe('<h1>hi</h1>');
  });

  it('accepts SigV4 presigned URLs for GET and PUT', async () => {
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'site/index.html' }), { expiresIn: 300 });
    expect(getUrl).toContain('X-Amz-Signature=');
    const res = await fetch(getUrl);
    expect([res.status, await res.text()]).toEqual([200, '<h1>hi</h1>']);
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'presigned/upload.txt' }), { expiresIn: 300 });
    expect((await fetch(putUrl, { method: 'PUT', body: 'uploaded with a presigned URL' })).status).toBe(200);
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'presigned/upload.txt' }))).Body!.transformToString()).toBe('uploaded with a presigned URL');
  });

  it('never shows an upload that did not complete', async () => {
    const port = Number(new URL(sw.url).port);
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: `/${Bucket}/half.bin`, headers: { 'content-length': '1000000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(1000, 1), () => {
        req.destroy();
        resolve();
      });
    });
    const e = await failure(s3.send(new HeadObjectCommand({ Bucket, Key: 'half.bin' })));
    expect(e.$metadata.httpStatusCode).toBe(404);
  });

  it('forgets everything on POST /_slipway/reset', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'reset-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'reset-bucket', Key: 'k', Body: 'v' }));
    expect((await fetch(`${sw.url}/_slipway/reset`, { method: 'POST' })).status).toBe(200);
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: 'reset-bucket', Key: 'k' })))).$metadata.httpStatusCode).toBe(404);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  it('keeps buckets, objects and versions across a restart', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'durable.txt', Body: 'still here', Metadata: { k: 'v' } }));
    await sw.close();
    sw = await startSlipway({ dataDir });
    s3 = new S3Client(sdkConfig(sw.url));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'durable.txt' }));
    expect([await got.Body!.transformToString(), got.Metadata]).toEqual(['still here', { k: 'v' }]);
  });
});
