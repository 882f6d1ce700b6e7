import { elbErrorBody, ELB_TEXT } from './forward.js';
import type { ResponseScan } from './head-scan.js';
import type { ResponseHead } from './http1.js';

// The response heads the fast path sends its clients.

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);
const HTTP11 = Buffer.from('HTTP/1.1', 'latin1');

/** The response head for the client from the string parser (responses the byte scanner leaves): hop-by-hop fields dropped. */
export function slowClientHead(r: ResponseHead, chunked: boolean, extra: string): Buffer {
  const named = r.headers.connection ? new Set(r.headers.connection.split(',').map((s) => s.trim().toLowerCase())) : undefined;
  let out = `HTTP/1.1 ${r.status} ${r.message}\r\n`;
  for (const line of r.lines) {
    const name = line.slice(0, line.indexOf(':')).toLowerCase();
    if ((HOP.has(name) && !(name === 'transfer-encoding' && chunked)) || named?.has(name)) continue;
    out += `${line}\r\n`;
  }
  return Buffer.from(`${out}${extra}\r\n`, 'latin1');
}

export const wantsClose = (r: ResponseHead) => r.headers.connection !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(r.headers.connection);

/** Set-Cookie lines of the load balancer's own (stickiness), and `connection: close` when the client connection ends after this response. */
export function elbLines(cookies: readonly string[], close: boolean): string {
  let out = '';
  for (let i = 0; i < cookies.length; i++) out += `set-cookie: ${cookies[i]}\r\n`;
  return close ? `${out}connection: close\r\n` : out;
}

/**
 * The target's head (scanned in `src`) with its hop-by-hop lines left out and `extra` lines added,
 * then `body`: one buffer. With nothing to change and the body right behind the head in `src`,
 * the bytes go as they came.
 */
export function byteClientHead(s: ResponseScan, src: Buffer, extra: string, body: Buffer): Buffer {
  if (s.http11 && s.untouched && !extra && (body.length === 0 || (body.buffer === src.buffer && body.byteOffset === src.byteOffset + s.length))) {
    return src.subarray(0, s.length + body.length);
  }
  const out = Buffer.allocUnsafe(s.fieldsStart + s.keptBytes + extra.length + 2 + body.length);
  // The status line as it came, under HTTP/1.1 when the target spoke 1.0.
  let at = s.http11 ? src.copy(out, 0, 0, s.fieldsStart) : HTTP11.copy(out, 0) + src.copy(out, 8, 8, s.fieldsStart);
  at = s.copyKept(src, out, at);
  if (extra) at += out.write(extra, at, 'latin1');
  out[at++] = 0x0d;
  out[at++] = 0x0a;
  if (body.length) body.copy(out, at);
  return out;
}

/** The load balancer's own error answer (502, 504...), whole. */
export function elbErrorResponse(status: number, close: boolean): string {
  const body = elbErrorBody(status);
  return `HTTP/1.1 ${status} ${ELB_TEXT[status]}\r\nserver: awselb/2.0\r\ncontent-type: text/html\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${close ? 'connection: close\r\n' : ''}\r\n${body}`;
}
