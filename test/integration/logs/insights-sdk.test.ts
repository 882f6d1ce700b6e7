import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeQueriesCommand, GetQueryResultsCommand, MalformedQueryException,
  PutLogEventsCommand, ResourceNotFoundException, StartQueryCommand, StopQueryCommand, type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogsOperations } from '../../../src/aws/models/generated/logs.js';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const T0 = Date.UTC(2024, 0, 1, 12);
const MIN = 60_000;

describe('Logs Insights through the SDK v3 client', () => {
  let sw: TestSlipway;
  let logs: CloudWatchLogsClient;
  const clock = new ManualClock(T0 + 60 * MIN);

  const rows = (results: ResultField[][] | undefined) => (results ?? []).map((r) => Object.fromEntries(r.filter((f) => f.field !== '@ptr').map((f) => [f.field, f.value])));

  async function query(queryString: string, groups = ['/aws/lambda/my-fn'], limit?: number) {
    const { queryId } = await logs.send(new StartQueryCommand({
      logGroupNames: groups, startTime: T0 / 1000, endTime: (T0 + 60 * MIN) / 1000, queryString, limit,
    }));
    await sw.slipway.settled();
    const out = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(out.status).toBe('Complete');
    return { rows: rows(out.results), raw: out.results!, statistics: out.statistics!, queryId: queryId! };
  }

  beforeAll(async () => {
    sw = await startSlipway({ clock });
    logs = new CloudWatchLogsClient(sdkConfig(sw.url));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/my-fn' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/other' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/lambda/my-fn', logStreamName: 'web' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/lambda/my-fn', logStreamName: 'worker' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/lambda/other', logStreamName: 'x' }));
    // 12 events one minute apart: every third is an ERROR, JSON from the worker.
    const web = [];
    const worker = [];
    for (let i = 0; i < 12; i++) {
      const ts = T0 + i * MIN;
      if (i % 2 === 0) web.push({ timestamp: ts, message: `${i % 3 === 0 ? 'ERROR' : 'INFO'} GET /items/${i} 200 ${i * 10}ms` });
      else worker.push({ timestamp: ts, message: JSON.stringify({ level: i % 3 === 0 ? 'ERROR' : 'INFO', latency: i * 10, user: { id: `u${i % 4}` } }) });
    }
    await logs.send(new PutLogEventsCommand({ logGroupName: '/aws/lambda/my-fn', logStreamName: 'web', logEvents: web }));
    await logs.send(new PutLogEventsCommand({ logGroupName: '/aws/lambda/my-fn', logStreamName: 'worker', logEvents: worker }));
    await logs.send(new PutLogEventsCommand({ logGroupName: '/aws/lambda/other', logStreamName: 'x', logEvents: [{ timestamp: T0, message: 'ERROR elsewhere' }] }));
  });
  afterAll(() => sw.close());

  it('runs the seed query: ERROR counts in 5-minute bins', async () => {
    const r = await query('fields @timestamp, @message, @duration | filter @message like /ERROR/ | stats count() as error_count by bin(5m)');
    expect(r.rows).toEqual([
      { 'bin(5m)': '2024-01-01 12:00:00.000', error_count: '2' },
      { 'bin(5m)': '2024-01-01 12:05:00.000', error_count: '2' },
    ]);
    expect(r.statistics).toMatchObject({ recordsMatched: 4, recordsScanned: 12 });
    expect(r.statistics.bytesScanned).toBeGreaterThan(0);
  });

  it('returns raw events newest first with built-in fields, JSON discovery and @ptr', async () => {
    const r = await query('fields @timestamp, @logStream, level, user.id | filter level = "ERROR" | limit 2');
    expect(r.rows).toEqual([
      { '@timestamp': '2024-01-01 12:09:00.000', '@logStream': 'worker', level: 'ERROR', 'user.id': 'u1' },
      { '@timestamp': '2024-01-01 12:03:00.000', '@logStream': 'worker', level: 'ERROR', 'user.id': 'u3' },
    ]);
    expect(r.raw[0].at(-1)?.field).toBe('@ptr');
    expect(r.statistics.recordsMatched).toBe(2);
  });

  it('computes stats with aggregates, aliases, grouping and sort', async () => {
    const r = await query('filter ispresent(latency) | stats count(*) as n, sum(latency) as total, avg(latency) as mean, min(latency), max(latency), pct(latency, 50) as p50, count_distinct(user.id) as users, earliest(latency) as first, latest(latency) as last by level | sort n desc');
    expect(r.rows).toEqual([
      { level: 'INFO', n: '4', total: '240', mean: '60', 'min(latency)': '10', 'max(latency)': '110', p50: '50', users: '2', first: '10', last: '110' },
      { level: 'ERROR', n: '2', total: '120', mean: '60', 'min(latency)': '30', 'max(latency)': '90', p50: '30', users: '2', first: '30', last: '90' },
    ]);
  });

  it('parses with globs and regexes, then filters on what it extracted', async () => {
    const glob = await query("filter @logStream = 'web' | parse @message '* GET * * *ms' as level, path, status, ms | filter ms >= 60 | sort ms asc | display path, ms");
    expect(glob.rows).toEqual([{ path: '/items/6', ms: '60' }, { path: '/items/8', ms: '80' }, { path: '/items/10', ms: '100' }]);
    const re = await query('parse @message /(?<verb>GET) \\/items\\/(?<item>\\d+)/ | filter item in [2, 4] | fields item, verb | sort item desc');
    expect(re.rows).toEqual([{ item: '4', verb: 'GET' }, { item: '2', verb: 'GET' }]);
  });

  it('supports like with strings, not, in, or, string functions and dedup', async () => {
    const r = await query('filter @message like "GET" and not @message like /ERROR/ | fields toupper(substr(@message, 0, 4)) as head, strlen(@message) as len | dedup head | display head');
    expect(r.rows).toEqual([{ head: 'INFO' }]);
    const or = await query('filter level = "ERROR" or @message like /items\\/4 / | stats count(*) as c');
    expect(or.rows).toEqual([{ c: '3' }]);
  });

  it('queries several log groups by identifier', async () => {
    const { queryId } = await logs.send(new StartQueryCommand({
      logGroupIdentifiers: ['arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/my-fn', '/aws/lambda/other'],
      startTime: T0 / 1000, endTime: (T0 + 60 * MIN) / 1000, queryString: 'filter @message like /ERROR/ | stats count(*) as c by @log | sort c desc',
    }));
    await sw.slipway.settled();
    const out = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(rows(out.results)).toEqual([{ '@log': '000000000000:/aws/lambda/my-fn', c: '4' }, { '@log': '000000000000:/aws/lambda/other', c: '1' }]);
  });

  it('answers MalformedQueryException with the offending position', async () => {
    const bad = async (q: string) => (await logs.send(new StartQueryCommand({ logGroupName: '/aws/lambda/my-fn', startTime: 0, endTime: 1, queryString: q })).catch((e: unknown) => e)) as MalformedQueryException;
    const e1 = await bad('fields @message | frobnicate x');
    expect(e1).toBeInstanceOf(MalformedQueryException);
    expect(e1.queryCompileError?.location).toEqual({ startCharOffset: 18, endCharOffset: 27 });
    const e2 = await bad('stats count(*) by');
    expect(e2.queryCompileError?.location?.startCharOffset).toBe(17);
    const e3 = await bad('filter nosuchfn(@message)');
    expect(e3.message).toContain('nosuchfn is not a Logs Insights function');
    const missing = await logs.send(new StartQueryCommand({ logGroupName: '/nope', startTime: 0, endTime: 1, queryString: 'fields @message' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('reports status through the query lifecycle, stops and describes queries', async () => {
    // In-process, StopQuery lands before the background job gets the thread.
    const api = sw.slipway.aws.service<LogsOperations>('logs', { accountId: '000000000000', region: 'us-east-1' });
    const { queryId } = await api.StartQuery({ logGroupName: '/aws/lambda/my-fn', startTime: T0 / 1000, endTime: T0 / 1000 + 3600, queryString: 'fields @message' });
    expect((await api.GetQueryResults({ queryId: queryId! })).status).toBe('Running');
    expect((await api.StopQuery({ queryId: queryId! })).success).toBe(true);
    await sw.slipway.settled();
    expect((await logs.send(new GetQueryResultsCommand({ queryId }))).status).toBe('Cancelled');
    expect((await logs.send(new StopQueryCommand({ queryId }))).success).toBe(false);
    const described = await logs.send(new DescribeQueriesCommand({ logGroupName: '/aws/lambda/my-fn', status: 'Cancelled' }));
    expect(described.queries?.map((q) => q.queryId)).toEqual([queryId]);
    const complete = await logs.send(new DescribeQueriesCommand({ status: 'Complete', maxResults: 2 }));
    expect(complete.queries).toHaveLength(2);
    expect(complete.nextToken).toBeDefined();
  });
});
