import type { ServerResponse } from 'node:http';
import type { HttpRoute } from './aws/gateway/pipeline.js';

interface Controls {
  health(): object;
  reset(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Slipway's own endpoints under /_slipway: health and, for tests, reset. */
export function internalRoutes(slipway: Controls): HttpRoute[] {
  return [
    {
      matches: (_method, path) => path === '/_slipway' || path.startsWith('/_slipway/'),
      async handle(req, res, path) {
        const method = req.method ?? 'GET';
        req.resume();
        if (path === '/_slipway/health' && (method === 'GET' || method === 'HEAD')) return json(res, 200, slipway.health());
        if (path === '/_slipway/reset' && method === 'POST') {
          await slipway.reset();
          return json(res, 200, { status: 'reset' });
        }
        json(res, 404, { __type: 'NotFound', message: `No Slipway endpoint ${method} ${path}. Try GET /_slipway/health or POST /_slipway/reset.` });
      },
    },
  ];
}
