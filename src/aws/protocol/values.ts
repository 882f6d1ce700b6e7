import { isUtf8 } from 'node:buffer';
import type { Shape, TimestampFormat, MemberRef } from '../models/shapes.js';
import { ServiceError } from '../../core/errors.js';

/** Parses an ISO 8601, RFC 822/7231 or epoch-seconds timestamp; undefined when it is none. */
export function parseTimestamp(value: string | number): Date | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value * 1000) : undefined;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000);
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'string') return parseTimestamp(value);
  return undefined;
}

/** Formats a timestamp for the wire. ISO 8601 drops milliseconds when there are none, as AWS does. */
export function formatTimestamp(value: unknown, format: TimestampFormat): string | number {
  const d = toDate(value);
  if (!d) return format === 'unixTimestamp' ? 0 : '';
  switch (format) {
    case 'unixTimestamp':
      return d.getTime() / 1000;
    case 'rfc822':
      return d.toUTCString();
    default: {
      const iso = d.toISOString();
      return d.getUTCMilliseconds() === 0 ? iso.replace('.000Z', 'Z') : iso;
    }
  }
}

export function timestampFormatOf(ref: MemberRef | undefined, shape: Shape, fallback: TimestampFormat): TimestampFormat {
  return ref?.timestampFormat ?? shape.timestampFormat ?? fallback;
}

export function toBytes(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.alloc(0);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function decodeBase64(text: string, where: string, code: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw new ServiceError(code, `Value at '${where}' is not valid base64.`, { statusCode: 400 });
  return Buffer.from(compact, 'base64');
}

/** Decodes UTF-8, refusing invalid byte sequences instead of replacing them. */
export function decodeUtf8(bytes: Uint8Array, code: string): string {
  if (!isUtf8(bytes)) throw new ServiceError(code, 'The request body is not valid UTF-8.', { statusCode: 400 });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

/** decodeURIComponent that answers undefined for malformed escapes instead of throwing. */
export function tryDecodeUri(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
