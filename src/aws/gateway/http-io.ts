import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { ServiceError } from '../../core/errors.js';
import type { WireResponse } from '../protocol/wire.js';

/** Splits a request target into its raw path (still percent-encoded) and query string. */
export function splitUrl(url: string | undefined): { path: string; rawQuery: string } {
  let target = url ?? '/';
  if (!target.startsWith('/')) {
    // absolute-form (a client configured with Slipway as its proxy)
    const m = /^[a-z]+:\/\/[^/]*(\/.*)?$/i.exec(target);
    target = m?.[1] ?? '/';
  }
  const q = target.indexOf('?');
  return q < 0 ? { path: target, rawQuery: '' } : { path: target.slice(0, q), rawQuery: target.slice(q + 1) };
}

/**
 * Node joins repeated request headers into one string; only set-cookie stays a list, and
 * it is the one header no AWS request carries, so it alone needs flattening.
 */
export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  if (headers['set-cookie'] !== undefined) return { ...headers, 'set-cookie': headers['set-cookie'].join(', ') } as Record<string, string>;
  return headers as Record<string, string>;
}

/** Reads a whole request body, refusing bodies over `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return reject(tooLarge(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError('RequestEntityTooLarge', `The request body is larger than the ${limit} bytes Slipway accepts for this operation.`, {
    statusCode: 413,
  });
}

/** Writes a codec's response, streaming bodies that are streams. */
export function sendResponse(res: ServerResponse, response: WireResponse): void {
  const body = response.body;
  const headers = response.headers;
  if (body instanceof Readable) {
    res.writeHead(response.statusCode, headers);
    body.once('error', () => res.destroy());
    // pipe() leaves the source open when the client goes away: close it (open files; event streams never end on their own).
    res.once('close', () => {
      if (!body.readableEnded) body.destroy();
    });
    body.pipe(res);
    return;
  }
  // A string body goes out in the same write as the headers; a Buffer would cost a writev.
  if (!('content-length' in headers)) {
    headers['content-length'] = String(body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  }
  res.writeHead(response.statusCode, headers);
  res.end(body);
}
