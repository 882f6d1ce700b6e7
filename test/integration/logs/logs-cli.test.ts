import { CloudWatchLogsClient, FilterLogEventsCommand, PutLogEventsCommand, type FilterLogEventsCommandInput, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogsOperations } from '../../../src/aws/models/generated/logs.js';
import { ManualClock } from '../../../src/core/clock.js';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const MIN = 60_000;
const BUILD_GROUP = '/aws/codebuild/my-build-project';

describe('CloudWatch Logs through the aws CLI', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  // Event timestamps must be near "now" for PutLogEvents, so the clock starts at real time.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const now = clock.now();

  beforeAll(async () => {
    sw = await startSlipway({ clock });
    cli = awsCli(sw.env);
  });
  afterAll(() => sw.close());

  it('creates a group and stream, puts events and reads them back', async () => {
    expect((await cli('logs', 'create-log-group', '--log-group-name', BUILD_GROUP, '--tags', 'project=my-build-project')).code).toBe(0);
    expect((await cli('logs', 'create-log-stream', '--log-group-name', BUILD_GROUP, '--log-stream-name', 'build-1')).code).toBe(0);
    const put = await cli('logs', 'put-log-events', '--log-group-name', BUILD_GROUP, '--log-stream-name', 'build-1', '--log-events',
      `timestamp=${now - 5 * MIN},message="[Container] Entering phase BUILD"`, `timestamp=${now - 4 * MIN},message="ERROR npm test failed"`, `timestamp=${now - 3 * MIN},message="Phase complete: BUILD State: FAILED"`);
    expect(put.code, put.stderr).toBe(0);
    expect(put.json()).toHaveProperty('nextSequenceToken');
    const groups = await cli('logs', 'describe-log-groups', '--log-group-name-prefix', '/aws/codebuild/');
    expect(groups.json<{ logGroups: { logGroupName: string; storedBytes: number }[] }>().logGroups).toMatchObject([{ logGroupName: BUILD_GROUP }]);
    const got = await cli('logs', 'get-log-events', '--log-group-name', BUILD_GROUP, '--log-stream-name', 'build-1', '--start-from-head');
    expect(got.json<{ events: { message: string }[] }>().events.map((e) => e.message)).toEqual([
      '[Container] Entering phase BUILD', 'ERROR npm test failed', 'Phase complete: BUILD State: FAILED',
    ]);
    const filtered = await cli('logs', 'filter-log-events', '--log-group-name', BUILD_GROUP, '--filter-pattern', 'ERROR');
    expect(filtered.json<{ events: { message: string }[] }>().events.map((e) => e.message)).toEqual(['ERROR npm test failed']);
    const missing = await cli('logs', 'put-log-events', '--log-group-name', BUILD_GROUP, '--log-stream-name', 'nope', '--log-events', `timestamp=${now},message=x`);
    expect(missing.stderr).toContain('An error occurred (ResourceNotFoundException) when calling the PutLogEvents operation: The specified log stream does not exist.');
    const tags = await cli('logs', 'list-tags-log-group', '--log-group-name', BUILD_GROUP);
    expect(tags.json()).toEqual({ tags: { project: 'my-build-project' } });
  });

  it('runs the seed Logs Insights query with start-query and get-query-results', async () => {
    // Setup through the in-process client; the seed's commands through the CLI.
    const api = sw.slipway.aws.service<LogsOperations>('logs', { accountId: '000000000000', region: 'us-east-1' });
    await api.CreateLogGroup({ logGroupName: '/aws/lambda/my-fn' });
    await api.CreateLogStream({ logGroupName: '/aws/lambda/my-fn', logStreamName: '2024/01/01/[$LATEST]abc' });
    const base = now - (now % (5 * MIN)) - 10 * MIN;
    const events = ([[0, 'ERROR a'], [1, 'INFO b'], [2, 'ERROR c'], [6, 'ERROR d'], [7, 'INFO e']] as const).map(([m, message]) => ({ timestamp: base + m * MIN, message }));
    await api.PutLogEvents({ logGroupName: '/aws/lambda/my-fn', logStreamName: '2024/01/01/[$LATEST]abc', logEvents: events });
    const started = await cli('logs', 'start-query', '--log-group-name', '/aws/lambda/my-fn',
      '--start-time', String(Math.floor((now - 60 * MIN) / 1000)), '--end-time', String(Math.floor(now / 1000)),
      '--query-string', 'fields @timestamp, @message, @duration | filter @message like /ERROR/ | stats count() as error_count by bin(5m)');
    expect(started.code, started.stderr).toBe(0);
    const { queryId } = started.json<{ queryId: string }>();
    await sw.slipway.settled();
    const results = await cli('logs', 'get-query-results', '--query-id', queryId);
    const out = results.json<{ status: string; results: { field: string; value: string }[][]; statistics: Record<string, number> }>();
    expect(out.status).toBe('Complete');
    const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    expect(out.results).toEqual([
      [{ field: 'bin(5m)', value: iso(base) }, { field: 'error_count', value: '2' }],
      [{ field: 'bin(5m)', value: iso(base + 5 * MIN) }, { field: 'error_count', value: '1' }],
    ]);
    expect(out.statistics).toMatchObject({ recordsMatched: 3, recordsScanned: 5 });
    const bad = await cli('logs', 'start-query', '--log-group-name', '/aws/lambda/my-fn', '--start-time', '0', '--end-time', '1', '--query-string', 'filter @message like');
    expect(bad.stderr).toContain('(MalformedQueryException) when calling the StartQuery operation');
  });

  it('answers the calls `aws logs tail` (CLI v2) makes without --follow: the filter-log-events paginator', async () => {
    // CLI v2 `logs tail GROUP` pages FilterLogEvents with logGroupName, interleaved=true and
    // startTime = now - 10m (--since); CLI v1 auto-paginates the same way (--page-size sets limit).
    const api = sw.slipway.aws.service<LogsOperations>('logs', { accountId: '000000000000', region: 'us-east-1' });
    await api.CreateLogStream({ logGroupName: BUILD_GROUP, logStreamName: 'build-2' });
    await api.PutLogEvents({ logGroupName: BUILD_GROUP, logStreamName: 'build-2', logEvents: Array.from({ length: 7 }, (_, i) => ({ timestamp: now - 2 * MIN + i, message: `line ${i}` })) });
    const r = await cli('logs', 'filter-log-events', '--log-group-name', BUILD_GROUP, '--interleaved', '--start-time', String(now - 10 * MIN), '--page-size', '3');
    expect(r.code, r.stderr).toBe(0);
    const events = r.json<{ events: { logStreamName: string; message: string; eventId: string }[] }>().events;
    expect(events.map((e) => e.message)).toEqual(['[Container] Entering phase BUILD', 'ERROR npm test failed', 'Phase complete: BUILD State: FAILED', ...Array.from({ length: 7 }, (_, i) => `line ${i}`)]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  it('answers the calls `aws logs tail --follow` makes: FilterLogEvents polled from the newest timestamp, deduplicated by eventId', async () => {
    const logs = new CloudWatchLogsClient(sdkConfig(sw.url));
    const api = sw.slipway.aws.service<LogsOperations>('logs', { accountId: '000000000000', region: 'us-east-1' });
    await api.CreateLogStream({ logGroupName: BUILD_GROUP, logStreamName: 'build-3' });
    const put = (events: [number, string][]) => logs.send(new PutLogEventsCommand({ logGroupName: BUILD_GROUP, logStreamName: 'build-3', logEvents: events.map(([timestamp, message]) => ({ timestamp, message })) }));
    const t = now + 1000;
    await put([[t, 'first'], [t + 1, 'second']]);
    // The CLI's FollowLogEventsGenerator, step by step: the same request parameters and bookkeeping.
    const shown: string[] = [];
    const seen = new Map<number, Set<string>>();
    const params: FilterLogEventsCommandInput = { logGroupName: BUILD_GROUP, interleaved: true, startTime: t - 1, logStreamNames: ['build-3'] };
    const poll = async () => {
      for (;;) {
        const r = await logs.send(new FilterLogEventsCommand(params));
        for (const e of r.events as FilteredLogEvent[]) {
          const ids = seen.get(e.timestamp!) ?? new Set<string>();
          seen.set(e.timestamp!, ids);
          if (!ids.has(e.eventId!)) {
            ids.add(e.eventId!);
            shown.push(e.message!);
          }
        }
        const newest = Math.max(...seen.keys());
        for (const k of [...seen.keys()]) if (k !== newest) seen.delete(k);
        if (r.nextToken) params.nextToken = r.nextToken;
        else {
          if (seen.size) params.startTime = newest;
          delete params.nextToken;
          return; // the CLI sleeps 5 s here and polls again
        }
      }
    };
    await poll();
    expect(shown).toEqual(['first', 'second']);
    // A build service streams more output through the in-process client: the next poll sees it at once.
    await api.PutLogEvents({ logGroupName: BUILD_GROUP, logStreamName: 'build-3', logEvents: [{ timestamp: t + 1, message: 'same millisecond' }, { timestamp: t + 2, message: 'third' }] });
    await poll();
    expect(shown).toEqual(['first', 'second', 'same millisecond', 'third']);
    await poll();
    expect(shown).toHaveLength(4);
    expect(params.startTime).toBe(t + 2);
  });
});
