import { createHash } from 'node:crypto';

/** A message attribute as SQS keeps it: binary values as Buffers. */
export interface AttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
  StringListValues?: string[];
  BinaryListValues?: Uint8Array[];
}

export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

// Transport types SQS hashes after the data type: 1 string, 2 binary, 3 string list, 4 binary list.
const STRING = 1;
const BINARY = 2;
const STRING_LIST = 3;
const BINARY_LIST = 4;

/**
 * MD5OfMessageAttributes (and MD5OfMessageSystemAttributes) as SQS computes them: for each
 * attribute in name order, the name, the data type and the value, each as a 4-byte
 * big-endian length followed by its UTF-8 bytes, with a one-byte transport type before the
 * value. Clients recompute it to verify what they sent and received.
 */
export function md5OfAttributes(attributes: Record<string, AttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  const field = (bytes: Uint8Array) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.byteLength);
    hash.update(len);
    hash.update(bytes);
  };
  const text = (s: string) => field(Buffer.from(s, 'utf8'));
  for (const name of names) {
    const a = attributes[name];
    text(name);
    text(a.DataType);
    if (a.StringValue !== undefined) {
      hash.update(Buffer.of(STRING));
      text(a.StringValue);
    } else if (a.BinaryValue !== undefined) {
      hash.update(Buffer.of(BINARY));
      field(a.BinaryValue);
    } else if (a.StringListValues?.length) {
      hash.update(Buffer.of(STRING_LIST));
      a.StringListValues.forEach(text);
    } else if (a.BinaryListValues?.length) {
      hash.update(Buffer.of(BINARY_LIST));
      a.BinaryListValues.forEach(field);
    }
  }
  return hash.digest('hex');
}
