import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/aws/models/index.js';
import { jsonCodec } from '../../../src/aws/protocol/json.js';
import { filterPage } from '../../../src/services/logs/filter-page.js';
import { completeResults } from '../../../src/services/logs/insights/results-body.js';
import { eventIdOf, LogsStore, type EventRow } from '../../../src/services/logs/store.js';
import { Collection } from '../../../src/state/collection.js';
import { Database } from '../../../src/state/database.js';

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
    const body = (jsonCodec.serializeOutput(model, op, page, { requestId: 'r' }).body as Buffer).toString('utf8');
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

describe('Logs Insights results sent as stored text', () => {
  const getResults = model.operation('GetQueryResults')!;
  const results = [
    [{ field: '@timestamp', value: '2024-01-01 00:00:00.000' }, { field: '@message', value: 'quotes " \\ and ünï 😀 \n' }, { field: '@ptr', value: 'MTox' }],
    [{ field: 'error_count', value: '3' }],
  ];

  it.each([
    ['full statistics', { recordsMatched: 2, recordsScanned: 10, bytesScanned: 700, logGroupsScanned: 1 }],
    ['statistics as an older record kept them', { bytesScanned: 7.5, recordsMatched: 0, recordsScanned: 0 }],
  ])('%s: the same document, byte for byte, as the model walk writes', (_label, statistics) => {
    const out = completeResults(Buffer.from(JSON.stringify(results)), statistics);
    const body = (jsonCodec.serializeOutput(model, getResults, out, { requestId: 'r' }).body as Buffer).toString('utf8');
    const walked = jsonCodec.serializeOutput(model, getResults, { queryLanguage: 'CWLI', status: 'Complete', results, statistics }, { requestId: 'r' }).body;
    expect(body).toBe(walked);
    expect(out.results).toEqual(results);
  });
});

describe('stored query results', () => {
  it('are kept as the text sent, and results stored as rows by earlier versions still read', () => {
    const db = new Database(':memory:');
    const store = new LogsStore(db);
    const scope = { accountId: '000000000000', region: 'us-east-1' };
    const rows = [[{ field: '@message', value: 'quotes " ünï' }]];
    new Collection(db, 'logs.query-results').put(scope, 'old', rows);
    expect(store.queryResults(scope, 'old')?.toString()).toBe(JSON.stringify(rows));
    store.putQueryResults(scope, 'new', Buffer.from('[[{"field":"n","value":"ünï"}]]'));
    expect(store.queryResults(scope, 'new')?.toString()).toBe('[[{"field":"n","value":"ünï"}]]');
    // Text an earlier version stored reads as its bytes.
    db.sql.prepare("INSERT INTO logs_query_results (account, region, id, body) VALUES (?, ?, 'text', ?)").run(scope.accountId, scope.region, '[[{"field":"n","value":"ü"}]]');
    expect(store.queryResults(scope, 'text')?.toString()).toBe('[[{"field":"n","value":"ü"}]]');
    expect(store.queryResults({ ...scope, region: 'eu-west-1' }, 'new')).toBeUndefined();
    db.close();
  });
});
