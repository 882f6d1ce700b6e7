import { decode, encode } from 'cbor2';
import { ServiceError } from '../../core/errors.js';
import type { Codec } from './codec.js';
import { decodeDocument, encodeDocument } from './document-values.js';
import { resolveError } from './error-shape.js';
import { tryDecodeUri } from './values.js';

/** Smithy RPC v2 CBOR: POST /service/{Service}/operation/{Operation}, CBOR documents both ways. */

const PATH = /^\/service\/([^/]+)\/operation\/([^/]+)$/;
const CONTENT_TYPE = 'application/cbor';

export function cborPathParts(path: string): { service: string; operation: string } | undefined {
  const m = PATH.exec(path);
  const service = m && tryDecodeUri(m[1]);
  const operation = m && tryDecodeUri(m[2]);
  return service && operation ? { service, operation } : undefined;
}

export const cborCodec: Codec = {
  protocol: 'smithy-rpc-v2-cbor',

  operationOf(_model, req) {
    return cborPathParts(req.path)?.operation;
  },

  streamsInput: () => false,

  parseInput(model, op, req) {
    const shape = model.inputShape(op);
    if (req.body.length === 0 || !shape) return {};
    let doc: unknown;
    try {
      doc = decode(req.body);
    } catch (e) {
      throw new ServiceError('SerializationException', `The request body is not valid CBOR: ${(e as Error).message}`, { statusCode: 400 });
    }
    return decodeDocument(model, shape, doc, '', 'cbor') as Record<string, unknown>;
  },

  serializeOutput(model, op, output, ctx) {
    const shape = model.outputShape(op);
    const doc = shape ? encodeDocument(model, shape, output ?? {}, 'cbor') : {};
    return {
      statusCode: 200,
      headers: { 'content-type': CONTENT_TYPE, 'smithy-protocol': 'rpc-v2-cbor', 'x-amzn-requestid': ctx.requestId },
      body: encode(doc ?? {}),
    };
  },

  serializeError(model, _op, error, ctx) {
    const resolved = resolveError(model, error);
    const fields = resolved.shape ? (encodeDocument(model, resolved.shape, error.fields, 'cbor') as Record<string, unknown>) : {};
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPE,
      'smithy-protocol': 'rpc-v2-cbor',
      'x-amzn-requestid': ctx.requestId,
      ...error.headers,
    };
    if (model.queryCompatible) headers['x-amzn-query-error'] = `${resolved.code};${resolved.senderFault ? 'Sender' : 'Receiver'}`;
    return {
      statusCode: resolved.statusCode,
      headers,
      body: encode({ __type: resolved.typeName, message: error.message, ...fields }),
    };
  },
};

export function isCborRequest(headers: Readonly<Record<string, string>>): boolean {
  return headers['smithy-protocol'] === 'rpc-v2-cbor';
}

