import { closeSync, openSync, read } from 'node:fs';
import { Readable } from 'node:stream';
import type { StreamingBody } from '../../aws/models/runtime-types.js';
import { ServiceError } from '../../core/errors.js';
import type { BlobStore } from '../../state/blobs.js';
import { AwsChunkedDecoder, decodeAwsChunked, isAwsChunked } from './aws-chunked.js';
import { BodyHasher, CHECKSUM_ALGORITHMS, checksumHeader, isChecksumAlgorithm, type ChecksumAlgorithm, type Checksums } from './checksums.js';
import type { ByteRange } from './http-rules.js';
import type { Segment } from './store.js';

export interface WrittenBody {
  /** The blob holding the bytes; absent for a small body kept in `inline`. */
  blob?: string;
  inline?: Buffer;
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

/** Bodies up to this size (by Content-Length) are read into memory and written in one go. */
const SMALL_BODY = 256 * 1024;

/**
 * Objects up to this size keep their bytes in their SQLite row: creating a file per small
 * object costs more than the object, and the row commits bytes and metadata together.
 */
const INLINE_MAX = 64 * 1024;

interface Received extends WrittenBody {
  trailers: Record<string, string>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** A small body: read whole, decoded and hashed in memory, then written as one blob. */
async function receiveSmall(blobs: BlobStore, body: StreamingBody | undefined, chunked: boolean, algorithms: Set<ChecksumAlgorithm>, inline: boolean): Promise<Received> {
  const raw = body === undefined ? Buffer.alloc(0) : body instanceof Readable ? await readAll(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const { data, trailers } = chunked ? decodeAwsChunked(raw) : { data: raw, trailers: {} };
  const hasher = new BodyHasher(algorithms);
  hasher.update(data);
  const kept = inline && data.length <= INLINE_MAX ? { inline: data } : { blob: (await blobs.write(data)).id };
  return { ...kept, size: data.length, ...hasher.results(), trailers };
}

/** A large body: decoded and hashed as it streams to disk. */
async function receiveStreamed(blobs: BlobStore, body: Readable, chunked: boolean, algorithms: Set<ChecksumAlgorithm>): Promise<Received> {
  const decoder = chunked ? new AwsChunkedDecoder() : undefined;
  const hasher = new BodyHasher(algorithms);
  const { id } = await blobs.write(body, decoder ? [decoder, hasher] : [hasher]);
  return { blob: id, size: hasher.bytes, ...hasher.results(), trailers: decoder?.trailers ?? {} };
}

/**
 * Stores a request body as a new blob: aws-chunked framing decoded, MD5 and the asked-for
 * checksums computed, and every stated digest (Content-MD5, x-amz-checksum-* headers or
 * trailers) verified before the blob is handed back. Large bodies stream (memory stays
 * flat whatever the size); a body that fails a check leaves no blob behind.
 */
export async function writeBody(
  blobs: BlobStore,
  body: StreamingBody | undefined,
  headers: Readonly<Record<string, string>>,
  options: { extra?: ChecksumAlgorithm[]; inline?: boolean } = {},
): Promise<WrittenBody> {
  const { algorithms, stated } = requestedChecksums(headers);
  for (const a of options.extra ?? []) algorithms.add(a);
  const chunked = body !== undefined && isAwsChunked(headers);
  const length = Number(headers['content-length']);
  const small = !(body instanceof Readable) || (Number.isFinite(length) && length <= SMALL_BODY);
  const received = await (small ? receiveSmall(blobs, body, chunked, algorithms, options.inline === true) : receiveStreamed(blobs, body, chunked, algorithms)).catch((e: unknown) => {
    throw clientGone(e) ? incompleteBody() : e;
  });
  try {
    verify(received, stated, headers, chunked);
    const { trailers: _ignored, ...written } = received;
    return written;
  } catch (e) {
    if (received.blob) await blobs.delete(received.blob);
    throw e;
  }
}

function verify(r: Received, stated: Checksums, headers: Readonly<Record<string, string>>, chunked: boolean): void {
  if (chunked) {
    for (const alg of CHECKSUM_ALGORITHMS) {
      const v = r.trailers[checksumHeader(alg)];
      if (v !== undefined) stated[alg] = v;
    }
    const declared = headers['x-amz-decoded-content-length'];
    if (declared !== undefined && Number(declared) !== r.size) throw incompleteBody();
  }
  const contentMd5 = headers['content-md5'];
  if (contentMd5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(contentMd5.trim())) throw new ServiceError('InvalidDigest', 'The Content-MD5 you specified was invalid.', { statusCode: 400 });
    if (contentMd5.trim() !== r.md5.toString('base64')) throw new ServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.', { statusCode: 400 });
  }
  for (const [alg, value] of Object.entries(stated) as [ChecksumAlgorithm, string][]) {
    if (r.checksums[alg] !== value.trim()) throw badDigest(alg);
  }
}

/** Copies stored bytes (a reader from readVersion) into a new blob (CopyObject, UploadPartCopy), computing MD5 and checksums. */
export async function copyBytes(blobs: BlobStore, source: Readable, algorithms: ChecksumAlgorithm[]): Promise<WrittenBody> {
  const hasher = new BodyHasher(algorithms);
  const { id } = await blobs.write(source, [hasher]);
  const { md5, checksums } = hasher.results();
  return { blob: id, size: hasher.bytes, md5, checksums };
}

const READ_SIZE = 1024 * 1024;

/** A run to read: from a file, or bytes already in memory. */
type Piece = { fd: number; position: number; length: number } | { data: Buffer };

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
    if ('data' in piece) {
      this.index++;
      this.push(piece.data);
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
      if ('data' in p) continue;
      try {
        closeSync(p.fd);
      } catch {
        // already closed
      }
    }
    done(err);
  }
}

/** Opens the segments a range touches (the whole object without one); `inline` holds the bytes of a segment without a blob. */
export function openSegments(blobs: BlobStore, segments: Segment[], range?: ByteRange, inline?: Buffer): SegmentReader {
  const total = segments.reduce((n, s) => n + s.size, 0);
  const start = range?.start ?? 0;
  const end = range?.end ?? total - 1;
  const pieces: Piece[] = [];
  let offset = 0;
  try {
    for (const s of segments) {
      const from = Math.max(start, offset);
      const to = Math.min(end, offset + s.size - 1);
      if (from <= to) {
        if (s.blob) pieces.push({ fd: openSync(blobs.path(s.blob), 'r'), position: from - offset, length: to - from + 1 });
        else pieces.push({ data: (inline ?? Buffer.alloc(0)).subarray(from - offset, to - offset + 1) });
      }
      offset += s.size;
    }
  } catch (e) {
    for (const p of pieces) if (!('data' in p)) closeSync(p.fd);
    throw e;
  }
  return new SegmentReader(pieces);
}
