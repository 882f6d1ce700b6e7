/**
 * Writes JSON as UTF-8 bytes into one growing buffer, for answers of megabytes written from
 * the blocks' text: a message is copied byte for byte (checked for what JSON escapes on the
 * way), with no string per message and no per-row strings for the collector to sweep.
 */
export class JsonBytes {
  private buf: Buffer;
  private at = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(size, 1024));
  }

  get length(): number {
    return this.at;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  /** Text known to be ASCII needing no escapes (names of fields, punctuation). */
  ascii(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.at = at;
  }

  /** A non-negative integer's digits, with leading zeros up to `width`: no string made. */
  int(n: number, width = 0): void {
    let len = 1;
    for (let p = 10; p <= n; p *= 10) len++;
    if (len < width) len = width;
    this.room(len);
    const buf = this.buf;
    let at = this.at + len;
    this.at = at;
    let left = len;
    // Above 31 bits by floating-point division, then in integers.
    for (; n >= 0x80000000; left--) {
      const q = Math.floor(n / 10);
      buf[--at] = 0x30 + (n - q * 10);
      n = q;
    }
    for (let x = n | 0; x > 0; left--) {
      const q = (x / 10) | 0;
      buf[--at] = 0x30 + (x - q * 10);
      x = q;
    }
    // The leading zeros (and the single digit of 0).
    for (; left > 0; left--) buf[--at] = 0x30;
  }

  /** The base64 of an ASCII string (a query result's @ptr). */
  base64(s: string): void {
    this.room(((s.length + 2) / 3) * 4 + 4);
    const buf = this.buf;
    let at = this.at;
    let i = 0;
    for (; i + 2 < s.length; i += 3) {
      const n = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
      buf[at++] = B64[n >> 18];
      buf[at++] = B64[(n >> 12) & 63];
      buf[at++] = B64[(n >> 6) & 63];
      buf[at++] = B64[n & 63];
    }
    if (i < s.length) {
      const two = i + 1 < s.length;
      const n = (s.charCodeAt(i) << 16) | (two ? s.charCodeAt(i + 1) << 8 : 0);
      buf[at++] = B64[n >> 18];
      buf[at++] = B64[(n >> 12) & 63];
      buf[at++] = two ? B64[(n >> 6) & 63] : 0x3d;
      buf[at++] = 0x3d;
    }
    this.at = at;
  }

  /** JSON text already written as a string. */
  raw(s: string): void {
    this.room(Buffer.byteLength(s));
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  /** Any string as a JSON string, exactly as JSON.stringify writes it. */
  string(s: string): void {
    this.raw(JSON.stringify(s));
  }

  /**
   * UTF-8 text (`text[start, end)`, valid UTF-8) as a JSON string. JSON.stringify escapes only
   * `"`, `\` and control characters in valid text (lone surrogates cannot come from UTF-8), so
   * text without them is copied as it is; text with them is written through JSON.stringify.
   */
  utf8(text: Buffer, start: number, end: number): void {
    this.room(end - start + 2);
    const buf = this.buf;
    let at = this.at;
    buf[at++] = 0x22;
    for (let i = start; i < end; i++) {
      const c = text[i];
      if (c < 0x20 || c === 0x22 || c === 0x5c) {
        this.string(text.toString('utf8', start, end));
        return;
      }
      buf[at++] = c;
    }
    buf[at++] = 0x22;
    this.at = at;
  }

  /** Bytes as they are (JSON text written before). */
  copy(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** The bytes written (a view: the writer must not be used after). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

const B64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
