import type { Message } from '../../aws/models/generated/sqs.js';
import type { Received } from './engine.js';
import { decodeAttributes } from './message-input.js';
import { md5OfAttributes, type AttributeValue } from './md5.js';
import { sequenceNumber } from './send-rules.js';

/** What a receiver asked to see of each message. */
export interface ViewRequest {
  /** Message system attribute names (AttributeNames and MessageSystemAttributeNames together). */
  system: string[];
  /** MessageAttributeNames: names, `prefix.*`, or All / `.*`. */
  attributes: string[];
  fifo: boolean;
}

/** A received message as ReceiveMessage answers it, with only the attributes asked for. */
export function messageView({ row, receiptHandle }: Received, req: ViewRequest): Message {
  const out: Message = { MessageId: row.message_id, ReceiptHandle: receiptHandle, MD5OfBody: row.md5_body, Body: row.body };
  const system = systemAttributes(row, req);
  if (Object.keys(system).length) out.Attributes = system;
  const attrs = pickAttributes(decodeAttributes(row.attributes), req.attributes);
  if (Object.keys(attrs).length) {
    out.MessageAttributes = attrs;
    out.MD5OfMessageAttributes = md5OfAttributes(attrs);
  }
  return out;
}

function systemAttributes(row: Received['row'], req: ViewRequest): Record<string, string> {
  const all: Record<string, string | undefined> = {
    SenderId: row.sender_id,
    SentTimestamp: String(row.sent_at),
    ApproximateReceiveCount: String(row.receive_count),
    ApproximateFirstReceiveTimestamp: String(row.first_received_at ?? row.sent_at),
    MessageGroupId: row.group_id ?? undefined,
    SequenceNumber: req.fifo ? sequenceNumber(row.seq) : undefined,
    MessageDeduplicationId: row.dedup_id ?? undefined,
    AWSTraceHeader: decodeAttributes(row.system_attributes).AWSTraceHeader?.StringValue,
    DeadLetterQueueSourceArn: row.dlq_source ?? undefined,
  };
  const everything = req.system.includes('All');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    if (value !== undefined && (everything || req.system.includes(name))) out[name] = value;
  }
  return out;
}

function pickAttributes(attrs: Record<string, AttributeValue>, names: string[]): Record<string, AttributeValue> {
  if (names.length === 0) return {};
  if (names.includes('All') || names.includes('.*')) return attrs;
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(attrs)) {
    const wanted = names.some((n) => (n.endsWith('.*') ? name.startsWith(n.slice(0, -1)) : n === name));
    if (wanted) out[name] = value;
  }
  return out;
}
