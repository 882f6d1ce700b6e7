import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';

/** The additional checksums S3 verifies and returns (the model's ChecksumAlgorithm values it computes). */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

/** The header that carries an algorithm's value: x-amz-checksum-crc32 and so on. */
export function checksumHeader(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

const CRC32C_TABLE = crcTable32(0x82f63b78);

function crcTable32(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

// CRC-64/NVME, reflected polynomial 0x9a6c9329ac4bc9b5, held as two 32-bit halves.
const CRC64_HI = new Uint32Array(256);
const CRC64_LO = new Uint32Array(256);
{
  const polyHi = 0x9a6c9329;
  const polyLo = 0xac4bc9b5;
  for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let k = 0; k < 8; k++) {
      const odd = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (odd) {
        hi = (hi ^ polyHi) >>> 0;
        lo = (lo ^ polyLo) >>> 0;
      }
    }
    CRC64_HI[n] = hi;
    CRC64_LO[n] = lo;
  }
}

/** One running checksum: update with chunks, then the base64 of its big-endian digest. */
interface Running {
  update(chunk: Buffer): void;
  digest(): Buffer;
}

class Crc32 implements Running {
  private value = 0;
  update(chunk: Buffer): void {
    this.value = crc32(chunk, this.value);
  }
  digest(): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(this.value >>> 0);
    return b;
  }
}

class Crc32c implements Running {
  private value = 0xffffffff;
  update(chunk: Buffer): void {
    let c = this.value;
    for (let i = 0; i < chunk.length; i++) c = CRC32C_TABLE[(c ^ chunk[i]) & 0xff] ^ (c >>> 8);
    this.value = c >>> 0;
  }
  digest(): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE((this.value ^ 0xffffffff) >>> 0);
    return b;
  }
}

class Crc64Nvme implements Running {
  private hi = 0xffffffff;
  private lo = 0xffffffff;
  update(chunk: Buffer): void {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < chunk.length; i++) {
      const idx = (lo ^ chunk[i]) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ CRC64_LO[idx]) >>> 0;
      hi = ((hi >>> 8) ^ CRC64_HI[idx]) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
  }
  digest(): Buffer {
    const b = Buffer.alloc(8);
    b.writeUInt32BE((this.hi ^ 0xffffffff) >>> 0, 0);
    b.writeUInt32BE((this.lo ^ 0xffffffff) >>> 0, 4);
    return b;
  }
}

class Digest implements Running {
  private readonly hash: Hash;
  constructor(alg: string) {
    this.hash = createHash(alg);
  }
  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }
  digest(): Buffer {
    return this.hash.digest();
  }
}

function running(alg: ChecksumAlgorithm): Running {
  switch (alg) {
    case 'CRC32':
      return new Crc32();
    case 'CRC32C':
      return new Crc32c();
    case 'CRC64NVME':
      return new Crc64Nvme();
    case 'SHA1':
      return new Digest('sha1');
    case 'SHA256':
      return new Digest('sha256');
  }
}

/** The base64 checksum of whole bytes (tests, composite multipart checksums). */
export function checksumOf(alg: ChecksumAlgorithm, data: Buffer): string {
  const r = running(alg);
  r.update(data);
  return r.digest().toString('base64');
}

export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

/**
 * Passes bytes through unchanged while counting them and computing their MD5 (the ETag)
 * and any additional checksums asked for, so a body is hashed as it streams to disk.
 */
export class BodyHasher extends Transform {
  private readonly md5 = createHash('md5');
  private readonly sums: [ChecksumAlgorithm, Running][];
  bytes = 0;

  constructor(algorithms: Iterable<ChecksumAlgorithm>) {
    super();
    this.sums = [...new Set(algorithms)].map((a) => [a, running(a)]);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.update(chunk);
    done(null, chunk);
  }

  /** Hashes bytes directly, for a body already in memory. */
  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.md5.update(chunk);
    for (const [, r] of this.sums) r.update(chunk);
  }

  /** The MD5 digest and the checksums, once the stream has ended. */
  results(): { md5: Buffer; checksums: Checksums } {
    const checksums: Checksums = {};
    for (const [alg, r] of this.sums) checksums[alg] = r.digest().toString('base64');
    return { md5: this.md5.digest(), checksums };
  }
}
