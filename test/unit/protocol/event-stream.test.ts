import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/aws/models/index.js';
import { crc32, encodeEventMessage, eventStreamBody, eventStreamMember } from '../../../src/aws/protocol/event-stream.js';

/** Reads one message back: lengths, CRCs, string headers and payload. */
function decode(msg: Buffer): { headers: Record<string, string>; payload: string } {
  const total = msg.readUInt32BE(0);
  const headLen = msg.readUInt32BE(4);
  expect(total).toBe(msg.length);
  expect(msg.readUInt32BE(8)).toBe(crc32(msg, 0, 8));
  expect(msg.readUInt32BE(total - 4)).toBe(crc32(msg, 0, total - 4));
  const headers: Record<string, string> = {};
  for (let i = 12; i < 12 + headLen;) {
    const n = msg.readUInt8(i);
    const name = msg.subarray(i + 1, i + 1 + n).toString();
    expect(msg.readUInt8(i + 1 + n)).toBe(7);
    const len = msg.readUInt16BE(i + 2 + n);
    headers[name] = msg.subarray(i + 4 + n, i + 4 + n + len).toString();
    i += 4 + n + len;
  }
  return { headers, payload: msg.subarray(12 + headLen, total - 4).toString() };
}

describe('event stream framing', () => {
  it('computes CRC-32 as the framing needs it', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('frames headers and payload with both checksums', () => {
    const msg = encodeEventMessage({ ':message-type': 'event', ':event-type': 'sessionStart' }, Buffer.from('{"a":1}'));
    expect(decode(msg)).toEqual({ headers: { ':message-type': 'event', ':event-type': 'sessionStart' }, payload: '{"a":1}' });
  });

  it('streams a provider\'s events, ends at an exception, and stops the source when destroyed', async () => {
    const model = loadModel('logs');
    const stream = eventStreamMember(model, model.outputShape(model.operation('StartLiveTail')!))!;
    expect(stream.name).toBe('responseStream');
    let returned = false;
    const source = (events: Record<string, unknown>[]): AsyncIterable<Record<string, unknown>> => ({
      [Symbol.asyncIterator]: () => {
        let i = 0;
        return {
          next: async () => (i < events.length ? { value: events[i++], done: false } : new Promise(() => {})),
          return: async () => ((returned = true), { value: undefined, done: true }),
        };
      },
    });
    const body = eventStreamBody(model, stream.shape, source([{ sessionStart: { sessionId: 's' } }, { SessionTimeoutException: { message: 'over' } }, { sessionStart: {} }]));
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    const all = Buffer.concat(chunks);
    const messages: Buffer[] = [];
    for (let i = 0; i < all.length; i += all.readUInt32BE(i)) messages.push(all.subarray(i, i + all.readUInt32BE(i)));
    expect(messages.map(decode)).toEqual([
      { headers: { ':message-type': 'event', ':event-type': 'sessionStart', ':content-type': 'application/json' }, payload: '{"sessionId":"s"}' },
      { headers: { ':message-type': 'exception', ':exception-type': 'SessionTimeoutException', ':content-type': 'application/json' }, payload: '{"message":"over"}' },
    ]);
    returned = false;
    const open = eventStreamBody(model, stream.shape, source([{ sessionStart: {} }]));
    const sink = new PassThrough();
    open.pipe(sink);
    await new Promise((r) => sink.once('data', r));
    open.destroy();
    expect(returned).toBe(true);
  });
});
