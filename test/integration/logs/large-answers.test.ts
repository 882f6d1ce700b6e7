import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, GetQueryResultsCommand, PutLogEventsCommand, StartQueryCommand,
  type FilteredLogEvent, type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogsOperations } from '../../../src/aws/models/generated/logs.js';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const T0 = Date.UTC(2024, 0, 1, 12);
const TOTAL = 24_000;
const STREAMS = ['web', 'worker', 'cron'];

/** Every other event says ERROR; some need JSON escaping or are not ASCII. */
function message(n: number): string {
  const kinds = [
    `ERROR GET /items/${n} status=500`, `INFO GET /items/${n} status=200`, `ERROR quoted "id-${n}" path C:\\tmp\\${n}`, `DEBUG tab\tand newline\n${n}`,
    `ERROR ünïcødé 日本語 😀 ${n}`, `WARN slow ${n}`, `ERROR ${JSON.stringify({ level: 'ERROR', n })}`, `INFO control \u0001 ${n}`,
  ];
  return kinds[n % kinds.length];
}

/**
 * The largest answers (pages of 10,000 events, 10,000 query rows) are written as JSON text
 * and searched through blocks kept in memory: what the SDK reads must be what a plain scan
 * of the stored events gives, on the first search (blocks read from SQLite) and the next.
 */
describe('CloudWatch Logs large answers through the SDK v3 client', () => {
  let sw: TestSlipway;
  let logs: CloudWatchLogsClient;
  const clock = new ManualClock(T0 + 60 * 60_000);
  const events = Array.from({ length: TOTAL }, (_, n) => ({ n, timestamp: T0 + n * 100, message: message(n), stream: STREAMS[Math.floor(n / 1000) % STREAMS.length] }));
  const errors = events.filter((e) => e.message.includes('ERROR'));

  beforeAll(async () => {
    sw = await startSlipway({ clock });
    logs = new CloudWatchLogsClient(sdkConfig(sw.url));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/big' }));
    for (const s of STREAMS) await logs.send(new CreateLogStreamCommand({ logGroupName: '/big', logStreamName: s }));
    for (let b = 0; b < TOTAL; b += 1000) {
      const batch = events.slice(b, b + 1000);
      await logs.send(new PutLogEventsCommand({ logGroupName: '/big', logStreamName: batch[0].stream, logEvents: batch.map((e) => ({ timestamp: e.timestamp, message: e.message })) }));
    }
  });
  afterAll(() => sw.close());

  async function filterAll(): Promise<{ pages: number[]; events: FilteredLogEvent[] }> {
    const pages: number[] = [];
    const out: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: '/big', filterPattern: 'ERROR', nextToken }));
      pages.push(page.events!.length);
      out.push(...page.events!);
      nextToken = page.nextToken;
    } while (nextToken);
    return { pages, events: out };
  }

  it('FilterLogEvents pages every match once, in order, with the stored text, searched cold and warm', async () => {
    const first = await filterAll();
    expect(first.pages).toEqual([10_000, 2_000]);
    expect(first.events.map((e) => [e.timestamp, e.logStreamName, e.message])).toEqual(errors.map((e) => [e.timestamp, e.stream, e.message]));
    expect(new Set(first.events.map((e) => e.eventId)).size).toBe(errors.length);
    expect(first.events.every((e) => e.ingestionTime === T0 + 60 * 60_000)).toBe(true);
    expect(await filterAll()).toEqual(first);
    // The in-process client reads the same events as objects.
    const inProcess = await sw.slipway.aws.service<LogsOperations>('logs', { accountId: '000000000000', region: 'us-east-1' }).FilterLogEvents({ logGroupName: '/big', filterPattern: 'ERROR' });
    expect(inProcess.events).toEqual(first.events.slice(0, 10_000));
  });

  it('FilterLogEvents cuts pages at 1 MB of UTF-8 message bytes plus 26 per event, as AWS counts', async () => {
    // 3,000 bytes but 1,000 UTF-16 units each: 346 fit in 1,048,576 bytes, not 1,022.
    const wide = '日'.repeat(1000);
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/wide' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/wide', logStreamName: 's' }));
    for (let b = 0; b < 2; b++) {
      await logs.send(new PutLogEventsCommand({ logGroupName: '/wide', logStreamName: 's', logEvents: Array.from({ length: 250 }, (_, i) => ({ timestamp: T0 + b * 250 + i, message: `${b * 250 + i} ${wide}` })) }));
    }
    const pages: number[] = [];
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: '/wide', filterPattern: '日日日', nextToken }));
      pages.push(page.events!.length);
      seen.push(...page.events!.map((e) => e.message!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages).toEqual([346, 154]);
    expect(seen).toEqual(Array.from({ length: 500 }, (_, n) => `${n} ${wide}`));
  });

  async function query(queryString: string): Promise<{ rows: ResultField[][]; matched: number }> {
    const { queryId } = await logs.send(new StartQueryCommand({ logGroupName: '/big', startTime: T0 / 1000, endTime: T0 / 1000 + 3600, queryString }));
    await sw.slipway.settled();
    const out = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(out.status).toBe('Complete');
    return { rows: out.results!, matched: out.statistics!.recordsMatched! };
  }

  it('Logs Insights filter like /ERROR/ answers the newest 10,000 matches with their built-in fields, cold and warm', async () => {
    const first = await query('filter @message like /ERROR/');
    expect(first.matched).toBe(errors.length);
    expect(first.rows.length).toBe(10_000);
    const newest = errors.slice(-10_000).reverse();
    const fields = (r: ResultField[]) => Object.fromEntries(r.filter((f) => f.field!.startsWith('@') && f.field !== '@ptr').map((f) => [f.field, f.value]));
    expect(first.rows.map(fields)).toEqual(newest.map((e) => ({
      '@timestamp': new Date(e.timestamp).toISOString().replace('T', ' ').replace('Z', ''), '@message': e.message, '@logStream': e.stream, '@log': '000000000000:/big',
    })));
    expect(await query('filter @message like /ERROR/')).toEqual(first);
    const counts = await query('filter @message like /ERROR/ | stats count(*) as n by bin(10m)');
    expect(counts.rows.map((r) => Number(r[1].value)).reduce((a, b) => a + b, 0)).toBe(errors.length);
  });
});
