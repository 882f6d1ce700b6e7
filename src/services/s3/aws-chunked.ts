import { Transform, type TransformCallback } from 'node:stream';
import { ServiceError } from '../../core/errors.js';

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

const MAX_LINE = 8192;

function incomplete(detail: string): ServiceError {
  return new ServiceError('IncompleteBody', `The request body is not valid aws-chunked encoding: ${detail}.`, { statusCode: 400 });
}

/**
 * The `aws-chunked` framing (`<hex size>[;chunk-signature=...]\r\n<data>\r\n` ... `0\r\n`
 * `<trailers>\r\n`) as a state machine fed any way the bytes are split: data goes to
 * `emit` as slices of the input, trailing headers (`x-amz-checksum-crc32:...`) are kept.
 * Nothing is buffered beyond one header line.
 */
export class ChunkParser {
  readonly trailers: Record<string, string> = {};
  decoded = 0;
  private state: State = 'size';
  private line = '';
  private remaining = 0;

  constructor(private readonly emit: (data: Buffer) => void) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'done') return; // after the final CRLF nothing counts, as with Content-Length
      if (this.state !== 'data') {
        i = this.readLine(chunk, i);
        continue;
      }
      const n = Math.min(this.remaining, chunk.length - i);
      this.emit(chunk.subarray(i, i + n));
      this.decoded += n;
      this.remaining -= n;
      i += n;
      if (this.remaining === 0) this.state = 'data-end';
    }
  }

  finish(): void {
    if (this.state !== 'done') throw incomplete('the body ended before its final chunk');
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

/** Decodes an aws-chunked body as it streams. */
export class AwsChunkedDecoder extends Transform {
  private readonly parser = new ChunkParser((data) => this.push(data));

  get trailers(): Record<string, string> {
    return this.parser.trailers;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.parser.feed(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.parser.finish();
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}

/** Decodes a whole aws-chunked body held in memory. */
export function decodeAwsChunked(body: Buffer): { data: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  const parser = new ChunkParser((d) => parts.push(d));
  parser.feed(body);
  parser.finish();
  return { data: parts.length === 1 ? parts[0] : Buffer.concat(parts), trailers: parser.trailers };
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
