import type { Shape } from '../models/shapes.js';
import { decodeDocument, encodeDocument } from './document-values.js';
import { jsonError, parseJsonBody } from './json.js';
import { makeRestCodec } from './rest.js';

/** REST-JSON: HTTP bindings plus a JSON body (Lambda, API Gateway, X-Ray, CodeArtifact). */
export const restJsonCodec = makeRestCodec('rest-json', {
  contentType: 'application/json',
  decodeMembers: (model, shape, body) => decodeDocument(model, shape, parseJsonBody(body), '', 'rest-json') as Record<string, unknown>,
  decodePayload: (model, shape: Shape, body) => decodeDocument(model, shape, parseJsonBody(body), '', 'json') as Record<string, unknown>,
  encode: (model, ref, value) => JSON.stringify(encodeDocument(model, model.resolve(ref), value, 'rest-json') ?? {}),
  error: (model, _op, error, ctx) => jsonError(model, error, ctx, 'application/json'),
  requestIdHeaders: (ctx) => ({ 'x-amzn-requestid': ctx.requestId }),
});
