import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/aws/models/index.js';
import { jsonCodec } from '../../../src/aws/protocol/json.js';
import { filterPage } from '../../../src/services/logs/filter-page.js';
import { eventIdOf, type EventRow } from '../../../src/services/logs/store.js';

const model = loadModel('logs');
const op = model.operation('FilterLogEvents')!;

const MESSAGES = ['plain ERROR', 'quotes " and \\ backslash', 'control \u0001\t\n\r chars', 'ünïcødé 日本語 😀', 'lone \ud800 surrogate', '', '{"level":"ERROR"}', '</script>\u2028\u2029'];
const names = new Map([[1, 's0'], [2, 'stream "two" / ünï'], [3, '']]);

function rows(n: number): EventRow[] {
  return Array.from({ length: n }, (_, i) => ({ id: 1000 + i, stream_id: 1 + (i % 4), ts: 1_700_000_000_000 + i * 7, ingest: 1_700_000_100_000 + i, message: MESSAGES[i % MESSAGES.length] }));
}

describe('FilterLogEvents pages written directly', () => {
  it.each([
    ['an empty last page', 0, undefined],
    ['a page with a token', 40, 'MTcwMDAwMDAwMDI3Mzo0MDM6'],
    ['a page of a stream deleted meanwhile (no name)', 9, undefined],
  ])('%s: the same document, byte for byte, as the model walk writes for the same output', (_label, n, token) => {
    const page = filterPage(rows(n), names, token);
    const body = jsonCodec.serializeOutput(model, op, page, { requestId: 'r' }).body as string;
    const walked = jsonCodec.serializeOutput(model, op, { events: page.events, searchedLogStreams: page.searchedLogStreams, nextToken: page.nextToken }, { requestId: 'r' }).body;
    expect(body).toBe(walked);
    expect(JSON.parse(body).events).toEqual(page.events);
  });

  it('gives in-process callers the events as objects', () => {
    const page = filterPage(rows(3), names, undefined);
    expect(page.events).toEqual([0, 1, 2].map((i) => ({
      logStreamName: names.get(1 + i), timestamp: 1_700_000_000_000 + i * 7, message: MESSAGES[i], ingestionTime: 1_700_000_100_000 + i, eventId: eventIdOf(1_700_000_000_000 + i * 7, 1000 + i),
    })));
  });
});
