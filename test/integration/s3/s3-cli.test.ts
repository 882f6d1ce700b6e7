import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('S3 through the aws CLI (the seed commands and the high-level s3 commands)', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let work: string;

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
    work = join(sw.dataDir, 'work');
    mkdirSync(join(work, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(work, 'dist', 'index.html'), '<html>app</html>');
    writeFileSync(join(work, 'dist', 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(work, 'dist', 'package.json'), '{"name":"app"}');
  });
  afterAll(() => sw.close());

  it('runs the seed Terraform backend commands: a versioned, encrypted bucket', async () => {
    expect((await cli('s3', 'mb', 's3://terraform-state-bucket')).stdout).toContain('make_bucket: terraform-state-bucket');
    const v = await cli('s3api', 'put-bucket-versioning', '--bucket', 'terraform-state-bucket', '--versioning-configuration', 'Status=Enabled');
    expect(v.code, v.stderr).toBe(0);
    const enc = await cli('s3api', 'put-bucket-encryption', '--bucket', 'terraform-state-bucket', '--server-side-encryption-configuration',
      '{"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}');
    expect(enc.code, enc.stderr).toBe(0);
    const got = await cli('s3api', 'get-bucket-encryption', '--bucket', 'terraform-state-bucket');
    expect(got.json()).toMatchObject({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } });
  });

  it('copies a directory up recursively and lists it, as the seed does', async () => {
    await cli('s3', 'mb', 's3://my-artifacts-bucket');
    const cp = await cli('s3', 'cp', join(work, 'dist'), 's3://my-artifacts-bucket/app/', '--recursive', '--only-show-errors');
    expect(cp.code, cp.stderr).toBe(0);
    const ls = await cli('s3', 'ls', 's3://my-artifacts-bucket/app/');
    expect(ls.stdout).toMatch(/PRE assets\/\n.* 16 index\.html\n.* 14 package\.json\n/);
    const rec = await cli('s3', 'ls', 's3://my-artifacts-bucket', '--recursive');
    expect(rec.stdout.trim().split('\n').map((l) => l.split(/\s+/).pop())).toEqual(['app/assets/app.js', 'app/index.html', 'app/package.json']);
    expect((await cli('s3', 'ls')).stdout).toMatch(/my-artifacts-bucket\n.*terraform-state-bucket\n/);
  });

  it('uploads and downloads a large file with multipart, byte for byte', async () => {
    const big = randomBytes(9 * 1024 * 1024 + 123);
    writeFileSync(join(work, 'big.bin'), big);
    const up = await cli('s3', 'cp', join(work, 'big.bin'), 's3://my-artifacts-bucket/big.bin', '--only-show-errors');
    expect(up.code, up.stderr).toBe(0);
    const head = await cli('s3api', 'head-object', '--bucket', 'my-artifacts-bucket', '--key', 'big.bin');
    expect(head.json()).toMatchObject({ ContentLength: big.length, ETag: expect.stringMatching(/^"[0-9a-f]{32}-2"$/) });
    const down = await cli('s3', 'cp', 's3://my-artifacts-bucket/big.bin', join(work, 'big-copy.bin'), '--only-show-errors');
    expect(down.code, down.stderr).toBe(0);
    expect(md5(readFileSync(join(work, 'big-copy.bin')))).toBe(md5(big));
  });

  it('syncs only what changed, and downloads recursively', async () => {
    const first = await cli('s3', 'sync', join(work, 'dist'), 's3://my-artifacts-bucket/site/');
    expect(first.stdout.match(/upload:/g)?.length).toBe(3);
    writeFileSync(join(work, 'dist', 'index.html'), '<html>app v2</html>');
    const second = await cli('s3', 'sync', join(work, 'dist'), 's3://my-artifacts-bucket/site/');
    expect(second.stdout.match(/upload:/g)).toEqual(['upload:']);
    expect(second.stdout).toContain('index.html');
    const dl = await cli('s3', 'cp', 's3://my-artifacts-bucket/site/', join(work, 'download'), '--recursive', '--only-show-errors');
    expect(dl.code, dl.stderr).toBe(0);
    expect(readFileSync(join(work, 'download', 'index.html'), 'utf8')).toBe('<html>app v2</html>');
    expect(readFileSync(join(work, 'download', 'assets', 'app.js'), 'utf8')).toBe('console.log(1)');
  });

  it('presigns a URL that downloads the object', async () => {
    const url = (await cli('s3', 'presign', 's3://my-artifacts-bucket/app/index.html', '--expires-in', '300')).stdout.trim();
    const res = await fetch(url);
    expect([res.status, await res.text()]).toEqual([200, '<html>app</html>']);
  });

  it('removes recursively and force-removes a bucket', async () => {
    const rm = await cli('s3', 'rm', 's3://my-artifacts-bucket/app/', '--recursive');
    expect(rm.stdout.match(/delete:/g)?.length).toBe(3);
    expect((await cli('s3', 'ls', 's3://my-artifacts-bucket/app/')).stdout).toBe('');
    const rb = await cli('s3', 'rb', 's3://my-artifacts-bucket');
    expect(rb.stderr).toContain('BucketNotEmpty');
    const force = await cli('s3', 'rb', 's3://my-artifacts-bucket', '--force');
    expect(force.code, force.stderr).toBe(0);
    const bad = await cli('s3', 'mb', 's3://Bad.Bucket');
    expect(bad.stderr).toContain('InvalidBucketName');
  });
});
