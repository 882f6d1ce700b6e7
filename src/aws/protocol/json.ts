import { ServiceError } from '../../core/errors.js';
import type { ServiceModel } from '../models/service-model.js';
import type { Codec, CodecContext } from './codec.js';
import { decodeDocument, encodeDocument } from './document-values.js';
import { resolveError } from './error-shape.js';
import { eventStreamBody, eventStreamMember } from './event-stream.js';
import { jsonBodyOf } from './json-body.js';
import { decodeUtf8 } from './values.js';
import type { WireResponse } from './wire.js';

/** AWS JSON 1.0 and 1.1: POST /, operation in X-Amz-Target, input and output as JSON documents. */
export const jsonCodec: Codec = {
  protocol: 'json',

  operationOf(_model, req) {
    const target = req.headers['x-amz-target'];
    if (!target) return undefined;
    const dot = target.lastIndexOf('.');
    return dot >= 0 ? target.slice(dot + 1) : undefined;
  },

  streamsInput: () => false,

  parseInput(model, op, req) {
    const doc = parseJsonBody(req.body);
    const shape = model.inputShape(op);
    if (!shape) return {};
    return decodeDocument(model, shape, doc, '', 'json') as Record<string, unknown>;
  },

  serializeOutput(model, op, output, ctx) {
    const shape = model.outputShape(op);
    const stream = eventStreamMember(model, shape);
    const events = stream ? (output as Record<string, unknown> | undefined)?.[stream.name] : undefined;
    if (stream && events && typeof events === 'object' && Symbol.asyncIterator in events) {
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': ctx.requestId },
        body: eventStreamBody(model, stream.shape, events as AsyncIterable<Record<string, unknown>>),
      };
    }
    const body = jsonBodyOf(output) ?? JSON.stringify((shape ? encodeDocument(model, shape, output ?? {}, 'json') : {}) ?? {});
    return {
      statusCode: 200,
      headers: { 'content-type': contentType(model), 'x-amzn-requestid': ctx.requestId },
      body,
    };
  },

  serializeError(model, _op, error, ctx) {
    return jsonError(model, error, ctx, contentType(model));
  },
};

function contentType(model: ServiceModel): string {
  return `application/x-amz-json-${model.metadata.jsonVersion ?? '1.0'}`;
}

/** Parses a JSON request body; an empty body is an empty object. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  const text = decodeUtf8(body, 'SerializationException');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ServiceError('SerializationException', `The request body is not valid JSON: ${(e as Error).message}`, { statusCode: 400 });
  }
}

/** The JSON error body shared by the JSON protocols: __type, message and the modeled fields. */
export function jsonError(model: ServiceModel, error: ServiceError, ctx: CodecContext, type: string): WireResponse {
  const resolved = resolveError(model, error);
  const fields = resolved.shape ? (encodeDocument(model, resolved.shape, error.fields, 'json') as Record<string, unknown>) : {};
  const body: Record<string, unknown> = { __type: resolved.typeName, message: error.message, ...fields };
  const headers: Record<string, string> = {
    'content-type': type,
    'x-amzn-requestid': ctx.requestId,
    'x-amzn-errortype': resolved.typeName,
    ...error.headers,
  };
  if (model.queryCompatible) headers['x-amzn-query-error'] = `${resolved.code};${resolved.senderFault ? 'Sender' : 'Receiver'}`;
  return { statusCode: resolved.statusCode, headers, body: JSON.stringify(body) };
}

