import { Readable } from 'node:stream';
import type { ServiceModel } from '../models/service-model.js';
import type { Shape } from '../models/shapes.js';
import { encodeDocument } from './document-values.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * One message of the `application/vnd.amazon.eventstream` framing: total length, headers
 * length and their CRC, string headers, the payload, and a CRC of the whole message.
 */
export function encodeEventMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length); // type 7: string
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  const head = Buffer.concat(parts);
  const total = 12 + head.length + payload.length + 4;
  const msg = Buffer.alloc(total);
  msg.writeUInt32BE(total, 0);
  msg.writeUInt32BE(head.length, 4);
  msg.writeUInt32BE(crc32(msg, 0, 8), 8);
  head.copy(msg, 12);
  payload.copy(msg, 12 + head.length);
  msg.writeUInt32BE(crc32(msg, 0, total - 4), total - 4);
  return msg;
}

/** The output member that is an event stream, if the operation has one. */
export function eventStreamMember(model: ServiceModel, output: Shape | undefined): { name: string; shape: Shape } | undefined {
  for (const [name, ref] of Object.entries(output?.members ?? {})) {
    const shape = model.resolve(ref);
    if (shape.eventstream) return { name, shape };
  }
  return undefined;
}

/**
 * Streams a provider's events (`{ memberName: value }` objects from an async iterable) as
 * event-stream messages with JSON payloads; a member that is an exception shape is sent
 * as an exception message and ends the stream. Destroying the body (the client went away)
 * ends the provider's iterator at once.
 */
export function eventStreamBody(model: ServiceModel, union: Shape, events: AsyncIterable<Record<string, unknown>>): Readable {
  const it = events[Symbol.asyncIterator]();
  const frame = (event: Record<string, unknown>): { bytes: Buffer; last: boolean } | undefined => {
    const [name, value] = Object.entries(event)[0] ?? [];
    const ref = name ? union.members?.[name] : undefined;
    if (!ref) return undefined;
    const shape = model.resolve(ref);
    const payload = Buffer.from(JSON.stringify(encodeDocument(model, shape, value, 'json') ?? {}));
    const headers: Record<string, string> = shape.exception
      ? { ':message-type': 'exception', ':exception-type': name, ':content-type': 'application/json' }
      : { ':message-type': 'event', ':event-type': name, ':content-type': 'application/json' };
    return { bytes: encodeEventMessage(headers, payload), last: !!shape.exception };
  };
  const body: Readable = new Readable({
    read() {
      const pull = (): void => {
        it.next().then(
          (r) => {
            if (r.done) return void body.push(null);
            const f = frame(r.value);
            if (!f) return pull();
            body.push(f.bytes);
            if (f.last) {
              body.push(null);
              void it.return?.();
            }
          },
          (e: unknown) => body.destroy(e instanceof Error ? e : new Error(String(e))),
        );
      };
      pull();
    },
    destroy(err, cb) {
      void it.return?.();
      cb(err);
    },
  });
  return body;
}
