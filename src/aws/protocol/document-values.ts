import { ServiceError } from '../../core/errors.js';
import type { ServiceModel } from '../models/service-model.js';
import type { MemberRef, Shape } from '../models/shapes.js';
import { decodeBase64, formatTimestamp, isPlainObject, parseTimestamp, timestampFormatOf, toBytes } from './values.js';

/**
 * Converts between parsed JSON or CBOR documents and Slipway's value forms (Date for
 * timestamps, Buffer for blobs), walking the model's shapes. JSON carries timestamps as
 * epoch seconds and blobs as base64; CBOR carries both natively. The rest-json flavor is
 * JSON whose top-level members bound to the URI, query or headers stay out of the body.
 */
export type DocumentFlavor = 'json' | 'cbor' | 'rest-json';

export class DecodeError extends ServiceError {
  constructor(message: string) {
    super('SerializationException', message, { statusCode: 400 });
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Date) return 'a timestamp';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'bigint') return `integer ${v}`.slice(0, 80);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${JSON.stringify(v)}`.slice(0, 80);
  return typeof v;
}

function fail(path: string, expected: string, got: unknown): never {
  throw new DecodeError(`Expected ${expected} at '${path || '(root)'}' but found ${describe(got)}.`);
}

export function decodeDocument(
  model: ServiceModel,
  shape: Shape,
  value: unknown,
  path: string,
  flavor: DocumentFlavor,
  ref?: MemberRef,
): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.type) {
    case 'structure': {
      if (shape.document) return value;
      if (!isPlainObject(value)) fail(path, 'an object', value);
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        if (member.location && flavor === 'rest-json') continue;
        const wireName = member.locationName ?? name;
        if (!Object.hasOwn(value, wireName)) continue;
        const v = decodeDocument(model, model.resolve(member), value[wireName], join(path, name), flavor, member);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) fail(path, 'a list', value);
      const member = shape.member!;
      const target = model.resolve(member);
      return value.map((item, i) => decodeDocument(model, target, item, `${path}[${i}]`, flavor, member)).filter((v) => v !== undefined);
    }
    case 'map': {
      if (!isPlainObject(value)) fail(path, 'a map', value);
      const target = model.resolve(shape.value!);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const d = decodeDocument(model, target, v, `${path}.${k}`, flavor, shape.value);
        if (d !== undefined) out[k] = d;
      }
      return out;
    }
    case 'string':
      if (typeof value !== 'string') fail(path, 'a string', value);
      if (ref?.jsonvalue) return parseJsonValue(value, path);
      return value;
    case 'integer':
    case 'long':
      if (typeof value === 'bigint') return Number(value);
      if (typeof value !== 'number' || !Number.isInteger(value)) fail(path, 'an integer', value);
      return value;
    case 'float':
    case 'double':
    case 'bigdecimal':
    case 'biginteger':
      if (typeof value === 'number') return value;
      if (value === 'NaN') return NaN;
      if (value === 'Infinity') return Infinity;
      if (value === '-Infinity') return -Infinity;
      return fail(path, 'a number', value);
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, 'a boolean', value);
      return value;
    case 'timestamp': {
      if (value instanceof Date) return value;
      if (typeof value !== 'number' && typeof value !== 'string') fail(path, 'a timestamp', value);
      return parseTimestamp(value) ?? fail(path, 'a timestamp', value);
    }
    case 'blob':
      if (flavor === 'cbor' && value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (typeof value !== 'string') fail(path, flavor === 'cbor' ? 'a byte string' : 'a base64 string', value);
      return decodeBase64(value, path, 'SerializationException');
    default:
      return value;
  }
}

function parseJsonValue(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DecodeError(`Value at '${path}' is not valid JSON.`);
  }
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

interface MemberEntry {
  name: string;
  wire: string;
  member: MemberRef;
  target: Shape;
}

/** A structure's members with their targets resolved, built once per shape: outputs of thousands of items walk it per item. */
const memberTables = new WeakMap<Shape, MemberEntry[]>();

function memberTable(model: ServiceModel, shape: Shape): MemberEntry[] {
  let table = memberTables.get(shape);
  if (!table) {
    table = Object.entries(shape.members ?? {}).map(([name, member]) => ({ name, wire: member.locationName ?? name, member, target: model.resolve(member) }));
    memberTables.set(shape, table);
  }
  return table;
}

/** Builds the JSON or CBOR document for an output value; only modeled members are written. */
export function encodeDocument(model: ServiceModel, shape: Shape, value: unknown, flavor: DocumentFlavor, ref?: MemberRef): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.type) {
    case 'structure': {
      if (shape.document) return value;
      if (!isPlainObject(value)) return undefined;
      const out: Record<string, unknown> = {};
      for (const m of memberTable(model, shape)) {
        if (m.member.location && flavor === 'rest-json') continue;
        const v = value[m.name];
        if (v === null || v === undefined) continue;
        const e = encodeDocument(model, m.target, v, flavor, m.member);
        if (e !== undefined) out[m.wire] = e;
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) return undefined;
      const target = model.resolve(shape.member!);
      return value.map((item) => encodeDocument(model, target, item, flavor, shape.member) ?? null);
    }
    case 'map': {
      if (!isPlainObject(value)) return undefined;
      const target = model.resolve(shape.value!);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const e = encodeDocument(model, target, v, flavor, shape.value);
        if (e !== undefined) out[k] = e;
      }
      return out;
    }
    case 'string':
      if (ref?.jsonvalue) return JSON.stringify(value);
      return typeof value === 'string' ? value : String(value);
    case 'integer':
    case 'long':
      return typeof value === 'number' ? Math.trunc(value) : Number(value);
    case 'float':
    case 'double':
      if (typeof value !== 'number') return Number(value);
      if (flavor !== 'cbor' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
      return value;
    case 'boolean':
      return Boolean(value);
    case 'timestamp': {
      const format = timestampFormatOf(ref, shape, 'unixTimestamp');
      if (flavor === 'cbor' && format === 'unixTimestamp') return value instanceof Date ? value : new Date(Number(formatTimestamp(value, 'unixTimestamp')) * 1000);
      return formatTimestamp(value, format);
    }
    case 'blob':
      if (flavor !== 'cbor') return toBytes(value).toString('base64');
      // A plain Uint8Array: CBOR encoders write a Buffer as the object its toJSON returns.
      const bytes = toBytes(value);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    default:
      return value;
  }
}
