import { createHash, randomBytes } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createAlb, forwardTo, startTarget, type Target } from './helpers.js';

const MB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('ELBv2 proxy: streaming and WebSockets', () => {
  let sw: TestSlipway;
  let app: Target;
  let url: string;
  const download = randomBytes(24 * MB);

  beforeAll(async () => {
    sw = await startSlipway({ clock: new ManualClock(), elbPorts: 'ephemeral' });
    app = await startTarget('app', (req, res) => {
      if (req.method === 'POST') {
        // Hashes the upload as it streams in and answers with its digest and size.
        const hash = createHash('sha256');
        let size = 0;
        req.on('data', (c: Buffer) => {
          hash.update(c);
          size += c.length;
        });
        req.on('end', () => res.end(JSON.stringify({ sha: hash.digest('hex'), size })));
        return;
      }
      if (req.url === '/download') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let i = 0; i < download.length; i += MB) res.write(download.subarray(i, i + MB));
        return res.end();
      }
      res.end('ok');
    });
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Path: ${req.url}\r\n\r\n`);
      socket.on('data', (d: Buffer) => socket.write(`echo:${d.toString()}`));
      socket.on('end', () => socket.end());
    });
    url = (await createAlb(sw, 'streams', { web: [app] }, (g) => forwardTo(g.web))).url;
  });
  afterAll(async () => {
    await sw.close();
    await app.close();
  });

  it('streams a large upload to the target and a large download back, byte for byte', async () => {
    const upload = randomBytes(32 * MB);
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(`${url}/upload`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      for (let i = 0; i < upload.length; i += MB) req.write(upload.subarray(i, i + MB)); // chunked, no content-length
      req.end();
    });
    expect(JSON.parse(answer)).toEqual({ sha: sha(upload), size: upload.length });
    const got = Buffer.from(await (await fetch(`${url}/download`)).arrayBuffer());
    expect(got.length).toBe(download.length);
    expect(sha(got)).toBe(sha(download));
  });

  it('passes a WebSocket upgrade through and relays frames both ways', async () => {
    const { res, socket } = await new Promise<{ res: IncomingMessage; socket: Duplex }>((resolve, reject) => {
      const req = request(`${url}/chat`, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
      req.on('upgrade', (r, s) => resolve({ res: r, socket: s }));
      req.on('response', (r) => reject(new Error(`no upgrade: ${r.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(101);
    expect(res.headers['x-path']).toBe('/chat');
    const reply = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
    socket.write('ping');
    expect(await reply).toBe('echo:ping');
    socket.destroy();
  });
});
