import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder, isAwsChunked, storedContentEncoding } from '../../../src/services/s3/aws-chunked.js';
import { BodyHasher, checksumOf } from '../../../src/services/s3/checksums.js';

const check = Buffer.from('123456789');

describe('checksums (the CRC catalogue check value of "123456789")', () => {
  it.each([
    ['CRC32', 'cbf43926'],
    ['CRC32C', 'e3069283'],
    ['CRC64NVME', 'ae8b14860a799888'],
    ['SHA1', 'f7c3bc1d808e04732adf679965ccc34ca7ae3441'],
    ['SHA256', '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225'],
  ] as const)('%s', (alg, hex) => {
    expect(Buffer.from(checksumOf(alg, check), 'base64').toString('hex')).toBe(hex);
  });

  it('hashes a stream in pieces the same as whole', async () => {
    const data = Buffer.from('x'.repeat(100_000) + 'tail');
    const hasher = new BodyHasher(['CRC32', 'CRC32C', 'CRC64NVME']);
    const chunks: Buffer[] = [];
    await pipeline(Readable.from([data.subarray(0, 7), data.subarray(7, 50_001), data.subarray(50_001)]), hasher, async function* (src) {
      for await (const c of src) chunks.push(c as Buffer);
    });
    const { md5, checksums } = hasher.results();
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(hasher.bytes).toBe(data.length);
    expect(md5.toString('hex')).toBe(createHash('md5').update(data).digest('hex'));
    expect(checksums).toEqual({ CRC32: checksumOf('CRC32', data), CRC32C: checksumOf('CRC32C', data), CRC64NVME: checksumOf('CRC64NVME', data) });
  });
});

async function decode(pieces: (string | Buffer)[]): Promise<{ data: string; trailers: Record<string, string> }> {
  const decoder = new AwsChunkedDecoder();
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces.map((p) => Buffer.from(p))), decoder, async function* (src) {
    for await (const c of src) out.push(c as Buffer);
  });
  return { data: Buffer.concat(out).toString(), trailers: decoder.trailers };
}

describe('aws-chunked decoding', () => {
  const body = '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';

  it('decodes chunks and keeps the trailing checksum', async () => {
    expect(await decode([body])).toEqual({ data: 'hello world', trailers: { 'x-amz-checksum-crc32': 'DUoRhQ==' } });
  });

  it('decodes whatever way the bytes are split', async () => {
    const bytes = Buffer.from(body);
    for (let i = 1; i < bytes.length; i += 3) {
      const split = [bytes.subarray(0, i), ...Array.from({ length: Math.ceil((bytes.length - i) / 2) }, (_, j) => bytes.subarray(i + j * 2, i + j * 2 + 2))];
      expect((await decode(split)).data).toBe('hello world');
    }
  });

  it('accepts signed chunk extensions and a trailer signature', async () => {
    const signed = `5;chunk-signature=${'a'.repeat(64)}\r\nhello\r\n0;chunk-signature=${'b'.repeat(64)}\r\nx-amz-checksum-sha256:abc=\r\nx-amz-trailer-signature:${'c'.repeat(64)}\r\n\r\n`;
    expect(await decode([signed])).toEqual({ data: 'hello', trailers: { 'x-amz-checksum-sha256': 'abc=', 'x-amz-trailer-signature': 'c'.repeat(64) } });
  });

  it.each([
    ['zz\r\nhello\r\n0\r\n\r\n', 'is not a chunk size'],
    ['5\r\nhello world\r\n0\r\n\r\n', 'longer than its declared size'],
    ['5\r\nhel', 'ended before its final chunk'],
  ])('refuses %j', async (bad, message) => {
    await expect(decode([bad])).rejects.toMatchObject({ code: 'IncompleteBody', message: expect.stringContaining(message) });
  });

  it('recognises aws-chunked requests and strips the encoding from what is stored', () => {
    expect(isAwsChunked({ 'content-encoding': 'aws-chunked' })).toBe(true);
    expect(isAwsChunked({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' })).toBe(true);
    expect(isAwsChunked({ 'content-encoding': 'gzip' })).toBe(false);
    expect(storedContentEncoding('aws-chunked')).toBeUndefined();
    expect(storedContentEncoding('gzip, aws-chunked')).toBe('gzip');
    expect(storedContentEncoding('aws-chunked,gzip')).toBe('gzip');
  });
});
