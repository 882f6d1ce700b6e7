import { createHash } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createAlb, forwardTo, get, openRaw, rawExchange, startTarget, type Target } from './helpers.js';

/** A raw client connection: sends bytes and reads until `done` says the answer is complete. */
async function exchange(url: string, payload: string, done: (text: string) => boolean, sock?: Socket): Promise<{ text: string; socket: Socket }> {
  const socket = sock ?? openRaw(url);
  return { text: await rawExchange(socket, payload, done), socket };
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('ELBv2 proxy: the raw fast path and its hand-over to node:http', () => {
  let sw: TestSlipway;
  let app: Target;
  let url: string;
  let raw: Server;
  let rawUrl: string;
  const big = Buffer.alloc(48 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
  let stalled = false;
  let sentAll = false;

  beforeAll(async () => {
    sw = await startSlipway({ clock: new ManualClock(), elbPorts: 'ephemeral' });
    app = await startTarget('app', (req, res) => {
      if (req.method === 'POST') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => res.end(`posted ${body}`));
        return;
      }
      req.resume();
      if (req.url === '/big') {
        // 48 MB with a length, written as fast as the proxy takes it: a write that has to wait means
        // the proxy stopped reading from the target because the client is not reading.
        res.writeHead(200, { 'content-length': big.length });
        let at = 0;
        const pump = () => {
          while (at < big.length) {
            const ok = res.write(big.subarray(at, (at += 1024 * 1024)));
            if (!ok) {
              stalled = true;
              return void res.once('drain', pump);
            }
          }
          res.end(() => (sentAll = true));
        };
        return pump();
      }
      if (req.url === '/chunked') {
        res.write('one,');
        res.write('two,');
        return res.end('three');
      }
      if (req.method === 'HEAD') {
        // A length for a body HEAD does not carry: the proxy must not wait for it.
        res.writeHead(200, { 'content-length': 11 });
        return res.end();
      }
      if (req.url === '/empty') {
        res.writeHead(204);
        return res.end();
      }
      if (req.url === '/bye') {
        // The target closes its kept-alive connection after answering.
        res.setHeader('connection', 'close');
        return res.end('bye');
      }
      res.end(`app ${req.method} ${req.url}`);
    });
    // A target that frames its body by closing the connection (no length, not chunked).
    raw = createServer((s) => {
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end'));
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    url = (await createAlb(sw, 'fast', { web: [app] }, (g) => forwardTo(g.web))).url;
    const rawTarget = { server: raw, port: (raw.address() as AddressInfo).port, hits: [], close: async () => {} } as unknown as Target;
    rawUrl = (await createAlb(sw, 'fastraw', { web: [rawTarget] }, (g) => forwardTo(g.web), { HealthCheckPath: '/' })).url;
  });
  afterAll(async () => {
    await sw.close();
    await app.close();
    await new Promise((r) => raw.close(r));
  });

  it('answers pipelined requests in order on one connection', async () => {
    const host = new URL(url).host;
    const reqs = [1, 2, 3].map((i) => `GET /p${i} HTTP/1.1\r\nHost: ${host}\r\n\r\n`).join('');
    const { text, socket } = await exchange(url, reqs, (t) => t.includes('app GET /p3'));
    socket.destroy();
    expect(count(text, 'HTTP/1.1 200 OK')).toBe(3);
    expect(text.indexOf('app GET /p1')).toBeLessThan(text.indexOf('app GET /p2'));
    expect(text.indexOf('app GET /p2')).toBeLessThan(text.indexOf('app GET /p3'));
  });

  it('relays chunked, empty (204) and HEAD responses with their framing, and keeps the connection usable', async () => {
    const host = new URL(url).host;
    const chunked = await exchange(url, `GET /chunked HTTP/1.1\r\nHost: ${host}\r\n\r\n`, (t) => t.endsWith('0\r\n\r\n'));
    expect(chunked.text.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(chunked.text).toMatch(/one,\r\n[\s\S]*two,\r\n[\s\S]*three\r\n0\r\n\r\n$/);
    const empty = await exchange(url, `GET /empty HTTP/1.1\r\nHost: ${host}\r\n\r\n`, (t) => t.includes('\r\n\r\n'), chunked.socket);
    expect(empty.text).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    const head = await exchange(url, `HEAD /x HTTP/1.1\r\nHost: ${host}\r\n\r\n`, (t) => t.includes('\r\n\r\n'), chunked.socket);
    expect(head.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 11\r\n/i);
    expect(head.text.endsWith('\r\n\r\n')).toBe(true);
    const after = await exchange(url, `GET /after HTTP/1.1\r\nHost: ${host}\r\n\r\n`, (t) => t.includes('app GET /after'), chunked.socket);
    expect(after.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    chunked.socket.destroy();
  });

  it('hands a connection to node:http at a request with a body, with nothing lost from the pipeline', async () => {
    const host = new URL(url).host;
    const payload = `GET /first HTTP/1.1\r\nHost: ${host}\r\n\r\n` + `POST /up HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\n\r\nhello` + `GET /third HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
    const { text, socket } = await exchange(url, payload, (t) => t.includes('app GET /third'));
    socket.destroy();
    expect(count(text, 'HTTP/1.1 200 OK')).toBe(3);
    expect(text.indexOf('app GET /first')).toBeLessThan(text.indexOf('posted hello'));
    expect(text.indexOf('posted hello')).toBeLessThan(text.indexOf('app GET /third'));
  });

  it('closes after a Connection: close request, and survives a target closing its kept-alive connection', async () => {
    const host = new URL(url).host;
    const closing = await exchange(url, `GET /last HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, () => false);
    expect(closing.text).toContain('app GET /last');
    expect(closing.text.toLowerCase()).toContain('connection: close');
    for (let i = 0; i < 5; i++) {
      const r = await get(`${url}/bye`);
      expect([r.status, r.body]).toEqual([200, 'bye']);
      expect((await get(`${url}/next${i}`)).body).toBe(`app GET /next${i}`);
    }
  });

  it('relays a body that the target ends by closing, then closes the client connection', async () => {
    const host = new URL(rawUrl).host;
    const { text } = await exchange(rawUrl, `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`, () => false);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(text.endsWith('\r\n\r\nuntil the end')).toBe(true);
  });

  it('streams a large body to a client that starts reading late: the target waits, and every byte arrives', async () => {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    socket.pause();
    socket.write(`GET /big HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`);
    await vi.waitFor(() => expect(stalled).toBe(true), { timeout: 10_000 });
    // 48 MB is more than the socket buffers between them hold: the target cannot be done while the client waits.
    expect(sentAll).toBe(false);
    const hash = createHash('sha256');
    let head = '';
    let bodyBytes = 0;
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (d: Buffer) => {
        if (!head.endsWith('\r\n\r\n') || bodyBytes === 0) {
          const text = head + d.toString('latin1');
          const end = text.indexOf('\r\n\r\n');
          if (end < 0) return void (head = text);
          head = text.slice(0, end + 4);
          d = d.subarray(d.length - (text.length - end - 4));
        }
        hash.update(d);
        bodyBytes += d.length;
        if (bodyBytes >= big.length) resolve();
      });
      socket.on('error', reject);
      socket.resume();
    });
    socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 50331648\r\n/i);
    expect([bodyBytes, hash.digest('hex')]).toEqual([big.length, createHash('sha256').update(big).digest('hex')]);
  });
});
