import { invalidAttributeName, invalidAttributeValue, invalidValue } from './errors.js';
import { parseQueueArn } from './queue-url.js';

/** Integer attributes: [min, max, default]. */
const RANGES: Record<string, [number, number, number]> = {
  DelaySeconds: [0, 900, 0],
  MaximumMessageSize: [1024, 1_048_576, 262_144],
  MessageRetentionPeriod: [60, 1_209_600, 345_600],
  ReceiveMessageWaitTimeSeconds: [0, 20, 0],
  VisibilityTimeout: [0, 43_200, 30],
  KmsDataKeyReusePeriodSeconds: [60, 86_400, 300],
};

const CHOICES: Record<string, string[]> = {
  SqsManagedSseEnabled: ['true', 'false'],
  ContentBasedDeduplication: ['true', 'false'],
  DeduplicationScope: ['messageGroup', 'queue'],
  FifoThroughputLimit: ['perQueue', 'perMessageGroupId'],
};

const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);
const DOCUMENTS = new Set(['Policy', 'RedrivePolicy', 'RedriveAllowPolicy']);

/** Attributes SQS computes; they can be read but never set. */
export const READ_ONLY = [
  'QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp', 'LastModifiedTimestamp',
];

/** The settable attributes of a new queue before the caller's values apply. */
export function defaultAttributes(fifo: boolean): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const name of ['DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout']) {
    attrs[name] = String(RANGES[name][2]);
  }
  attrs.SqsManagedSseEnabled = 'true';
  if (fifo) Object.assign(attrs, { FifoQueue: 'true', ContentBasedDeduplication: 'false', DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' });
  return attrs;
}

/**
 * Checks and normalizes attributes a caller sets; returns the values to store (an empty
 * string removes a document attribute). `creating` allows FifoQueue.
 */
export function normalizeAttributes(given: Record<string, string>, fifo: boolean, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(given)) {
    const value = String(raw);
    if (name === 'FifoQueue' && creating) {
      if (value !== String(fifo)) throw invalidAttributeValue(name);
      if (fifo) out[name] = 'true';
    } else if (RANGES[name]) {
      out[name] = String(checkRange(name, value));
    } else if (CHOICES[name] && (fifo || !FIFO_ONLY.has(name))) {
      if (!CHOICES[name].includes(value)) throw invalidAttributeValue(name);
      out[name] = value;
    } else if (DOCUMENTS.has(name)) {
      out[name] = value === '' ? '' : normalizeDocument(name, value);
    } else if (name === 'KmsMasterKeyId') {
      out[name] = value;
    } else {
      throw invalidAttributeName(name);
    }
  }
  return out;
}

function checkRange(name: string, value: string): number {
  const [min, max] = RANGES[name];
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw invalidAttributeValue(name);
  return n;
}

function normalizeDocument(name: string, value: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    throw name === 'Policy' ? invalidAttributeValue(name) : invalidValue(name, value, 'Redrive policy is not a valid JSON map.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidAttributeValue(name);
  if (name === 'RedrivePolicy') return JSON.stringify(redrivePolicyOf(value, doc as Record<string, unknown>));
  if (name === 'RedriveAllowPolicy') checkRedriveAllow(value, doc as Record<string, unknown>);
  return value;
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

function redrivePolicyOf(text: string, doc: Record<string, unknown>): RedrivePolicy {
  const fail = (reason: string) => invalidValue('RedrivePolicy', text, reason);
  if (doc.deadLetterTargetArn === undefined) throw fail('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (doc.maxReceiveCount === undefined) throw fail('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  const arn = String(doc.deadLetterTargetArn);
  if (!parseQueueArn(arn)) throw fail(`Invalid value for deadLetterTargetArn.`);
  const count = Number(doc.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw fail(`Invalid value for maxReceiveCount: ${String(doc.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

function checkRedriveAllow(text: string, doc: Record<string, unknown>): void {
  const permission = doc.redrivePermission;
  if (!['allowAll', 'denyAll', 'byQueue'].includes(String(permission))) {
    throw invalidValue('RedriveAllowPolicy', text, 'Invalid value for redrivePermission.');
  }
  if (permission === 'byQueue' && !Array.isArray(doc.sourceQueueArns)) {
    throw invalidValue('RedriveAllowPolicy', text, 'sourceQueueArns must be specified when redrivePermission is byQueue.');
  }
}

export function redrivePolicy(attrs: Record<string, string>): RedrivePolicy | undefined {
  return attrs.RedrivePolicy ? (JSON.parse(attrs.RedrivePolicy) as RedrivePolicy) : undefined;
}

/** Applies normalized values onto stored attributes: empty documents and key ids are removed. */
export function applyAttributes(attrs: Record<string, string>, changes: Record<string, string>): Record<string, string> {
  const next = { ...attrs };
  for (const [name, value] of Object.entries(changes)) {
    if (value === '' && (DOCUMENTS.has(name) || name === 'KmsMasterKeyId')) delete next[name];
    else next[name] = value;
  }
  if (next.KmsMasterKeyId) {
    next.SqsManagedSseEnabled = 'false';
    next.KmsDataKeyReusePeriodSeconds ??= String(RANGES.KmsDataKeyReusePeriodSeconds[2]);
  } else {
    delete next.KmsDataKeyReusePeriodSeconds;
  }
  return next;
}

/** The names GetQueueAttributes answers for `All` and which a caller may ask for. */
export function knownAttribute(name: string, fifo: boolean): boolean {
  return READ_ONLY.includes(name) || RANGES[name] !== undefined || DOCUMENTS.has(name) || name === 'KmsMasterKeyId' ||
    name === 'SqsManagedSseEnabled' || ((FIFO_ONLY.has(name) || name === 'FifoQueue') && fifo);
}
