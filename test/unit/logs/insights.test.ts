import { describe, expect, it } from 'vitest';
import { EventSource } from '../../../src/services/logs/insights/event-source.js';
import { execute } from '../../../src/services/logs/insights/execute.js';
import { LogRow } from '../../../src/services/logs/insights/log-row.js';
import { parseQuery } from '../../../src/services/logs/insights/parser.js';
import { pushdown, requiredLiteral } from '../../../src/services/logs/insights/pushdown.js';
import { runQuery } from '../../../src/services/logs/insights/run-query.js';
import { formatTime, toText } from '../../../src/services/logs/insights/values.js';
import { LogsStore } from '../../../src/services/logs/store.js';
import { Database } from '../../../src/state/database.js';
import { ServiceError } from '../../../src/core/errors.js';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

const EVENTS: [number, string, string][] = [
  [0, 'web', 'ERROR GET /a 500 12ms'],
  [1, 'web', 'INFO GET /b 200 30ms'],
  [2, 'api', '{"level":"ERROR","latency":120,"user":{"id":"u1"},"tags":["x","y"]}'],
  [4, 'api', '{"level":"INFO","latency":80,"user":{"id":"u2"}}'],
  [6, 'web', 'ERROR GET /c 503 45ms'],
  [7, 'api', '{"level":"INFO","latency":200,"user":{"id":"u1"}}'],
  [11, 'web', 'WARN GET /d 200 900ms'],
];

const rows = () => EVENTS.map(([m, stream, msg], i) => new LogRow(T0 + m * MIN, T0 + m * MIN + 5, msg, stream, '000000000000:/g', `1:${i}`));

function run(query: string) {
  const out = execute(parseQuery(query), [...rows()].reverse(), 10_000);
  return out.rows.map((r) => Object.fromEntries((out.columns ?? r.keys()).map((c) => [c, toText(r.get(c))]).filter(([, v]) => v !== undefined)));
}

describe('Logs Insights executor', () => {
  it.each<[string, Record<string, string>[]]>([
    ['stats count(*) as n', [{ n: '7' }]],
    ['filter @message like /ERROR/ | stats count() as c by bin(5m)', [{ 'bin(5m)': '2024-01-01 00:00:00.000', c: '2' }, { 'bin(5m)': '2024-01-01 00:05:00.000', c: '1' }]],
    ['stats count(*) as n by @logStream', [{ '@logStream': 'api', n: '3' }, { '@logStream': 'web', n: '4' }]],
    ['filter level = "INFO" | stats sum(latency) as s, avg(latency) as a, max(latency) as hi, min(latency) as lo', [{ s: '280', a: '140', hi: '200', lo: '80' }]],
    ['stats count_distinct(user.id) as users, count(latency) as withLatency', [{ users: '2', withLatency: '3' }]],
    ['filter ispresent(latency) | stats pct(latency, 50) as p50, pct(latency, 99) as p99, stddev(latency) as sd', [{ p50: '120', p99: '200', sd: '61.10100926607787' }]],
    ['filter ispresent(latency) | stats earliest(user.id) as first, latest(user.id) as last', [{ first: 'u1', last: 'u1' }]],
    ['filter @logStream = "web" | parse @message "* GET * * *ms" as lvl, path, code, ms | filter code >= 500 | display path, ms', [{ path: '/c', ms: '45' }, { path: '/a', ms: '12' }]],
    ['parse @message /GET (?<path>\\/\\w+) (?<code>\\d+)/ | filter code in [200] | sort path desc | fields path', [{ path: '/d' }, { path: '/b' }]],
    ['filter @message not like /GET/ and latency > 100 | fields user.id, tags.1', [{ 'user.id': 'u1' }, { 'user.id': 'u1', 'tags.1': 'y' }]],
    ['fields @message | filter strcontains(@message, "WARN") or level = "ERROR" and latency > 100 | display @message', [{ '@message': 'WARN GET /d 200 900ms' }, { '@message': EVENTS[2][2] }]],
    ['filter not ispresent(level) | fields concat(toupper(substr(@message, 0, 4)), "!") as head | dedup head | sort head asc | limit 5', [{ head: 'ERRO!' }, { head: 'INFO!' }, { head: 'WARN!' }]],
    ['filter latency >= 80 and latency <= 120 | fields latency * 2 + 1 as x, latency % 7 as m, -latency as neg | sort x', [{ x: '161', m: '3', neg: '-80' }, { x: '241', m: '1', neg: '-120' }]],
    ['stats count(*) as n by @logStream | sort n desc | limit 1', [{ '@logStream': 'web', n: '4' }]],
    ['fields @timestamp, @ingestionTime | sort @timestamp asc | limit 1', [{ '@timestamp': '2024-01-01 00:00:00.000', '@ingestionTime': '2024-01-01 00:00:00.005' }]],
    ['fields datefloor(@timestamp, 1h) as hour, bin(10m) as b | limit 1', [{ hour: '2024-01-01 00:00:00.000', b: '2024-01-01 00:10:00.000' }]],
    ['filter @message like "GET /b" | fields @message', [{ '@message': 'INFO GET /b 200 30ms' }]],
    ['filter @message =~ /(?i)warn/ | fields @logStream', [{ '@logStream': 'web' }]],
  ])('%s', (query, expected) => {
    expect(run(query)).toEqual(expected);
  });

  it('returns every discovered field when no fields command names them', () => {
    const [first] = run('filter level = "ERROR"');
    expect(first).toMatchObject({ '@logStream': 'api', '@log': '000000000000:/g', level: 'ERROR', latency: '120', 'user.id': 'u1', 'tags.0': 'x' });
  });
});

