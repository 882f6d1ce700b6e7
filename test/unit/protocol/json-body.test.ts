import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/aws/models/index.js';
import { withJsonBody } from '../../../src/aws/protocol/json-body.js';
import { jsonCodec } from '../../../src/aws/protocol/json.js';

const model = loadModel('logs');
const op = model.operation('FilterLogEvents')!;
const output = { events: [{ logStreamName: 's', timestamp: 1, message: 'm', ingestionTime: 2, eventId: '7' }], searchedLogStreams: [] };

describe('JSON outputs with their document already written', () => {
  it('sends the attached document as the body, with the usual status and headers', () => {
    const body = '{"events":[],"nextToken":"t"}';
    const res = jsonCodec.serializeOutput(model, op, withJsonBody({ ...output }, () => body), { requestId: 'r1' });
    expect(res).toEqual({ statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'r1' }, body });
  });

  it('sends a document attached as UTF-8 bytes as those bytes', () => {
    const body = Buffer.from('{"events":[{"message":"ünï"}]}');
    const res = jsonCodec.serializeOutput(model, op, withJsonBody({ ...output }, () => body), { requestId: 'r1' });
    expect(res.body).toBe(body);
    expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  it('leaves the fields as they were: not enumerable, not in the model walk, not in a copy', () => {
    const out = withJsonBody({ ...output }, () => 'unused');
    expect(Object.keys(out)).toEqual(['events', 'searchedLogStreams']);
    expect(JSON.stringify(out)).toBe(JSON.stringify(output));
    const copy = { ...out };
    expect(jsonCodec.serializeOutput(model, op, copy, { requestId: 'r2' }).body).toBe(JSON.stringify(output));
  });

  it('writes outputs without one through the model as before', () => {
    expect(jsonCodec.serializeOutput(model, op, { ...output, extra: 1 }, { requestId: 'r3' }).body).toBe(JSON.stringify(output));
  });
});
