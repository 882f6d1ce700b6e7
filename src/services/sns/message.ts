import type { MessageAttributeValue } from '../../aws/models/generated/sns.js';
import { invalidParameter } from './errors.js';

/** A message attribute as SNS keeps it in delivery jobs: binary values base64-encoded. */
export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** A published message, as every subscription's delivery starts from it. */
export interface Notification {
  messageId: string;
  /** The default message, and per-protocol texts when MessageStructure is json. */
  message: string;
  perProtocol?: Record<string, string>;
  subject?: string;
  attributes: Record<string, StoredAttribute>;
  timestamp: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
}

export interface PublishRequest {
  Message: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, MessageAttributeValue>;
}

const MAX_BYTES = 262_144;
const NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/** Checks a Publish request's message, subject, structure and attributes. */
export function checkPublish(req: PublishRequest): Pick<Notification, 'message' | 'perProtocol' | 'subject' | 'attributes'> {
  if (req.Message === '') throw invalidParameter('Empty message');
  const attributes = checkAttributes(req.MessageAttributes ?? {});
  const size = Buffer.byteLength(req.Message) + Object.entries(attributes).reduce((n, [k, a]) => n + k.length + a.DataType.length + (a.StringValue ?? a.BinaryValue ?? '').length, 0);
  if (size > MAX_BYTES) throw invalidParameter('Message too long');
  if (req.Subject !== undefined && (req.Subject === '' || req.Subject.length >= 100 || !/^[\x20-\x7E]+$/.test(req.Subject) || !/^[A-Za-z0-9\p{P}]/u.test(req.Subject))) {
    throw invalidParameter('Subject');
  }
  if (req.MessageStructure === undefined) return { message: req.Message, subject: req.Subject, attributes };
  if (req.MessageStructure !== 'json') throw invalidParameter('MessageStructure');
  return { ...structured(req.Message), subject: req.Subject, attributes };
}

/** MessageStructure=json: a JSON object of strings with a `default` entry and optional per-protocol ones. */
function structured(text: string): { message: string; perProtocol: Record<string, string> } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidParameter('Message Structure - JSON message body failed to parse');
  const entries = doc as Record<string, unknown>;
  if (typeof entries.default !== 'string') throw invalidParameter('Message Structure - No default entry in JSON message body');
  const perProtocol: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) {
    if (typeof v !== 'string') throw invalidParameter('Message Structure - JSON message body failed to parse');
    perProtocol[k] = v;
  }
  return { message: entries.default, perProtocol };
}

function checkAttributes(attrs: Record<string, MessageAttributeValue>): Record<string, StoredAttribute> {
  const names = Object.keys(attrs);
  if (names.length > 10) throw invalidParameter(`Too many message attributes: ${names.length}; a message can have at most 10.`);
  const out: Record<string, StoredAttribute> = {};
  for (const name of names) {
    const lower = name.toLowerCase();
    if (!NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || lower.startsWith('aws.') || lower.startsWith('amazon.')) {
      throw invalidParameter(`MessageAttributes Reason: The message attribute name '${name}' is invalid.`);
    }
    out[name] = checkAttribute(name, attrs[name]);
  }
  return out;
}

function checkAttribute(name: string, a: MessageAttributeValue): StoredAttribute {
  const type = /^(String|Number|Binary)(\.|$)/.exec(a.DataType ?? '')?.[1];
  if (!type) {
    throw invalidParameter(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
  }
  const empty = () => invalidParameter(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
  if (type === 'Binary') {
    if (!a.BinaryValue || a.BinaryValue.byteLength === 0) throw empty();
    return { DataType: a.DataType, BinaryValue: Buffer.from(a.BinaryValue).toString('base64') };
  }
  if (a.StringValue === undefined || a.StringValue === '') throw empty();
  if (type === 'Number' && !Number.isFinite(Number(a.StringValue))) throw invalidParameter(`Could not cast message attribute '${name}' value to number.`);
  if (a.DataType === 'String.Array' && !isJsonArray(a.StringValue)) {
    throw invalidParameter(`The message attribute '${name}' with type 'String.Array' has an invalid value: it must be a JSON array.`);
  }
  return { DataType: a.DataType, StringValue: a.StringValue };
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

/** The text a subscription of this protocol receives. */
export function messageFor(n: Notification, protocol: string): string {
  return n.perProtocol?.[protocol] ?? n.message;
}
