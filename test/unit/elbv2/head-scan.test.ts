import { describe, expect, it } from 'vitest';
import { Framing, RequestScan, ResponseScan, Scan } from '../../../src/services/elbv2/proxy/head-scan.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** The lines a scan keeps, as text. */
function kept(s: RequestScan | ResponseScan, buf: Buffer): string {
  const out = Buffer.alloc(s.keptBytes);
  s.copyKept(buf, out, 0);
  return out.toString('latin1');
}

describe('fast path: request heads scanned as bytes', () => {
  it('finds the method, target and the fields the proxy replaces, and keeps the other lines as they came', () => {
    const text = 'GET /a?b=1 HTTP/1.1\r\nHOST: Example.com:8080\r\nX-Custom: One\r\nKeep-Alive: 5\r\nx-forwarded-for: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nCookie: a=1\r\nProxy-Authorization: x\r\nAccept: */*\r\n\r\nGET /next';
    const buf = b(text);
    const s = new RequestScan();
    expect(s.scan(buf)).toBe(Scan.Ok);
    expect(s.method).toBe('GET');
    expect(buf.toString('latin1', s.targetStart, s.targetEnd)).toBe('/a?b=1');
    expect(buf.toString('latin1', s.hostStart, s.hostEnd)).toBe('Example.com:8080');
    expect(buf.toString('latin1', s.xffStart, s.xffEnd)).toBe('203.0.113.7');
    expect(buf.toString('latin1', s.cookieStart, s.cookieEnd)).toBe('a=1');
    expect(s.length).toBe(text.indexOf('GET /next'));
    expect(s.fieldsStart).toBe('GET /a?b=1 HTTP/1.1\r\n'.length);
    expect(kept(s, buf)).toBe('X-Custom: One\r\nCookie: a=1\r\nAccept: */*\r\n');
    expect(s.close).toBe(false);
    expect(s.hasTrace).toBe(false);
  });

  it.each([
    ['a HEAD request', 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n', { method: 'HEAD' }],
    ['Content-Length: 0', 'DELETE /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', { method: 'DELETE' }],
    ['Connection: close', 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { close: true }],
    ['Connection: keep-alive, close', 'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive , Close\r\n\r\n', { close: true }],
    ['Connection: keep-alive', 'GET / HTTP/1.1\r\nHost: x\r\nconnection: Keep-Alive\r\n\r\n', { close: false }],
    ['its own trace id', 'GET / HTTP/1.1\r\nHost: x\r\nX-Amzn-Trace-Id: Root=1-1-2\r\n\r\n', { hasTrace: true }],
    ['values with tabs and spaces', 'GET / HTTP/1.1\r\nHost:\t x \t\r\nX-A: a\tb\r\n\r\n', { hostEnd: 'GET / HTTP/1.1\r\nHost:\t x'.length }],
  ])('carries %s', (_name, text, want) => {
    const s = new RequestScan();
    expect(s.scan(b(text))).toBe(Scan.Ok);
    expect(s).toMatchObject(want);
  });

  it.each([
    ['an unfinished head', 'GET / HTTP/1.1\r\nHost: x\r\n', Scan.Incomplete],
    ['HTTP/1.0', 'GET / HTTP/1.0\r\nHost: x\r\n\r\n', Scan.Other],
    ['HTTP/2 in a request line', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', Scan.Other],
    ['an absolute-form target', 'GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n', Scan.Other],
    ['an asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', Scan.Other],
    ['two spaces in the request line', 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n', Scan.Other],
    ['no Host', 'GET / HTTP/1.1\r\nX: y\r\n\r\n', Scan.Other],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n', Scan.Other],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n', Scan.Other],
    ['a name with a space', 'GET / HTTP/1.1\r\nHost: x\r\nBad Name: x\r\n\r\n', Scan.Other],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', Scan.Other],
    ['an empty name', 'GET / HTTP/1.1\r\nHost: x\r\n: x\r\n\r\n', Scan.Other],
    ['a line without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n', Scan.Other],
    ['a bare LF inside a value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\nb\r\n\r\n', Scan.Other],
    ['a control byte in a value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n', Scan.Other],
    ['DEL in a value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7fb\r\n\r\n', Scan.Other],
    ['a body by length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello', Scan.Other],
    ['a doubled Content-Length', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n', Scan.Other],
    ['Content-Length: 00', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 00\r\n\r\n', Scan.Other],
    ['a chunked body', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', Scan.Other],
    ['Transfer-Encoding with Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n', Scan.Other],
    ['an upgrade', 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', Scan.Other],
    ['an expectation', 'GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n', Scan.Other],
    ['Connection naming another field', 'GET / HTTP/1.1\r\nHost: x\r\nConnection: X-Secret\r\nX-Secret: 1\r\n\r\n', Scan.Other],
    ['two X-Forwarded-For fields', 'GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: a\r\nX-Forwarded-For: b\r\n\r\n', Scan.Other],
    ['two Cookie fields', 'GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n', Scan.Other],
    ['a head over 16 KiB', `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}`, Scan.Other],
    ['more than 64 fields', `GET / HTTP/1.1\r\nHost: x\r\n${'X-A: 1\r\n'.repeat(64)}\r\n`, Scan.Other],
  ])('leaves %s to the general path', (_name, text, want) => expect(new RequestScan().scan(b(text))).toBe(want));

  it('forgets the previous request when reused', () => {
    const s = new RequestScan();
    expect(s.scan(b('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-For: a\r\nCookie: c=1\r\nX-Amzn-Trace-Id: t\r\n\r\n'))).toBe(Scan.Ok);
    const next = b('GET /2 HTTP/1.1\r\nHost: y\r\n\r\n');
    expect(s.scan(next)).toBe(Scan.Ok);
    expect(s).toMatchObject({ close: false, xffStart: -1, cookieStart: -1, hasTrace: false, keptBytes: 0, keepCount: 0 });
    expect(next.toString('latin1', s.hostStart, s.hostEnd)).toBe('y');
  });
});

describe('fast path: response heads scanned as bytes', () => {
  it.each([
    ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', { status: 200, framing: Framing.Length, remaining: 5, untouched: true }],
    ['HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', { framing: Framing.None }],
    ['GET', 'HTTP/1.1 204 No Content\r\n\r\n', { status: 204, framing: Framing.None }],
    ['GET', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n', { framing: Framing.None }],
    ['GET', 'HTTP/1.1 100 Continue\r\n\r\n', { status: 100, framing: Framing.None }],
    ['GET', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n', { framing: Framing.Chunked, untouched: true }],
    ['GET', 'HTTP/1.0 200 OK\r\n\r\n', { framing: Framing.Close, http11: false }],
    ['GET', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', { close: true, untouched: false, remaining: 0, framing: Framing.Length }],
    ['GET', 'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\n', { close: false, untouched: false }],
    ['GET', 'HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n', { status: 503 }],
    ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 123456789012345\r\n\r\n', { remaining: 123456789012345 }],
  ])('%s %j', (method, text, want) => {
    const s = new ResponseScan();
    expect(s.scan(b(text), method)).toBe(Scan.Ok);
    expect(s).toMatchObject(want);
  });

  it('keeps every line but the hop-by-hop ones', () => {
    const buf = b('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nSet-Cookie: a=1\r\nContent-Length: 2\r\n\r\nhi');
    const s = new ResponseScan();
    expect(s.scan(buf, 'GET')).toBe(Scan.Ok);
    expect(kept(s, buf)).toBe('Content-Type: text/plain\r\nSet-Cookie: a=1\r\nContent-Length: 2\r\n');
    expect(s.keepCount).toBe(2);
  });

  it.each([
    ['an unfinished head', 'HTTP/1.1 200 OK\r\n', Scan.Incomplete],
    ['HTTP/2', 'HTTP/2 200 OK\r\n\r\n', Scan.Other],
    ['a short status', 'HTTP/1.1 20 OK\r\n\r\n', Scan.Other],
    ['a status with a letter', 'HTTP/1.1 2x0 OK\r\n\r\n', Scan.Other],
    ['a coding other than chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', Scan.Other],
    ['Transfer-Encoding with Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', Scan.Other],
    ['a doubled Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n', Scan.Other],
    ['a Content-Length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\n', Scan.Other],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', Scan.Other],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n', Scan.Other],
    ['Connection naming another field', 'HTTP/1.1 200 OK\r\nConnection: X-Secret\r\nX-Secret: 1\r\n\r\n', Scan.Other],
    ['a control byte in the reason', 'HTTP/1.1 200 O\x01K\r\n\r\n', Scan.Other],
  ])('leaves %s to the string parser', (_name, text, want) => expect(new ResponseScan().scan(b(text), 'GET')).toBe(want));
});