describe('Logs Insights parser', () => {
  const offset = (q: string) => {
    try {
      parseQuery(q);
    } catch (e) {
      const err = e as ServiceError;
      expect(err.code).toBe('MalformedQueryException');
      return (err.fields.queryCompileError as { location: { startCharOffset: number } }).location.startCharOffset;
    }
    throw new Error(`${q} parsed`);
  };
  it.each<[string, number]>([
    ['', 0],
    ['fields @message | nope', 18],
    ['filter @message like', 20],
    ['stats count(*) by', 17],
    ['stats strlen(@message)', 6],
    ['filter count(*) > 1', 7],
    ['limit -1', 6],
    ['limit 10 extra', 9],
    ['fields (a', 9],
    ["parse @message '* x *' as a", 15],
    ['parse @message /no groups/', 15],
    ['filter a = "unterminated', 11],
    ['filter a ! b', 9],
    ['sort a | limit x', 15],
  ])('%j fails at offset %i', (query, at) => {
    expect(offset(query)).toBe(at);
  });
});

describe('pushdown to SQLite', () => {
  it('reads the substring a regex needs', () => {
    expect(requiredLiteral(/ERROR/)).toEqual({ text: 'ERROR', exact: true });
    expect(requiredLiteral(/ERROR.*timeout/)).toEqual({ text: 'timeout', exact: false });
    expect(requiredLiteral(/ERR(OR)?/)).toBeUndefined();
    expect(requiredLiteral(/a|b/)).toBeUndefined();
    expect(requiredLiteral(/error/i)).toBeUndefined();
    expect(requiredLiteral(/\d+ms/)).toEqual({ text: 'ms', exact: false });
  });

  it('answers counts by bin in SQL only when the filters are decided there', () => {
    expect(pushdown(parseQuery('fields @timestamp, @message | filter @message like /ERROR/ | stats count() as c by bin(5m)')).counts).toBeDefined();
    expect(pushdown(parseQuery('filter @message like /ERROR/ and level = "x" | stats count() by bin(5m)')).counts).toBeUndefined();
    expect(pushdown(parseQuery('stats count(*), sum(x) by bin(5m)')).counts).toBeUndefined();
    expect(pushdown(parseQuery('filter @message like /ERROR/ and level = "x"')).globs).toEqual(['ERROR']);
  });

  it('gives the same answers through SQL fast paths and the general executor', async () => {
    const db = new Database(':memory:');
    const store = new LogsStore(db);
    const scope = { accountId: '000000000000', region: 'us-east-1' };
    store.createGroup(scope, { name: '/g', created: 0, cls: 'STANDARD', deletionProtection: false, tags: {} });
    const g = store.group(scope, '/g')!;
    for (const s of ['web', 'api']) store.createStream(g, s, 0);
    for (const s of ['web', 'api']) store.append(store.stream(g, s)!, EVENTS.filter((e) => e[1] === s).map(([m, , message]) => ({ timestamp: T0 + m * MIN, message })), T0);
    const source = new EventSource(db, store.blocks);
    const range = { groups: [{ id: g.id, name: '000000000000:/g' }], start: T0, end: T0 + 10 * MIN };
    const both = async (fast: string, slow: string) => {
      const a = (await runQuery(source, parseQuery(fast), range, 100))!;
      const b = (await runQuery(source, parseQuery(slow), range, 100))!;
      expect(a.results).toEqual(b.results);
      expect(a.statistics).toEqual(b.statistics);
      return a;
    };
    const bins = await both('filter @message like /ERROR/ | stats count(*) as c by bin(5m)', 'filter @message like /ERROR/ and strlen(@message) > 0 | stats count(*) as c by bin(5m)');
    expect(bins.results).toEqual([[{ field: 'bin(5m)', value: '2024-01-01 00:00:00.000' }, { field: 'c', value: '2' }], [{ field: 'bin(5m)', value: '2024-01-01 00:05:00.000' }, { field: 'c', value: '1' }]]);
    expect(bins.statistics).toMatchObject({ recordsMatched: 3, recordsScanned: 6 });
    await both('stats count(*) as c by bin(1m)', 'filter strlen(@message) > 0 | stats count(*) as c by bin(1m)');
    await both('stats count(*) as c by @logStream', 'filter strlen(@message) > 0 | stats count(*) as c by @logStream');
    const raw = await both('filter @message like "GET"', 'filter @message like "GET" and strlen(@message) > 0');
    expect(raw.results.map((r) => r.find((f) => f.field === '@message')?.value)).toEqual(['ERROR GET /c 503 45ms', 'INFO GET /b 200 30ms', 'ERROR GET /a 500 12ms']);
    expect(raw.statistics.bytesScanned).toBe(EVENTS.filter((e) => e[0] <= 10).reduce((n, e) => n + Buffer.byteLength(e[2]), 0));
    db.close();
  });
});

describe('timestamps as Logs Insights prints them', () => {
  const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  it.each([
    0, 1, 999, 1000, 59_999, 60_000, -1, -999, -60_000, -60_001, Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), Date.UTC(-1, 11, 31, 23, 59, 59, 999), 1_700_000_000_123, 1.5,
  ])('%d is written as toISOString writes it', (ms) => {
    expect(formatTime(ms)).toBe(iso(ms));
  });

  it('writes runs of times in order, out of order and across minutes as toISOString does', () => {
    for (let i = 0; i < 5000; i++) {
      const ms = Date.UTC(2024, 0, 1) + ((i * 7919) % 3_600_000) * (i % 3 === 0 ? -1 : 1);
      expect(formatTime(ms)).toBe(iso(ms));
    }
  });
});
