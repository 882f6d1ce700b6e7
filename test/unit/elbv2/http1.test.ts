import { describe, expect, it } from 'vitest';
import { ChunkedScanner, parseRequestHead, parseResponseHead, responseFraming, type ResponseHead } from '../../../src/services/elbv2/proxy/http1.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('fast path: request heads', () => {
  it('parses a request head, joining repeated headers', () => {
    const h = parseRequestHead(b('GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\nrest'));
    expect(h).toMatchObject({ method: 'GET', target: '/a?b=1', headers: { host: 'x', 'x-a': '1, 2' }, lines: ['Host: x', 'X-A: 1', 'x-a: 2'], length: 48 });
  });
  it.each([
    ['GET / HTTP/1.1\r\nHost: x\r\n', 'incomplete'],
    ['GET / HTTP/1.0\r\nHost: x\r\n\r\n', 'unsupported'],
    ['GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n', 'unsupported'],
    ['GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n', 'unsupported'],
    ['GET / HTTP/1.1\r\nBad Name: x\r\n\r\n', 'unsupported'],
    [`GET / HTTP/1.1\r\nX: ${'a'.repeat(20_000)}`, 'unsupported'],
  ])('%j is %s', (text, want) => expect(parseRequestHead(b(text))).toBe(want));
});

describe('fast path: response framing', () => {
  const head = (text: string) => parseResponseHead(b(text)) as ResponseHead;
  it.each([
    ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', { kind: 'length', remaining: 5 }],
    ['HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', { kind: 'none' }],
    ['GET', 'HTTP/1.1 204 No Content\r\n\r\n', { kind: 'none' }],
    ['GET', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n', { kind: 'none' }],
    ['GET', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', { kind: 'chunked' }],
    ['GET', 'HTTP/1.0 200 OK\r\n\r\n', { kind: 'close' }],
    ['GET', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', undefined],
    ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n', undefined],
  ])('%s %j', (method, text, want) => expect(responseFraming(method, head(text))).toEqual(want));
  it('reads the status line', () => expect(head('HTTP/1.1 503 Service Unavailable\r\nA: b\r\n\r\n')).toMatchObject({ version: '1.1', status: 503, message: 'Service Unavailable' }));
});

describe('fast path: chunked bodies', () => {
  const body = '5\r\nhello\r\n1A;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\n';
  it('finds the end of a chunked body however it is split', () => {
    const bytes = b(`${body}NEXT`);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const s = new ChunkedScanner();
      const first = s.scan(bytes.subarray(0, cut));
      const end = first >= 0 ? first : cut + s.scan(bytes.subarray(cut));
      expect(end, `split at ${cut}`).toBe(body.length);
    }
  });
  it('ends without trailers, and rejects a broken size or missing CRLF', () => {
    expect(new ChunkedScanner().scan(b('0\r\n\r\n'))).toBe(5);
    expect(new ChunkedScanner().scan(b('zz\r\n'))).toBe(-2);
    expect(new ChunkedScanner().scan(b('3\r\nabcX'))).toBe(-2);
    expect(new ChunkedScanner().scan(b('3\r\nab'))).toBe(-1);
  });
});
