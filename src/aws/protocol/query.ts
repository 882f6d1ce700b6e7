import { ServiceError } from '../../core/errors.js';
import type { ServiceModel } from '../models/service-model.js';
import type { Codec } from './codec.js';
import { resolveError } from './error-shape.js';
import { paramTree, QueryDecoder, type QueryFlavor } from './query-params.js';
import { decodeUtf8, isPlainObject } from './values.js';
import type { WireRequest } from './wire.js';
import { escapeText, XmlWriter } from './xml-writer.js';

const forms = new WeakMap<WireRequest, URLSearchParams>();

/** The parameters of a query-protocol request: the form body, or the URL query of a GET. */
export function queryParams(req: WireRequest): URLSearchParams {
  let params = forms.get(req);
  if (!params) {
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    params = isForm && req.body.length > 0 ? new URLSearchParams(decodeUtf8(req.body, 'MalformedQueryString')) : req.query;
    forms.set(req, params);
  }
  return params;
}

export function namespaceOf(model: ServiceModel): string {
  return model.cached('xml-namespace', () => model.metadata.xmlNamespace ?? `https://${model.metadata.endpointPrefix}.amazonaws.com/doc/${model.metadata.apiVersion}/`);
}

function makeQueryCodec(flavor: QueryFlavor): Codec {
  const validationCode = flavor === 'ec2' ? 'InvalidParameterValue' : 'MalformedQueryString';
  return {
    protocol: flavor,

    operationOf(_model, req) {
      return queryParams(req).get('Action') ?? undefined;
    },

    streamsInput: () => false,

    parseInput(model, op, req) {
      const shape = model.inputShape(op);
      if (!shape?.members || Object.keys(shape.members).length === 0) return {};
      return new QueryDecoder(model, flavor, validationCode).structure(shape, paramTree(queryParams(req)), '');
    },

    serializeOutput(model, op, output, ctx) {
      const w = new XmlWriter(model);
      const ns = namespaceOf(model);
      const shape = model.outputShape(op);
      const value = isPlainObject(output) ? output : {};
      w.raw(`<${op.name}Response xmlns="${ns}">`);
      if (flavor === 'ec2') {
        w.raw(`<requestId>${ctx.requestId}</requestId>`);
        if (shape) w.members(shape, value);
      } else {
        const wrapper = op.output?.resultWrapper;
        if (wrapper) w.raw(`<${wrapper}>`);
        if (shape) w.members(shape, value);
        if (wrapper) w.raw(`</${wrapper}>`);
        w.raw(`<ResponseMetadata><RequestId>${ctx.requestId}</RequestId></ResponseMetadata>`);
      }
      w.raw(`</${op.name}Response>`);
      return { statusCode: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId }, body: w.toString() };
    },

    serializeError(model, _op, error, ctx) {
      const resolved = resolveError(model, error);
      const w = new XmlWriter(model);
      const fields = (w: XmlWriter) => {
        if (!resolved.shape) return;
        const extra = Object.fromEntries(Object.entries(error.fields).filter(([k]) => k.toLowerCase() !== 'message'));
        w.members(resolved.shape, extra);
      };
      if (flavor === 'ec2') {
        w.raw(`<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeText(resolved.code)}</Code>`);
        w.raw(`<Message>${escapeText(error.message)}</Message>`);
        fields(w);
        w.raw(`</Error></Errors><RequestID>${ctx.requestId}</RequestID></Response>`);
      } else {
        w.raw(`<ErrorResponse xmlns="${escapeText(namespaceOf(model))}"><Error>`);
        w.raw(`<Type>${resolved.senderFault ? 'Sender' : 'Receiver'}</Type><Code>${escapeText(resolved.code)}</Code>`);
        w.raw(`<Message>${escapeText(error.message)}</Message>`);
        fields(w);
        w.raw(`</Error><RequestId>${ctx.requestId}</RequestId></ErrorResponse>`);
      }
      return {
        statusCode: resolved.statusCode,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId, ...error.headers },
        body: w.toString(),
      };
    },
  };
}

export const queryCodec = makeQueryCodec('query');
export const ec2Codec = makeQueryCodec('ec2');

export function missingAction(): ServiceError {
  return new ServiceError('MissingAction', 'The request must contain the parameter Action.', { statusCode: 400 });
}
