import type { ServiceError } from '../../core/errors.js';
import type { ServiceModel } from '../models/service-model.js';
import type { MemberRef, OperationModel, Protocol, Shape } from '../models/shapes.js';
import type { Codec, CodecContext } from './codec.js';
import { isStreamingInput, payloadMember, rawPayload, readBindings, writeBindings } from './rest-bindings.js';
import { matchRoute, type RouteMatch } from './rest-router.js';
import { decodeUtf8, isPlainObject } from './values.js';
import type { WireRequest, WireResponse } from './wire.js';

const matches = new WeakMap<WireRequest, Map<ServiceModel, RouteMatch | null>>();

/** The route a request takes through a model, matched once per request and model. */
export function routeOf(model: ServiceModel, req: WireRequest): RouteMatch | undefined {
  let perModel = matches.get(req);
  if (!perModel) matches.set(req, (perModel = new Map()));
  let m = perModel.get(model);
  if (m === undefined) {
    m = matchRoute(model, req) ?? null;
    perModel.set(model, m);
  }
  return m ?? undefined;
}

/** How a REST protocol writes structures into bodies: JSON for rest-json, XML for rest-xml. */
export interface RestBodyFormat {
  contentType: string;
  /** Decodes the body members of an input shape (no payload member). */
  decodeMembers(model: ServiceModel, shape: Shape, body: Buffer, op: OperationModel): Record<string, unknown>;
  /** Decodes a structure bound as the payload. */
  decodePayload(model: ServiceModel, shape: Shape, body: Buffer): Record<string, unknown>;
  /** Encodes the body members of an output shape, or a structure payload, as element `root` in XML. */
  encode(model: ServiceModel, ref: MemberRef, value: Record<string, unknown>, root: string): string;
  error(model: ServiceModel, op: OperationModel | undefined, error: ServiceError, ctx: CodecContext, req?: { method: string }): WireResponse;
  requestIdHeaders(ctx: CodecContext): Record<string, string>;
}

function hasBodyMembers(shape: Shape): boolean {
  return Object.values(shape.members ?? {}).some((m) => !m.location);
}

export function makeRestCodec(protocol: Protocol, format: RestBodyFormat): Codec {
  return {
    protocol,

    operationOf(model, req) {
      return routeOf(model, req)?.op.name;
    },

    streamsInput: isStreamingInput,

    parseInput(model, op, req) {
      const shape = model.inputShape(op);
      if (!shape) return {};
      const input = readBindings(model, shape, req, routeOf(model, req)?.labels ?? {});
      const payload = payloadMember(shape);
      if (payload) {
        const target = model.resolve(payload.ref);
        if (target.type === 'blob') {
          if (req.stream) input[payload.name] = req.stream;
          else if (req.body.length > 0) input[payload.name] = req.body;
        } else if (req.body.length > 0) {
          input[payload.name] = target.type === 'string' ? decodeUtf8(req.body, 'SerializationException') : format.decodePayload(model, target, req.body);
        }
      } else if (req.body.length > 0 && hasBodyMembers(shape)) {
        Object.assign(input, format.decodeMembers(model, shape, req.body, op));
      }
      return input;
    },

    serializeOutput(model, op, output, ctx) {
      const headers: Record<string, string | string[]> = format.requestIdHeaders(ctx);
      let statusCode = op.http?.responseCode ?? 200;
      const shape = model.outputShape(op);
      const value = isPlainObject(output) ? output : {};
      let body: WireResponse['body'];
      if (shape) {
        statusCode = writeBindings(model, shape, value, headers) ?? statusCode;
        const payload = payloadMember(shape);
        if (payload) {
          const target = model.resolve(payload.ref);
          const v = value[payload.name];
          if (target.type === 'blob') body = rawPayload(v);
          else if (target.type === 'string') body = v === undefined ? undefined : String(v);
          else if (isPlainObject(v)) {
            body = format.encode(model, payload.ref, v, payload.ref.locationName ?? target.locationName ?? payload.name);
            headers['content-type'] = format.contentType;
          }
        } else if (hasBodyMembers(shape)) {
          body = format.encode(model, op.output!, value, shape.locationName ?? op.output?.locationName ?? `${op.name}Result`);
          headers['content-type'] = format.contentType;
        }
      }
      return { statusCode, headers, body };
    },

    serializeError(model, op, error, ctx) {
      return format.error(model, op, error, ctx);
    },
  };
}
