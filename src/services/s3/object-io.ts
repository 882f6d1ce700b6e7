import { closeSync, openSync, read } from 'node:fs';
import { Readable, type Transform } from 'node:stream';
import type { StreamingBody } from '../../aws/models/runtime-types.js';
import { ServiceError } from '../../core/errors.js';
import type { BlobStore } from '../../state/blobs.js';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked.js';
import { BodyHasher, CHECKSUM_ALGORITHMS, checksumHeader, isChecksumAlgorithm, type ChecksumAlgorithm, type Checksums } from './checksums.js';
import type { ByteRange } from './http-rules.js';
import type { Segment } from './store.js';

export interface WrittenBody {
  blob: string;
  size: number;
  md5: Buffer;
  checksums: Checksums;
}

/** The checksum algorithms a request asks for, and the values it states (headers; trailers come later). */
function requestedChecksums(headers: Readonly<Record<string, string>>): { algorithms: Set<ChecksumAlgorithm>; stated: Checksums } {
  const algorithms = new Set<ChecksumAlgorithm>();
  const stated: Checksums = {};
  const sdk = (headers['x-amz-sdk-checksum-algorithm'] ?? '').toUpperCase();
  if (isChecksumAlgorithm(sdk)) algorithms.add(sdk);
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = headers[checksumHeader(alg)];
    if (v !== undefined) {
      algorithms.add(alg);
      stated[alg] = v;
    }
  }
  for (const name of (headers['x-amz-trailer'] ?? '').split(',')) {
    const alg = name.trim().replace(/^x-amz-checksum-/i, '').toUpperCase();
    if (isChecksumAlgorithm(alg)) algorithms.add(alg);
  }
  return { algorithms, stated };
}

function incompleteBody(): ServiceError {
  return new ServiceError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.', { statusCode: 400 });
}

/** A body that stopped because the client went away, rather than a failure of ours. */
function clientGone(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return err instanceof Error && (err.code === 'ECONNRESET' || err.message === 'aborted' || err.code === 'ERR_STREAM_PREMATURE_CLOSE');
}

function badDigest(what: string): ServiceError {
  return new ServiceError('BadDigest', `The ${what} you specified did not match the calculated checksum.`, { statusCode: 400 });
}

/**
 * Streams a request body into a new blob: aws-chunked framing decoded, MD5 and the asked-for
 * checksums computed on the way, and every stated digest (Content-MD5, x-amz-checksum-*
 * headers or trailers) verified before the blob is handed back. A body that fails a check
 * leaves no blob behind.
 */
export async function writeBody(blobs: BlobStore, body: StreamingBody | undefined, headers: Readonly<Record<string, string>>, extra: ChecksumAlgorithm[] = []): Promise<WrittenBody> {
  const { algorithms, stated } = requestedChecksums(headers);
  for (const a of extra) algorithms.add(a);
  const transforms: Transform[] = [];
  const chunked = body instanceof Readable && isAwsChunked(headers) ? new AwsChunkedDecoder() : undefined;
  if (chunked) transforms.push(chunked);
  const hasher = new BodyHasher(algorithms);
  transforms.push(hasher);
  const source = body === undefined ? Buffer.alloc(0) : body instanceof Readable ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const { id } = await blobs.write(source, transforms).catch((e: unknown) => {
    throw clientGone(e) ? incompleteBody() : e;
  });
  try {
    const { md5, checksums } = hasher.results();
    if (chunked) {
      for (const alg of CHECKSUM_ALGORITHMS) {
        const v = chunked.trailers[checksumHeader(alg)];
        if (v !== undefined) stated[alg] = v;
      }
      const declared = headers['x-amz-decoded-content-length'];
      if (declared !== undefined && Number(declared) !== hasher.bytes) {
        throw incompleteBody();
      }
    }
    const contentMd5 = headers['content-md5'];
    if (contentMd5 !== undefined) {
      if (!/^[A-Za-z0-9+/]{22}==$/.test(contentMd5.trim())) throw new ServiceError('InvalidDigest', 'The Content-MD5 you specified was invalid.', { statusCode: 400 });
      if (contentMd5.trim() !== md5.toString('base64')) throw new ServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.', { statusCode: 400 });
    }
    for (const [alg, value] of Object.entries(stated) as [ChecksumAlgorithm, string][]) {
      if (checksums[alg] !== value.trim()) throw badDigest(alg);
    }
    return { blob: id, size: hasher.bytes, md5, checksums };
  } catch (e) {
    await blobs.delete(id);
    throw e;
  }
}

/** Copies stored bytes into a new blob (CopyObject, UploadPartCopy), computing MD5 and checksums. */
export async function copyBytes(blobs: BlobStore, segments: Segment[], range: ByteRange | undefined, algorithms: ChecksumAlgorithm[]): Promise<WrittenBody> {
  const hasher = new BodyHasher(algorithms);
  const { id } = await blobs.write(openSegments(blobs, segments, range), [hasher]);
  const { md5, checksums } = hasher.results();
  return { blob: id, size: hasher.bytes, md5, checksums };
}

interface Piece {
  fd: number;
  position: number;
  length: number;
}

const READ_SIZE = 1024 * 1024;

/**
 * Reads a byte range across an object's segments. The files are opened when the reader is
 * made, so a concurrent overwrite or delete (which unlinks blobs) cannot change the bytes
 * of a response already under way.
 */
export class SegmentReader extends Readable {
  private index = 0;

  constructor(private readonly pieces: Piece[]) {
    super({ highWaterMark: READ_SIZE });
  }

  override _read(): void {
    const piece = this.pieces[this.index];
    if (!piece) {
      this.push(null);
      return;
    }
    const len = Math.min(READ_SIZE, piece.length);
    const buf = Buffer.allocUnsafe(len);
    read(piece.fd, buf, 0, len, piece.position, (err, n) => {
      if (err) return this.destroy(err);
      if (n === 0) return this.destroy(new Error('object data ended early'));
      piece.position += n;
      piece.length -= n;
      if (piece.length === 0) this.index++;
      this.push(n === len ? buf : buf.subarray(0, n));
    });
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    for (const p of this.pieces) {
      try {
        closeSync(p.fd);
      } catch {
        // already closed
      }
    }
    done(err);
  }
}

/** Opens the segments a range touches (the whole object without one). */
export function openSegments(blobs: BlobStore, segments: Segment[], range?: ByteRange): SegmentReader {
  const total = segments.reduce((n, s) => n + s.size, 0);
  const start = range?.start ?? 0;
  const end = range?.end ?? total - 1;
  const pieces: Piece[] = [];
  let offset = 0;
  try {
    for (const s of segments) {
      const from = Math.max(start, offset);
      const to = Math.min(end, offset + s.size - 1);
      if (from <= to) pieces.push({ fd: openSync(blobs.path(s.blob), 'r'), position: from - offset, length: to - from + 1 });
      offset += s.size;
    }
  } catch (e) {
    for (const p of pieces) closeSync(p.fd);
    throw e;
  }
  return new SegmentReader(pieces);
}
