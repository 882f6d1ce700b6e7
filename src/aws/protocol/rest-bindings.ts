import { Readable } from 'node:stream';
import { ServiceError } from '../../core/errors.js';
import type { ServiceModel } from '../models/service-model.js';
import type { MemberRef, OperationModel, Shape } from '../models/shapes.js';
import { decodeBase64, formatTimestamp, isPlainObject, parseTimestamp, timestampFormatOf, toBytes } from './values.js';
import type { WireRequest } from './wire.js';
import { scalarText } from './xml-writer.js';

/**
 * The HTTP bindings of the REST protocols: members bound to URI labels, query parameters
 * and headers, and the payload member. The body format (JSON or XML) is the codec's.
 */

function scalarFromText(shape: Shape, ref: MemberRef, text: string, where: string): unknown {
  const bad = (what: string) => new ServiceError('SerializationException', `Value '${text.slice(0, 100)}' of ${where} is not ${what}.`, { statusCode: 400 });
  switch (shape.type) {
    case 'integer':
    case 'long':
      if (!/^\s*[-+]?\d+\s*$/.test(text)) throw bad('an integer');
      return Number(text);
    case 'float':
    case 'double': {
      const n = Number(text);
      if (text.trim() === '' || (Number.isNaN(n) && text !== 'NaN')) throw bad('a number');
      return n;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw bad('a boolean');
      return text === 'true';
    case 'timestamp':
      return parseTimestamp(text) ?? (() => { throw bad('a timestamp'); })();
    case 'blob':
      return decodeBase64(text, where, 'SerializationException');
    case 'string':
      if (ref.jsonvalue) {
        try {
          return JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
        } catch {
          throw bad('base64-encoded JSON');
        }
      }
      return text;
    default:
      return text;
  }
}

/** Reads the URI, query and header bindings of an input shape. */
export function readBindings(model: ServiceModel, shape: Shape, req: WireRequest, labels: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const boundQuery = new Set<string>();
  for (const ref of Object.values(shape.members ?? {})) {
    if (ref.location === 'querystring' && ref.locationName) boundQuery.add(ref.locationName);
  }
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const target = model.resolve(ref);
    const wire = ref.locationName ?? name;
    switch (ref.location) {
      case 'uri':
        if (labels[wire] !== undefined) out[name] = scalarFromText(target, ref, labels[wire], `the URI label ${wire}`);
        break;
      case 'querystring': {
        if (target.type === 'map') {
          const map: Record<string, unknown> = {};
          const listValues = model.resolve(target.value!).type === 'list';
          for (const key of new Set(req.query.keys())) if (!boundQuery.has(key)) map[key] = listValues ? req.query.getAll(key) : req.query.get(key);
          if (Object.keys(map).length) out[name] = map;
        } else if (target.type === 'list') {
          const all = req.query.getAll(wire);
          if (all.length) out[name] = all.map((t) => scalarFromText(model.resolve(target.member!), target.member!, t, `the query parameter ${wire}`));
        } else if (req.query.has(wire)) {
          out[name] = scalarFromText(target, ref, req.query.get(wire)!, `the query parameter ${wire}`);
        }
        break;
      }
      case 'header': {
        const text = req.headers[wire.toLowerCase()];
        if (text === undefined) break;
        if (target.type === 'list') {
          out[name] = splitHeaderList(text).map((t) => scalarFromText(model.resolve(target.member!), target.member!, t, `the header ${wire}`));
        } else out[name] = scalarFromText(target, ref, text, `the header ${wire}`);
        break;
      }
      case 'headers': {
        const prefix = wire.toLowerCase();
        const map: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (k.startsWith(prefix)) map[k.slice(prefix.length)] = v;
        if (Object.keys(map).length) out[name] = map;
        break;
      }
    }
  }
  return out;
}

function splitHeaderList(text: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m[0] !== '') {
    const item = m[1].startsWith('"') ? m[1].slice(1, -1).replace(/\\(.)/g, '$1') : m[1].trim();
    if (item !== '') out.push(item);
  }
  return out;
}

/** Writes the header bindings of an output (or error) shape; returns the status code a member sets. */
export function writeBindings(
  model: ServiceModel,
  shape: Shape,
  value: Record<string, unknown>,
  headers: Record<string, string | string[]>,
): number | undefined {
  let status: number | undefined;
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    const target = model.resolve(ref);
    const wire = (ref.locationName ?? name).toLowerCase();
    if (ref.location === 'statusCode') status = Number(v);
    else if (ref.location === 'header') headers[wire] = headerText(model, target, ref, v);
    else if (ref.location === 'headers' && isPlainObject(v)) {
      for (const [k, hv] of Object.entries(v)) headers[`${wire}${k.toLowerCase()}`] = clean(String(hv));
    }
  }
  return status;
}

function headerText(model: ServiceModel, shape: Shape, ref: MemberRef, value: unknown): string {
  if (shape.type === 'list' && Array.isArray(value)) {
    const member = shape.member!;
    return value.map((v) => headerText(model, model.resolve(member), member, v)).join(', ');
  }
  if (shape.type === 'timestamp') return String(formatTimestamp(value, timestampFormatOf(ref, shape, 'rfc822')));
  if (shape.type === 'string' && ref.jsonvalue) return Buffer.from(JSON.stringify(value)).toString('base64');
  return clean(scalarText(shape, ref, value));
}

/** Header values cannot carry line breaks or other control characters. */
function clean(text: string): string {
  return text.replace(/[\r\n\0]/g, ' ');
}

/** The member bound to the body as a whole, if the shape names one. */
export function payloadMember(shape: Shape | undefined): { name: string; ref: MemberRef } | undefined {
  if (!shape?.payload) return undefined;
  const ref = shape.members?.[shape.payload];
  return ref ? { name: shape.payload, ref } : undefined;
}

export function isStreamingInput(model: ServiceModel, op: OperationModel): boolean {
  const payload = payloadMember(model.inputShape(op));
  if (!payload) return false;
  const target = model.resolve(payload.ref);
  return target.type === 'blob' && (target.streaming === true || payload.ref.streaming === true);
}

/** A blob or string payload's bytes: buffered, or the stream itself for streaming outputs. */
export function rawPayload(value: unknown): Buffer | Readable | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Readable) return value;
  return toBytes(value);
}
