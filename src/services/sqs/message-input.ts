import { ServiceError } from '../../core/errors.js';
import { invalidParameter, missingParameter } from './errors.js';
import { md5OfAttributes, md5OfBody, type AttributeValue } from './md5.js';

/** A message checked and hashed, ready to store. */
export interface PreparedMessage {
  body: string;
  md5Body: string;
  /** Message attributes as JSON (binary values base64), or null when there are none. */
  attributes: string | null;
  md5Attributes: string | undefined;
  systemAttributes: string | null;
  md5System: string | undefined;
}

const ALLOWED_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const TYPE = /^(String|Number|Binary)(\.[^\s]{1,})?$/;

/** Checks a message body, its attributes and its size against the queue's MaximumMessageSize. */
export function prepareMessage(
  body: string | undefined,
  attributes: Record<string, AttributeValue> | undefined,
  system: Record<string, AttributeValue> | undefined,
  maxSize: number,
): PreparedMessage {
  if (body === undefined || body === '') throw missingParameter('MessageBody');
  const bad = ALLOWED_CHARS.exec(body);
  if (bad) {
    throw new ServiceError(
      'InvalidMessageContents',
      `Invalid binary character '#x${bad[0].codePointAt(0)!.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
      { statusCode: 400 },
    );
  }
  const attrs = attributes ?? {};
  let size = Buffer.byteLength(body, 'utf8');
  size += checkAttributes(attrs);
  if (size > maxSize) throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
  const sys = checkSystemAttributes(system ?? {});
  return {
    body,
    md5Body: md5OfBody(body),
    attributes: Object.keys(attrs).length ? encodeAttributes(attrs) : null,
    md5Attributes: md5OfAttributes(attrs),
    systemAttributes: Object.keys(sys).length ? encodeAttributes(sys) : null,
    md5System: md5OfAttributes(sys),
  };
}

/** Validates user message attributes and returns the bytes they add to the message size. */
function checkAttributes(attrs: Record<string, AttributeValue>): number {
  const names = Object.keys(attrs);
  if (names.length > 10) throw invalidParameter(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
  let size = 0;
  for (const name of names) {
    checkName(name);
    const a = attrs[name];
    const base = TYPE.exec(a.DataType ?? '')?.[1];
    if (!base || a.DataType.length > 256) {
      throw invalidParameter(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (a.StringListValues?.length || a.BinaryListValues?.length) {
      throw invalidParameter('Message attribute list values in SendMessage operation are not supported.');
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + valueSize(name, base, a);
  }
  return size;
}

function checkName(name: string): void {
  const lower = name.toLowerCase();
  if (!NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || lower.startsWith('aws.') || lower.startsWith('amazon.')) {
    throw invalidParameter(
      `Message (user) attribute name '${name}' is invalid. The attribute name can contain alphanumeric characters, hyphens (-), underscores (_), and periods (.), can't start or end with a period, can't contain consecutive periods, and can't start with AWS. or Amazon.`,
    );
  }
}

function valueSize(name: string, base: string, a: AttributeValue): number {
  if (base === 'Binary') {
    if (!a.BinaryValue || a.BinaryValue.byteLength === 0) {
      throw invalidParameter(`Message (user) attribute '${name}' must contain a non-empty value of message attribute type '${a.DataType}'.`);
    }
    return a.BinaryValue.byteLength;
  }
  if (a.StringValue === undefined || a.StringValue === '') {
    throw invalidParameter(`Message (user) attribute '${name}' must contain a non-empty value of message attribute type '${a.DataType}'.`);
  }
  if (base === 'Number' && !isSqsNumber(a.StringValue)) {
    throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
  }
  if (ALLOWED_CHARS.test(a.StringValue)) throw invalidParameter(`Message (user) attribute '${name}' contains characters outside the allowed set.`);
  return Buffer.byteLength(a.StringValue);
}

/** SQS numbers: up to 38 significant digits, between -10^128 and 10^126. */
function isSqsNumber(text: string): boolean {
  const m = /^[+-]?(\d*)\.?(\d*)(?:[eE][+-]?\d+)?$/.exec(text.trim());
  if (!m || (m[1] === '' && m[2] === '')) return false;
  const digits = (m[1] + m[2]).replace(/^0+/, '');
  const n = Number(text);
  return digits.length <= 38 && Number.isFinite(n) && Math.abs(n) <= 1e126;
}

function checkSystemAttributes(sys: Record<string, AttributeValue>): Record<string, AttributeValue> {
  for (const [name, a] of Object.entries(sys)) {
    if (name !== 'AWSTraceHeader') throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
    if (a.DataType !== 'String' || !a.StringValue) {
      throw invalidParameter(`Message system attribute '${name}' must contain a non-empty value of message attribute type 'String'.`);
    }
  }
  return sys;
}

interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export function encodeAttributes(attrs: Record<string, AttributeValue>): string {
  const out: Record<string, StoredAttribute> = {};
  for (const [name, a] of Object.entries(attrs)) {
    out[name] = { DataType: a.DataType };
    if (a.StringValue !== undefined) out[name].StringValue = a.StringValue;
    if (a.BinaryValue !== undefined) out[name].BinaryValue = Buffer.from(a.BinaryValue).toString('base64');
  }
  return JSON.stringify(out);
}

export function decodeAttributes(text: string | null): Record<string, AttributeValue> {
  if (!text) return {};
  const stored = JSON.parse(text) as Record<string, StoredAttribute>;
  const out: Record<string, AttributeValue> = {};
  for (const [name, a] of Object.entries(stored)) {
    out[name] = { DataType: a.DataType };
    if (a.StringValue !== undefined) out[name].StringValue = a.StringValue;
    if (a.BinaryValue !== undefined) out[name].BinaryValue = Buffer.from(a.BinaryValue, 'base64');
  }
  return out;
}
