import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sendResponse } from '../../src/aws/gateway/http-io.js';

describe('sendResponse', () => {
  it('destroys a streamed body when the client disconnects before the end', async () => {
    let destroyed!: () => void;
    const gone = new Promise<void>((r) => (destroyed = r));
    const body = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024));
      },
      destroy(err, cb) {
        destroyed();
        cb(err);
      },
    });
    const server = createServer((_req, res) => sendResponse(res, { statusCode: 200, headers: {}, body }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      const req = request({ port, host: '127.0.0.1', path: '/' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    await gone;
    expect(body.destroyed).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
  });
});
