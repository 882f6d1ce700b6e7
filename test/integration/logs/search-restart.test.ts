import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, GetQueryResultsCommand, PutLogEventsCommand, StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway } from '../../helpers/slipway.js';

const T0 = Date.UTC(2024, 0, 1);
const G = '/aws/codebuild/app';

describe('CloudWatch Logs searches across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-logs-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('finds the same events after a restart, and a nextToken from before it still pages on', async () => {
    const clock = new ManualClock(T0 + 3_600_000);
    const first = await startSlipway({ clock, dataDir });
    const logs = new CloudWatchLogsClient(sdkConfig(first.url));
    await logs.send(new CreateLogGroupCommand({ logGroupName: G }));
    for (const s of ['a', 'b']) await logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: s }));
    const messages = (s: string) => Array.from({ length: 30 }, (_, i) => ({ timestamp: T0 + i * 1000 + (s === 'b' ? 500 : 0), message: `${i % 3 === 0 ? 'ERROR' : 'INFO'} ${s} step ${i}` }));
    for (const s of ['a', 'b']) await logs.send(new PutLogEventsCommand({ logGroupName: G, logStreamName: s, logEvents: messages(s) }));
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName: G, filterPattern: 'ERROR', limit: 5 }));
    expect(page.events!.map((e) => e.message)).toEqual(['ERROR a step 0', 'ERROR b step 0', 'ERROR a step 3', 'ERROR b step 3', 'ERROR a step 6']);
    await first.close();

    const second = await startSlipway({ clock, dataDir });
    try {
      const again = new CloudWatchLogsClient(sdkConfig(second.url));
      const rest: string[] = [];
      let nextToken = page.nextToken;
      while (nextToken) {
        const r = await again.send(new FilterLogEventsCommand({ logGroupName: G, filterPattern: 'ERROR', limit: 5, nextToken }));
        rest.push(...r.events!.map((e) => e.message!));
        nextToken = r.nextToken;
      }
      expect(rest).toHaveLength(15);
      expect(rest[0]).toBe('ERROR b step 6');
      expect(rest.at(-1)).toBe('ERROR b step 27');
      const { queryId } = await again.send(new StartQueryCommand({
        logGroupName: G, startTime: T0 / 1000, endTime: T0 / 1000 + 60, queryString: 'filter @message like /ERROR/ | stats count(*) as n by @logStream',
      }));
      await second.slipway.settled();
      const out = await again.send(new GetQueryResultsCommand({ queryId }));
      expect(out.status).toBe('Complete');
      expect(out.results!.map((r) => r.map((f) => f.value))).toEqual([['a', '10'], ['b', '10']]);
      expect(out.statistics).toMatchObject({ recordsMatched: 20, recordsScanned: 60 });
    } finally {
      await second.close();
    }
  });
});
