/**
 * The fast path's HTTP/1.1 head scanners: they work on the bytes, building no strings or
 * header objects, and note only what the proxy needs (framing, the few fields it reads or
 * replaces, and which lines to copy). Anything unusual is left to the string parser of
 * http1.ts or to node:http: obs-fold, control bytes, repeated framing or routing fields,
 * `Connection` naming other fields, bodies and upgrades on requests.
 */
import { MAX_HEAD } from './http1.js';

/** More header lines than this go the slow way. */
const MAX_LINES = 64;

export const enum Scan {
  Incomplete,
  Ok,
  /** Not for the byte path: the caller takes the general one. */
  Other,
}

// Field ids: requests and responses share the hop-by-hop ones.
const enum F {
  None,
  Host,
  ContentLength,
  TransferEncoding,
  Upgrade,
  Expect,
  Connection,
  Hop,
  Xff,
  XfProto,
  XfPort,
  Trace,
  Cookie,
}

const FIELDS: [string, F][] = [
  ['host', F.Host],
  ['content-length', F.ContentLength],
  ['transfer-encoding', F.TransferEncoding],
  ['upgrade', F.Upgrade],
  ['expect', F.Expect],
  ['connection', F.Connection],
  ['keep-alive', F.Hop],
  ['proxy-connection', F.Hop],
  ['te', F.Hop],
  ['trailer', F.Hop],
  ['proxy-authorization', F.Hop],
  ['proxy-authenticate', F.Hop],
  ['x-forwarded-for', F.Xff],
  ['x-forwarded-proto', F.XfProto],
  ['x-forwarded-port', F.XfPort],
  ['x-amzn-trace-id', F.Trace],
  ['cookie', F.Cookie],
];
/** Candidates by name length. */
const BY_LENGTH: [Buffer, F][][] = Array.from({ length: 32 }, () => []);
for (const [name, id] of FIELDS) BY_LENGTH[name.length].push([Buffer.from(name, 'latin1'), id]);

const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[c.charCodeAt(0)] = 1;

/** Which field a header name is (by case-insensitive byte compare), F.None for the rest. */
function fieldOf(buf: Buffer, start: number, end: number): F {
  const len = end - start;
  if (len >= 32) return F.None;
  outer: for (const [name, id] of BY_LENGTH[len]) {
    for (let i = 0; i < len; i++) if ((buf[start + i] | 0x20) !== name[i]) continue outer;
    return id;
  }
  return F.None;
}

