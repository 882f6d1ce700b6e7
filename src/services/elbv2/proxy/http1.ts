/**
 * Just enough HTTP/1.1 framing for the listener's fast path: request and response heads,
 * and where a chunked body ends. Anything unusual is reported as `unsupported`, and the
 * caller hands the connection to `node:http`, which handles every case.
 */

const HEAD_END = Buffer.from('\r\n\r\n');
/** Heads larger than this go to node:http (which answers 431 past its own limit). */
export const MAX_HEAD = 16 * 1024;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface Head {
  /** Header lines as received ("Name: value"), in order. */
  lines: string[];
  /** Lower-cased names; repeated headers joined with ", " (as node:http does for most). */
  headers: Record<string, string>;
  /** Bytes of the head, blank line included. */
  length: number;
}

export interface RequestHead extends Head {
  method: string;
  target: string;
}

export interface ResponseHead extends Head {
  version: string;
  status: number;
  message: string;
}

/** Where the head ends in `buf` (its length), 0 while incomplete, -1 when too large. */
function headLength(buf: Buffer): number {
  const end = buf.indexOf(HEAD_END);
  if (end < 0) return buf.length > MAX_HEAD ? -1 : 0;
  return end + 4 > MAX_HEAD ? -1 : end + 4;
}

/** `strict` checks names are tokens (client requests); a target's response is trusted that far. */
function parseFields(text: string, length: number, strict: boolean): Head | undefined {
  const rows = text.split('\r\n');
  const lines: string[] = [];
  const headers: Record<string, string> = {};
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i];
    const colon = row.indexOf(':');
    if (colon <= 0) return undefined; // obs-fold, a bare line or an empty name
    const name = row.slice(0, colon);
    if (strict && !TOKEN.test(name)) return undefined;
    const key = name.toLowerCase();
    const value = row.slice(colon + 1).trim();
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    lines.push(row);
  }
  return { lines, headers, length };
}

export type Parsed<T> = T | 'incomplete' | 'unsupported';

/** An HTTP/1.1 request head at the start of `buf`. */
export function parseRequestHead(buf: Buffer): Parsed<RequestHead> {
  const length = headLength(buf);
  if (length === 0) return 'incomplete';
  if (length < 0) return 'unsupported';
  const text = buf.toString('latin1', 0, length - 4);
  const eol = text.indexOf('\r\n');
  const first = (eol < 0 ? text : text.slice(0, eol)).split(' ');
  if (first.length !== 3 || first[2] !== 'HTTP/1.1' || !TOKEN.test(first[0]) || !first[1].startsWith('/')) return 'unsupported';
  const fields = parseFields(text, length, true);
  return fields ? { ...fields, method: first[0], target: first[1] } : 'unsupported';
}

/** A response head at the start of `buf`. */
export function parseResponseHead(buf: Buffer): Parsed<ResponseHead> {
  const length = headLength(buf);
  if (length === 0) return 'incomplete';
  if (length < 0) return 'unsupported';
  const text = buf.toString('latin1', 0, length - 4);
  const eol = text.indexOf('\r\n');
  const first = eol < 0 ? text : text.slice(0, eol);
  const m = /^HTTP\/(1\.[01]) (\d{3})(?: (.*))?$/.exec(first);
  if (!m) return 'unsupported';
  const fields = parseFields(text, length, false);
  return fields ? { ...fields, version: m[1], status: Number(m[2]), message: m[3] ?? '' } : 'unsupported';
}

/** How a response body is delimited. */
export type Framing = { kind: 'none' } | { kind: 'length'; remaining: number } | { kind: 'chunked' } | { kind: 'close' };

export function responseFraming(method: string, head: ResponseHead): Framing | undefined {
  if (method === 'HEAD' || head.status === 204 || head.status === 304 || head.status < 200) return { kind: 'none' };
  const te = head.headers['transfer-encoding'];
  if (te !== undefined) return te.toLowerCase() === 'chunked' ? { kind: 'chunked' } : undefined;
  const cl = head.headers['content-length'];
  if (cl === undefined) return { kind: 'close' };
  return /^\d{1,15}$/.test(cl) ? { kind: 'length', remaining: Number(cl) } : undefined;
}

const enum ChunkState {
  Size,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  Trailer,
  TrailerLf,
  Done,
}

/**
 * Follows a chunked body through its chunks and trailers without copying it, so the proxy
 * can relay the bytes as they are and know where the message ends.
 */
export class ChunkedScanner {
  private state = ChunkState.Size;
  private size = 0;
  private sawDigit = false;
  private inExtension = false;
  private lineLength = 0;

  /** Starts over for the next body. */
  reset(): void {
    this.state = ChunkState.Size;
    this.size = this.lineLength = 0;
    this.sawDigit = this.inExtension = false;
  }

  /** Consumes `buf` from `start`; answers the offset just past the body's end, -1 when not there yet, -2 on a framing error. */
  scan(buf: Buffer, start = 0): number {
    let i = start;
    while (i < buf.length) {
      const c = buf[i];
      switch (this.state) {
        case ChunkState.Size:
          if (c === 0x0d) {
            if (!this.sawDigit) return -2;
            this.state = ChunkState.SizeLf;
          } else if (c === 0x3b || c === 0x20 || c === 0x09) {
            this.inExtension = true; // an extension, or whitespace before one: ignored
          } else if (!this.inExtension) {
            const d = hexDigit(c);
            if (d < 0 || this.size > 0xfffffffffff) return -2;
            this.size = this.size * 16 + d;
            this.sawDigit = true;
          }
          i++;
          break;
        case ChunkState.SizeLf:
          if (c !== 0x0a) return -2;
          i++;
          this.inExtension = false;
          this.sawDigit = false;
          this.state = this.size === 0 ? ChunkState.Trailer : ChunkState.Data;
          this.lineLength = 0;
          break;
        case ChunkState.Data: {
          const take = Math.min(this.size, buf.length - i);
          this.size -= take;
          i += take;
          if (this.size === 0) this.state = ChunkState.DataCr;
          break;
        }
        case ChunkState.DataCr:
          if (c !== 0x0d) return -2;
          this.state = ChunkState.DataLf;
          i++;
          break;
        case ChunkState.DataLf:
          if (c !== 0x0a) return -2;
          this.state = ChunkState.Size;
          i++;
          break;
        case ChunkState.Trailer:
          if (c === 0x0d) this.state = ChunkState.TrailerLf;
          else this.lineLength++;
          i++;
          break;
        case ChunkState.TrailerLf:
          if (c !== 0x0a) return -2;
          i++;
          if (this.lineLength === 0) {
            this.state = ChunkState.Done;
            return i;
          }
          this.lineLength = 0;
          this.state = ChunkState.Trailer;
          break;
        case ChunkState.Done:
          return i;
      }
    }
    return this.state === ChunkState.Done ? i : -1;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
