import { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse } from '@smithy/types';
import { readSignature } from '../../src/aws/gateway/auth.js';
import { detectByHeaders, detectQuery, detectRest, looksLikeQuery } from '../../src/aws/gateway/detect.js';
import { loadModel } from '../../src/aws/models/index.js';
import { codecFor } from '../../src/aws/protocol/index.js';
import type { WireRequest } from '../../src/aws/protocol/wire.js';
import { ServiceError } from '../../src/core/errors.js';

export interface Captured {
  service: string;
  protocol: string;
  operation: string;
  input: Record<string, unknown>;
  wire: WireRequest;
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks);
  }
  throw new Error(`unexpected SDK body type ${typeof body}`);
}

/**
 * An SDK request handler that runs the SDK's serialized request through Slipway's own
 * detection and codec, and answers with the codec's serialization of a chosen output or
 * error: the SDK is the oracle for both directions, with no network in between.
 */
export class OracleHandler {
  captured: Captured | undefined;
  private reply: unknown = {};

  /** The output (or ServiceError) the next request is answered with. */
  respond(reply: unknown): this {
    this.reply = reply;
    return this;
  }

  async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(request.query ?? {})) {
      for (const item of Array.isArray(v) ? v : [v]) query.append(k, item ?? '');
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
    const body = await bodyBytes(request.body);
    const wire: WireRequest = { method: request.method, path: request.path, query, headers, body };
    const sig = readSignature(wire);
    const detected = detectByHeaders(wire) ?? (looksLikeQuery(wire, sig) ? detectQuery(wire, sig) : undefined) ?? detectRest(wire, sig);
    if (!detected) throw new Error(`Slipway could not detect the service of ${request.method} ${request.path}`);
    const model = loadModel(detected.service);
    const codec = codecFor(detected.protocol);
    const opName = codec.operationOf(model, wire);
    const op = opName ? model.operation(opName) : undefined;
    if (!op) throw new Error(`no operation for ${request.method} ${request.path} in ${detected.service}`);
    if (codec.streamsInput(model, op)) {
      wire.stream = Readable.from([body]);
      wire.body = Buffer.alloc(0);
    }
    const input = codec.parseInput(model, op, wire);
    this.captured = { service: detected.service, protocol: detected.protocol, operation: op.name, input, wire };
    const out =
      this.reply instanceof ServiceError
        ? codec.serializeError(model, op, this.reply, { requestId: 'req-oracle' })
        : codec.serializeOutput(model, op, this.reply, { requestId: 'req-oracle' });
    const resHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.headers)) resHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
    const resBody = out.body instanceof Readable ? out.body : Readable.from([Buffer.from(typeof out.body === 'string' ? out.body : (out.body ?? new Uint8Array()))]);
    return { response: { statusCode: out.statusCode, headers: resHeaders, body: resBody } };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}

export function oracleConfig(handler: OracleHandler, region = 'us-east-1') {
  return {
    region,
    endpoint: 'http://localhost:4566',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: handler,
    forcePathStyle: true,
    maxAttempts: 1,
  };
}

/** Comparable form of values: bytes as hex, dates as ISO text, no undefined members. */
export function normalize(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata') continue;
      const n = normalize(v);
      if (n !== undefined) out[k] = n;
    }
    return out;
  }
  return value;
}
