import { Transform, type TransformCallback } from 'node:stream';
import { ServiceError } from '../../core/errors.js';

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

const MAX_LINE = 8192;

function incomplete(detail: string): ServiceError {
  return new ServiceError('IncompleteBody', `The request body is not valid aws-chunked encoding: ${detail}.`, { statusCode: 400 });
}

/**
 * Decodes an `aws-chunked` request body (`<hex size>[;chunk-signature=...]\r\n<data>\r\n`
 * ... `0\r\n<trailers>\r\n`) as it streams, passing the data through and keeping the
 * trailing headers (`x-amz-checksum-crc32:...`). Nothing is buffered beyond one header line.
 */
export class AwsChunkedDecoder extends Transform {
  readonly trailers: Record<string, string> = {};
  decoded = 0;
  private state: State = 'size';
  private line = '';
  private remaining = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    done(this.state === 'done' ? null : incomplete('the body ended before its final chunk'));
  }

  private consume(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'data': {
          const n = Math.min(this.remaining, chunk.length - i);
          this.push(chunk.subarray(i, i + n));
          this.decoded += n;
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.state = 'data-end';
          break;
        }
        case 'done':
          // Anything after the final CRLF is ignored, as a server reading Content-Length would.
          return;
        default:
          i = this.readLine(chunk, i);
      }
    }
  }

  /** Accumulates a CRLF-terminated line from `chunk` at `i`; returns where reading stopped. */
  private readLine(chunk: Buffer, i: number): number {
    const nl = chunk.indexOf(0x0a, i);
    const end = nl < 0 ? chunk.length : nl;
    this.line += chunk.toString('latin1', i, end);
    if (this.line.length > MAX_LINE) throw incomplete('a chunk header is too long');
    if (nl < 0) return chunk.length;
    const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
    this.line = '';
    this.onLine(line);
    return nl + 1;
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'size': {
        const hex = line.split(';', 1)[0].trim();
        if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw incomplete(`'${line.slice(0, 40)}' is not a chunk size`);
        this.remaining = parseInt(hex, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
        return;
      }
      case 'data-end':
        if (line !== '') throw incomplete('a chunk is longer than its declared size');
        this.state = 'size';
        return;
      case 'trailer': {
        if (line === '') {
          this.state = 'done';
          return;
        }
        const colon = line.indexOf(':');
        if (colon <= 0) throw incomplete(`'${line.slice(0, 40)}' is not a trailing header`);
        this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        return;
      }
      default:
        return;
    }
  }
}

/** True when the request's body is aws-chunked (SDK streaming uploads with trailing checksums). */
export function isAwsChunked(headers: Readonly<Record<string, string>>): boolean {
  const sha = headers['x-amz-content-sha256'] ?? '';
  if (sha.startsWith('STREAMING-')) return true;
  return (headers['content-encoding'] ?? '').split(',').some((e) => e.trim() === 'aws-chunked');
}

/** The Content-Encoding to store: the client's, without the transfer-only aws-chunked. */
export function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rest = value.split(',').map((e) => e.trim()).filter((e) => e && e !== 'aws-chunked');
  return rest.length ? rest.join(', ') : undefined;
}
