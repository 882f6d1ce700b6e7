import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createAlb, forwardTo, openRaw as open, rawExchange as exchange, startTarget, type Target } from './helpers.js';

describe('ELBv2 proxy: heads handled as bytes on the fast path', () => {
  let sw: TestSlipway;
  let echo: Target;
  const ports: Record<string, number[]> = { a: [], b: [] };
  let a: Target;
  let b: Target;
  let url: string;
  let pairUrl: string;
  let old: Server;
  let oldUrl: string;

  beforeAll(async () => {
    sw = await startSlipway({ clock: new ManualClock(), elbPorts: 'ephemeral' });
    // Answers with the head it received, and hop-by-hop fields of its own for the proxy to drop.
    echo = await startTarget('echo', (req, res) => {
      req.resume();
      res.setHeader('keep-alive', 'timeout=5');
      res.setHeader('X-Echo', 'Yes');
      res.setHeader('set-cookie', ['app=1']);
      res.end(JSON.stringify({ headers: req.rawHeaders, url: req.url }));
    });
    const side = (name: 'a' | 'b') => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      req.resume();
      if (req.headers['user-agent'] !== 'ELB-HealthChecker/2.0') ports[name].push(req.socket.remotePort!);
      res.end(`${name} ${req.url}`);
    };
    a = await startTarget('a', side('a'));
    b = await startTarget('b', side('b'));
    url = (await createAlb(sw, 'bytes', { web: [echo] }, (g) => forwardTo(g.web))).url;
    pairUrl = (await createAlb(sw, 'pairs', { web: [a, b] }, (g) => forwardTo(g.web))).url;
    // An HTTP/1.0 target: it answers each connection once, then closes it.
    old = createServer((c) => c.once('data', () => c.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\nX-Old: 1\r\n\r\nhi')));
    await new Promise<void>((r) => old.listen(0, '127.0.0.1', () => r()));
    const oldTarget = { server: old, port: (old.address() as AddressInfo).port, hits: [], close: async () => {} } as unknown as Target;
    oldUrl = (await createAlb(sw, 'old', { web: [oldTarget] }, (g) => forwardTo(g.web))).url;
  });
  afterAll(async () => {
    await sw.close();
    await Promise.all([echo.close(), a.close(), b.close(), new Promise((r) => old.close(r))]);
  });

  it('forwards the client\'s lines as they came, less hop-by-hop ones, with X-Forwarded-* added; drops the target\'s hop-by-hop lines', async () => {
    const host = new URL(url).host;
    const s = open(url);
    const head = `GET /p?q=1 HTTP/1.1\r\nHost: ${host}\r\nX-Mixed-Case: Value  With  Spaces\r\nKeep-Alive: 300\r\nProxy-Authorization: secret\r\nX-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Port: 1\r\nCookie: c=1\r\n\r\n`;
    const text = await exchange(s, head, (t) => t.endsWith('}'));
    s.destroy();
    const [resHead, body] = text.split('\r\n\r\n');
    const seen = JSON.parse(body) as { headers: string[]; url: string };
    const pairs = Object.fromEntries(seen.headers.flatMap((v, i) => (i % 2 ? [] : [[v.toLowerCase(), seen.headers[i + 1]]])));
    expect(seen.url).toBe('/p?q=1');
    expect(seen.headers).toContain('X-Mixed-Case');
    expect(pairs['x-mixed-case']).toBe('Value  With  Spaces');
    expect(pairs).toMatchObject({ host: '127.0.0.1', cookie: 'c=1', 'x-forwarded-for': '203.0.113.7, 127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-port': '80' });
    expect(pairs['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(Object.keys(pairs)).not.toContain('keep-alive');
    expect(Object.keys(pairs)).not.toContain('proxy-authorization');
    expect(resHead).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(resHead).toContain('X-Echo: Yes');
    expect(resHead).toContain('set-cookie: app=1');
    expect(resHead.toLowerCase()).not.toContain('keep-alive');
    expect(resHead.toLowerCase()).not.toContain('connection:');
  });

  it.each([
    ['a doubled Content-Length', 'Content-Length: 0\r\nContent-Length: 0\r\n'],
    ['Transfer-Encoding with Content-Length', 'Content-Length: 0\r\nTransfer-Encoding: chunked\r\n'],
    ['a name with a space', 'Bad Name: 1\r\n'],
  ])('leaves %s to node:http, which refuses it with 400', async (_name, fields) => {
    const s = open(url);
    const text = await exchange(s, `GET /bad HTTP/1.1\r\nHost: ${new URL(url).host}\r\n${fields}\r\n`, () => false);
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('leaves a request whose Connection names another field to node:http, which drops that field', async () => {
    const s = open(url);
    const text = await exchange(s, `GET /named HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: X-Secret\r\nX-Secret: 1\r\nX-Open: 2\r\n\r\n`, (t) => t.endsWith('}'));
    s.destroy();
    const seen = JSON.parse(text.split('\r\n\r\n')[1]) as { headers: string[] };
    expect(seen.headers).toContain('2');
    expect(seen.headers.map((h) => h.toLowerCase())).not.toContain('x-secret');
  });

  it('keeps a target connection across a client connection\'s requests, and reuses pooled ones when round robin switches targets', async () => {
    const host = new URL(pairUrl).host;
    const s = open(pairUrl);
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) {
      const text = await exchange(s, `GET /r${i} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, (t) => t.endsWith(`/r${i}`));
      bodies.push(text.split('\r\n\r\n')[1].split(' ')[0]);
    }
    s.destroy();
    // Round robin alternates, and each target sees every one of its requests on one connection.
    expect(bodies.join('')).toMatch(/^(?:(ab){3}|(ba){3})$/);
    expect(new Set(ports.a).size).toBe(1);
    expect(new Set(ports.b).size).toBe(1);
    expect(ports.a.length + ports.b.length).toBe(6);
  });

  it('answers an HTTP/1.0 target\'s response as HTTP/1.1 and opens a new target connection for the next request', async () => {
    const host = new URL(oldUrl).host;
    const s = open(oldUrl);
    for (let i = 0; i < 2; i++) {
      const text = await exchange(s, `GET /o${i} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, (t) => t.endsWith('hi'));
      expect(text).toBe('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Old: 1\r\n\r\nhi');
    }
    s.destroy();
  });
});