/** Whether buf[start, end) equals `lower` ignoring ASCII case. */
function equalsIgnoreCase(buf: Buffer, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if ((buf[start + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Whether `bytes` appear in buf at `at`, exactly. */
function bytesAt(buf: Buffer, at: number, bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}
const HTTP11_CRLF = Buffer.from(' HTTP/1.1\r\n', 'latin1');
const HTTP1 = Buffer.from('HTTP/1.', 'latin1');

/** A Connection value of `close` and `keep-alive` tokens only: 1 when it says close, 0 when not, -1 otherwise. */
function connectionClose(buf: Buffer, start: number, end: number): number {
  let close = 0;
  let i = start;
  while (i <= end) {
    let j = i;
    while (j < end && buf[j] !== 0x2c) j++;
    let a = i;
    let b = j;
    while (a < b && (buf[a] === 0x20 || buf[a] === 0x09)) a++;
    while (b > a && (buf[b - 1] === 0x20 || buf[b - 1] === 0x09)) b--;
    if (equalsIgnoreCase(buf, a, b, 'close')) close = 1;
    else if (a < b && !equalsIgnoreCase(buf, a, b, 'keep-alive')) return -1;
    i = j + 1;
  }
  return close;
}

/** Common state: the head's length and the header lines to copy, as [start, end) byte ranges. */
class HeadScan {
  length = 0;
  /** Where the first header line starts (just past the start line's CRLF). */
  fieldsStart = 0;
  close = false;
  /** Kept ranges, merged where lines are adjacent: keep[2i], keep[2i + 1]. */
  readonly keep = new Int32Array(MAX_LINES * 2);
  keepCount = 0;
  keptBytes = 0;

  protected reset(): void {
    this.close = false;
    this.keepCount = 0;
    this.keptBytes = 0;
  }

  protected keepLine(start: number, end: number): void {
    const k = this.keep;
    const n = this.keepCount;
    if (n > 0 && k[n * 2 - 1] === start) k[n * 2 - 1] = end;
    else {
      k[n * 2] = start;
      k[n * 2 + 1] = end;
      this.keepCount = n + 1;
    }
    this.keptBytes += end - start;
  }

  /** Copies the kept lines into `out` at `at`; answers the offset after them. */
  copyKept(src: Buffer, out: Buffer, at: number): number {
    for (let i = 0; i < this.keepCount; i++) at += src.copy(out, at, this.keep[i * 2], this.keep[i * 2 + 1]);
    return at;
  }

  /**
   * Walks the header lines from `fieldsStart` to the blank line, checking names are tokens
   * and values free of control bytes; `field` sees each line and answers false to give up.
   */
  protected fields(buf: Buffer, end: number): boolean {
    let lines = 0;
    let at = this.fieldsStart;
    while (at < end) {
      if (++lines > MAX_LINES) return false;
      let colon = at;
      while (TOKEN[buf[colon]] === 1) colon++;
      if (colon === at || buf[colon] !== 0x3a) return false; // obs-fold, an empty or bad name
      let eol = colon + 1;
      for (let c = buf[eol]; c !== 0x0d; c = buf[++eol]) if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
      if (buf[eol + 1] !== 0x0a) return false;
      let a = colon + 1;
      let b = eol;
      while (a < b && (buf[a] === 0x20 || buf[a] === 0x09)) a++;
      while (b > a && (buf[b - 1] === 0x20 || buf[b - 1] === 0x09)) b--;
      if (!this.field(buf, fieldOf(buf, at, colon), a, b, at, eol + 2)) return false;
      at = eol + 2;
    }
    return true;
  }

  protected field(_buf: Buffer, _id: F, _a: number, _b: number, _lineStart: number, _lineEnd: number): boolean {
    return true;
  }
}

/** Where the head ends (its length), 0 while incomplete, -1 when too large. */
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

function headLength(buf: Buffer): number {
  const end = buf.indexOf(HEAD_END);
  if (end < 0) return buf.length > MAX_HEAD ? -1 : 0;
  return end + 4 > MAX_HEAD ? -1 : end + 4;
}

/** A client's request head, for a body-less HTTP/1.1 request the fast path can forward as is. */
export class RequestScan extends HeadScan {
  method = 'GET';
  targetStart = 0;
  targetEnd = 0;
  hostStart = -1;
  hostEnd = -1;
  xffStart = -1;
  xffEnd = -1;
  /** Whether the request brings its own X-Amzn-Trace-Id (kept, as the ALB does). */
  hasTrace = false;
  cookieStart = -1;
  cookieEnd = -1;
  private sawLength = false;

  scan(buf: Buffer): Scan {
    const length = headLength(buf);
    if (length === 0) return Scan.Incomplete;
    if (length < 0) return Scan.Other;
    this.length = length;
    this.reset();
    this.hostStart = this.xffStart = this.cookieStart = -1;
    this.hasTrace = this.sawLength = false;
    if (!this.startLine(buf)) return Scan.Other;
    if (!this.fields(buf, length - 2) || this.hostStart < 0) return Scan.Other;
    return Scan.Ok;
  }

  /** `METHOD /target HTTP/1.1`: an origin-form target, HTTP/1.1 only. */
  private startLine(buf: Buffer): boolean {
    let i = 0;
    while (TOKEN[buf[i]] === 1) i++;
    if (i === 0 || buf[i] !== 0x20 || buf[i + 1] !== 0x2f) return false;
    this.method = i === 3 && buf[0] === 0x47 && buf[1] === 0x45 && buf[2] === 0x54 ? 'GET' : buf.toString('latin1', 0, i);
    this.targetStart = i + 1;
    i += 2;
    for (let c = buf[i]; c > 0x20 && c !== 0x7f; c = buf[++i]);
    this.targetEnd = i;
    if (!bytesAt(buf, i, HTTP11_CRLF)) return false;
    this.fieldsStart = i + 11;
    return true;
  }

  protected override field(buf: Buffer, id: F, a: number, b: number, lineStart: number, lineEnd: number): boolean {
    switch (id) {
      case F.None:
        this.keepLine(lineStart, lineEnd);
        return true;
      case F.Host:
        if (this.hostStart >= 0) return false;
        this.hostStart = a;
        this.hostEnd = b;
        return true;
      case F.ContentLength:
        // Only `0`, once: a body (or a doubtful length) is node:http's.
        if (this.sawLength || b - a !== 1 || buf[a] !== 0x30) return false;
        this.sawLength = true;
        this.keepLine(lineStart, lineEnd);
        return true;
      case F.Connection: {
        const close = connectionClose(buf, a, b);
        if (close < 0) return false;
        this.close ||= close === 1;
        return true;
      }
      case F.Xff:
        if (this.xffStart >= 0) return false;
        this.xffStart = a;
        this.xffEnd = b;
        return true;
      case F.Trace:
        if (this.hasTrace) return false;
        this.hasTrace = true;
        this.keepLine(lineStart, lineEnd);
        return true;
      case F.Cookie:
        if (this.cookieStart >= 0) return false;
        this.cookieStart = a;
        this.cookieEnd = b;
        this.keepLine(lineStart, lineEnd);
        return true;
      case F.Hop:
      case F.XfProto:
      case F.XfPort:
        return true; // replaced or dropped
      default:
        return false; // a body, an upgrade or an expectation: node:http's business
    }
  }
}

export const enum Framing {
  None,
  Length,
  Chunked,
  Close,
}

/** A target's response head: status, framing, and the lines the client gets. */
export class ResponseScan extends HeadScan {
  status = 0;
  http11 = true;
  framing = Framing.Close;
  remaining = 0;
  private sawLength = false;
  private chunked = false;
  /** Whether every header line is kept (the head can go to the client as it came). */
  get untouched(): boolean {
    return this.keptBytes === this.length - 2 - this.fieldsStart;
  }

  /** `HTTP/1.x NNN reason`; `method` decides whether a body follows. */
  scan(buf: Buffer, method: string): Scan {
    const length = headLength(buf);
    if (length === 0) return Scan.Incomplete;
    if (length < 0) return Scan.Other;
    this.length = length;
    this.reset();
    this.sawLength = this.chunked = false;
    this.remaining = 0;
    if (!this.startLine(buf)) return Scan.Other;
    if (!this.fields(buf, length - 2)) return Scan.Other;
    if (method === 'HEAD' || this.status === 204 || this.status === 304 || this.status < 200) this.framing = Framing.None;
    else this.framing = this.chunked ? Framing.Chunked : this.sawLength ? Framing.Length : Framing.Close;
    return Scan.Ok;
  }

  private startLine(buf: Buffer): boolean {
    if (!bytesAt(buf, 0, HTTP1) || (buf[7] !== 0x31 && buf[7] !== 0x30) || buf[8] !== 0x20) return false;
    const d0 = buf[9] - 0x30;
    const d1 = buf[10] - 0x30;
    const d2 = buf[11] - 0x30;
    if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || (buf[12] !== 0x20 && buf[12] !== 0x0d)) return false;
    this.status = d0 * 100 + d1 * 10 + d2;
    this.http11 = buf[7] === 0x31;
    let i = 12;
    for (let c = buf[i]; c !== 0x0d; c = buf[++i]) if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
    if (buf[i + 1] !== 0x0a) return false;
    this.fieldsStart = i + 2;
    return true;
  }

  protected override field(buf: Buffer, id: F, a: number, b: number, lineStart: number, lineEnd: number): boolean {
    switch (id) {
      case F.ContentLength: {
        if (this.sawLength || this.chunked || b - a > 15 || a === b) return false;
        let n = 0;
        for (let i = a; i < b; i++) {
          const d = buf[i] - 0x30;
          if (d < 0 || d > 9) return false;
          n = n * 10 + d;
        }
        this.sawLength = true;
        this.remaining = n;
        break;
      }
      case F.TransferEncoding:
        if (this.chunked || this.sawLength || !equalsIgnoreCase(buf, a, b, 'chunked')) return false;
        this.chunked = true; // relayed as it came, so the line stays
        break;
      case F.Connection: {
        const close = connectionClose(buf, a, b);
        if (close < 0) return false;
        this.close ||= close === 1;
        return true;
      }
      case F.Hop:
      case F.Upgrade:
        return true;
    }
    this.keepLine(lineStart, lineEnd);
    return true;
  }
}
