import type { Readable } from 'node:stream';

/** An HTTP request as the codecs see it: headers lower-cased, body read or left as a stream. */
export interface WireRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Readonly<Record<string, string>>;
  /** The whole body, once read. Empty while `stream` is set. */
  body: Buffer;
  /** The unread body of an operation with a streaming payload (S3 PutObject). */
  stream?: Readable;
}

export interface WireResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body?: string | Buffer | Uint8Array | Readable;
}

export function header(req: WireRequest, name: string): string | undefined {
  return req.headers[name];
}
