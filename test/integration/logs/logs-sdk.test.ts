import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand,
  FilterLogEventsCommand, GetLogEventsCommand, InvalidParameterException, ListTagsForResourceCommand, ListTagsLogGroupCommand, PutLogEventsCommand,
  PutRetentionPolicyCommand, ResourceAlreadyExistsException, ResourceNotFoundException, TagLogGroupCommand, TagResourceCommand, UntagResourceCommand,
  DeleteRetentionPolicyCommand, AssociateKmsKeyCommand, DeleteLogStreamCommand, PutMetricFilterCommand, DescribeMetricFiltersCommand, TestMetricFilterCommand,
  DeleteMetricFilterCommand, PutSubscriptionFilterCommand, DescribeSubscriptionFiltersCommand, StartLiveTailCommand, GetQueryResultsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PutMetricDataInput } from '../../../src/aws/models/generated/cloudwatch.js';
import type { LogsOperations } from '../../../src/aws/models/generated/logs.js';
import { SERVICES } from '../../../src/services/registry.js';
import type { ServiceDefinition } from '../../../src/services/service.js';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

describe('CloudWatch Logs through the SDK v3 client', () => {
  let sw: TestSlipway;
  let logs: CloudWatchLogsClient;
  const clock = new ManualClock(T0 + 60 * MIN);

  beforeAll(async () => {
    sw = await startSlipway({ clock });
    logs = new CloudWatchLogsClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  const put = (group: string, stream: string, events: [number, string][]) =>
    logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events.map(([timestamp, message]) => ({ timestamp, message })) }));

  it('creates, describes with prefix, pattern and pagination, and deletes log groups', async () => {
    for (const name of ['/aws/codebuild/app', '/aws/codebuild/web', '/aws/lambda/fn', 'other']) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: { team: 'ci' } }));
    }
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: 'other' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    const first = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/codebuild/', limit: 1 }));
    expect(first.logGroups?.map((g) => g.logGroupName)).toEqual(['/aws/codebuild/app']);
    expect(first.logGroups?.[0]).toMatchObject({ arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/codebuild/app:*', logGroupArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/codebuild/app', creationTime: T0 + 60 * MIN, metricFilterCount: 0, storedBytes: 0, logGroupClass: 'STANDARD' });
    const second = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/codebuild/', limit: 1, nextToken: first.nextToken }));
    expect(second.logGroups?.map((g) => g.logGroupName)).toEqual(['/aws/codebuild/web']);
    expect(second.nextToken).toBeUndefined();
    const byPattern = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'lambda' }));
    expect(byPattern.logGroups?.map((g) => g.logGroupName)).toEqual(['/aws/lambda/fn']);
    await expect(logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'a', logGroupNamePrefix: 'b' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: 'other' }));
    await expect(logs.send(new DeleteLogGroupCommand({ logGroupName: 'other' }))).rejects.toThrow('The specified log group does not exist.');
  });

  it('keeps tags through both tagging APIs, retention and the KMS key', async () => {
    const g = '/aws/lambda/fn';
    await logs.send(new TagLogGroupCommand({ logGroupName: g, tags: { env: 'dev' } }));
    const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn';
    await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: 'me' } }));
    await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    expect((await logs.send(new ListTagsLogGroupCommand({ logGroupName: g }))).tags).toEqual({ env: 'dev', owner: 'me' });
    expect((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ env: 'dev', owner: 'me' });
    await expect(logs.send(new PutRetentionPolicyCommand({ logGroupName: g, retentionInDays: 2 }))).rejects.toThrow(/retentionInDays/);
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: g, retentionInDays: 7 }));
    const key = 'arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await logs.send(new AssociateKmsKeyCommand({ logGroupName: g, kmsKeyId: key }));
    const [desc] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }))).logGroups!;
    expect(desc).toMatchObject({ retentionInDays: 7, kmsKeyId: key });
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: g }));
    const [after] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }))).logGroups!;
    expect(after.retentionInDays).toBeUndefined();
  });

  it('applies the PutLogEvents batch rules', async () => {
    const g = '/aws/codebuild/app';
    await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'rules' }));
    await expect(logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'rules' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    const now = clock.now();
    await expect(put(g, 'rules', [[now, 'b'], [now - 1, 'a']])).rejects.toThrow('Log events in a single PutLogEvents request must be in chronological order.');
    await expect(put(g, 'rules', [[now - 25 * 60 * MIN, 'a'], [now, 'b']])).rejects.toThrow('cannot span more than 24 hours');
    await expect(put(g, 'nope', [[now, 'a']])).rejects.toThrow('The specified log stream does not exist.');
    await expect(put(g, 'rules', [[now, 'x'.repeat(262_144)]])).rejects.toThrow('Log event too large');
    const fortnight = 14 * 24 * 60 * MIN;
    const r1 = await put(g, 'rules', [[now - fortnight - 60 * MIN, 'too old'], [now - fortnight + 60 * MIN, 'kept 1']]);
    expect(r1.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 0 });
    const r2 = await put(g, 'rules', [[now - MIN, 'kept 2'], [now, 'kept 3'], [now + 3 * 60 * MIN, 'too new']]);
    expect(r2.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 2 });
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 'rules', startFromHead: true }));
    expect(got.events?.map((e) => e.message)).toEqual(['kept 1', 'kept 2', 'kept 3']);
    expect(got.events?.[0].ingestionTime).toBe(now);
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: g }));
    expect(streams.logStreams?.[0]).toMatchObject({ logStreamName: 'rules', firstEventTimestamp: now - fortnight + 60 * MIN, lastEventTimestamp: now, lastIngestionTime: now });
  });

  it('pages GetLogEvents forward and backward with AWS token semantics', async () => {
    const g = '/aws/codebuild/web';
    await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
    const base = clock.now() - 30 * MIN;
    await put(g, 's', Array.from({ length: 10 }, (_, i) => [base + i * 1000, `line ${i}`] as [number, string]));
    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', limit: 3 }));
    expect(tail.events?.map((e) => e.message)).toEqual(['line 7', 'line 8', 'line 9']);
    expect(tail.nextForwardToken).toMatch(/^f\/\d{56}\/s$/);
    expect(tail.nextBackwardToken).toMatch(/^b\/\d{56}\/s$/);
    const back = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', limit: 3, nextToken: tail.nextBackwardToken }));
    expect(back.events?.map((e) => e.message)).toEqual(['line 4', 'line 5', 'line 6']);
    const end = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', nextToken: tail.nextForwardToken }));
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(tail.nextForwardToken);
    await put(g, 's', [[base + 20_000, 'line 10']]);
    const more = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', nextToken: end.nextForwardToken }));
    expect(more.events?.map((e) => e.message)).toEqual(['line 10']);
    const head = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', startFromHead: true, limit: 2 }));
    expect(head.events?.map((e) => e.message)).toEqual(['line 0', 'line 1']);
    const next = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', limit: 2, nextToken: head.nextForwardToken }));
    expect(next.events?.map((e) => e.message)).toEqual(['line 2', 'line 3']);
    const ranged = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', startFromHead: true, startTime: base + 2000, endTime: base + 4000 }));
    expect(ranged.events?.map((e) => e.message)).toEqual(['line 2', 'line 3']);
  });

  it('filters events across streams, interleaved by time, with patterns and pagination', async () => {
    const g = '/aws/lambda/fn';
    await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'a' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'b' }));
    const t = clock.now() - 10 * MIN;
    await put(g, 'a', [[t, 'ERROR disk full'], [t + 2, '{"level":"ERROR","latency":150}'], [t + 4, 'INFO ok']]);
    await put(g, 'b', [[t + 1, 'WARN slow'], [t + 3, '{"level":"INFO","latency":500}'], [t + 5, 'ERROR Exiting']]);
    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: g }));
    expect(all.events?.map((e) => `${e.logStreamName}:${e.timestamp! - t}`)).toEqual(['a:0', 'b:1', 'a:2', 'b:3', 'a:4', 'b:5']);
    const f = async (filterPattern: string) => (await logs.send(new FilterLogEventsCommand({ logGroupName: g, filterPattern }))).events!.map((e) => e.message);
    expect(await f('ERROR')).toEqual(['ERROR disk full', '{"level":"ERROR","latency":150}', 'ERROR Exiting']);
    expect(await f('ERROR -Exiting')).toEqual(['ERROR disk full', '{"level":"ERROR","latency":150}']);
    expect(await f('?WARN ?Exiting')).toEqual(['WARN slow', 'ERROR Exiting']);
    expect(await f('"disk full"')).toEqual(['ERROR disk full']);
    expect(await f('{ $.level = "ERROR" && $.latency > 100 }')).toEqual(['{"level":"ERROR","latency":150}']);
    expect(await f('{ $.latency >= 150 }')).toEqual(['{"level":"ERROR","latency":150}', '{"level":"INFO","latency":500}']);
    expect(await f('[level = ERROR, ...]')).toEqual(['ERROR disk full', 'ERROR Exiting']);
    await expect(f('{ $.level = }')).rejects.toBeInstanceOf(InvalidParameterException);
    const page1 = await logs.send(new FilterLogEventsCommand({ logGroupName: g, limit: 4 }));
    expect(page1.events).toHaveLength(4);
    const page2 = await logs.send(new FilterLogEventsCommand({ logGroupName: g, limit: 4, nextToken: page1.nextToken }));
    expect(page2.events?.map((e) => e.message)).toEqual(['INFO ok', 'ERROR Exiting']);
    expect(page2.nextToken).toBeUndefined();
    const onlyB = await logs.send(new FilterLogEventsCommand({ logGroupName: g, logStreamNames: ['b'], startTime: t + 2, endTime: t + 5 }));
    expect(onlyB.events?.map((e) => e.message)).toEqual(['{"level":"INFO","latency":500}', 'ERROR Exiting']);
    const ids = new Set(all.events!.map((e) => e.eventId));
    expect(ids.size).toBe(6);
  });

  it('pages a term search to the end, also when events arrive between pages', async () => {
    const g = '/aws/codebuild/paged';
    await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
    const t = clock.now() - 20 * MIN;
    await put(g, 's', Array.from({ length: 30 }, (_, i) => [t + i, i % 3 === 0 ? `ERROR ${i}` : `INFO ${i}`] as [number, string]));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const r = await logs.send(new FilterLogEventsCommand({ logGroupName: g, filterPattern: 'ERROR', limit: 3, nextToken }));
      seen.push(...r.events!.map((e) => e.message!));
      nextToken = r.nextToken;
      if (++pages === 2) await put(g, 's', [[t + 100, 'ERROR late']]);
    } while (nextToken);
    expect(seen).toEqual([...Array.from({ length: 10 }, (_, i) => `ERROR ${i * 3}`), 'ERROR late']);
  });

  it('deletes streams with their events', async () => {
    await logs.send(new DeleteLogStreamCommand({ logGroupName: '/aws/lambda/fn', logStreamName: 'b' }));
    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/fn' }));
    expect(all.events?.every((e) => e.logStreamName === 'a')).toBe(true);
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: '/aws/lambda/fn', logStreamName: 'b' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('stores, describes, tests and deletes metric filters', async () => {
    const g = '/aws/lambda/fn';
    await logs.send(new PutMetricFilterCommand({
      logGroupName: g, filterName: 'errors', filterPattern: '{ $.level = "ERROR" }',
      metricTransformations: [{ metricName: 'Latency', metricNamespace: 'App', metricValue: '$.latency', unit: 'Milliseconds' }],
    }));
    const described = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: g }));
    expect(described.metricFilters?.[0]).toMatchObject({ filterName: 'errors', logGroupName: g, metricTransformations: [{ metricName: 'Latency', metricValue: '$.latency' }] });
    const byMetric = await logs.send(new DescribeMetricFiltersCommand({ metricName: 'Latency', metricNamespace: 'App' }));
    expect(byMetric.metricFilters).toHaveLength(1);
    const [group] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }))).logGroups!;
    expect(group.metricFilterCount).toBe(1);
    // CloudWatch metrics are not served yet: the events must still be stored.
    const r = await put(g, 'a', [[clock.now(), '{"level":"ERROR","latency":42}']]);
    expect(r.rejectedLogEventsInfo).toBeUndefined();
    await sw.slipway.settled();
    const seen = await logs.send(new FilterLogEventsCommand({ logGroupName: g, filterPattern: '{ $.latency = 42 }' }));
    expect(seen.events).toHaveLength(1);
    const test = await logs.send(new TestMetricFilterCommand({
      filterPattern: '[ip, user, username, timestamp, request, status_code = 4*, bytes]',
      logEventMessages: [
        '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534',
        '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
      ],
    }));
    expect(test.matches).toHaveLength(1);
    expect(test.matches?.[0]).toMatchObject({ eventNumber: 1, extractedValues: { $ip: '127.0.0.1', $timestamp: '10/Oct/2000:13:25:15 -0700', $request: 'GET /apache_pb.gif HTTP/1.0', $status_code: '404', $bytes: '1534' } });
    await logs.send(new DeleteMetricFilterCommand({ logGroupName: g, filterName: 'errors' }));
    await expect(logs.send(new DeleteMetricFilterCommand({ logGroupName: g, filterName: 'errors' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses subscription filters to destinations it cannot deliver to', async () => {
    const g = '/aws/lambda/fn';
    const err = await logs.send(new PutSubscriptionFilterCommand({ logGroupName: g, filterName: 'ship', filterPattern: '', destinationArn: 'arn:aws:lambda:us-east-1:000000000000:function:shipper' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toContain('AWS Lambda functions');
    expect((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: g }))).subscriptionFilters).toEqual([]);
  });

  it('sweeps events older than the retention period with the job queue', async () => {
    const g = '/aws/codebuild/retained';
    await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
    const now = clock.now();
    await put(g, 's', [[now - 3 * 24 * 60 * MIN, 'three days old']]);
    await put(g, 's', [[now - 12 * 60 * MIN, 'recent']]);
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: g, retentionInDays: 1 }));
    clock.advance(1);
    await sw.slipway.settled();
    const left = await logs.send(new FilterLogEventsCommand({ logGroupName: g }));
    expect(left.events?.map((e) => e.message)).toEqual(['recent']);
    clock.advance(24 * 60 * MIN);
    await sw.slipway.settled();
    expect((await logs.send(new FilterLogEventsCommand({ logGroupName: g }))).events).toEqual([]);
  });
});

describe('Live Tail through the SDK v3 client', () => {
  it('streams sessionStart, then matching events once a second, and ends when the client leaves', async () => {
    const clock = new ManualClock(T0);
    const sw = await startSlipway({ clock });
    // StartLiveTail's endpoint carries the host prefix `stream-`; a local endpoint takes no prefix.
    const logs = new CloudWatchLogsClient({ ...sdkConfig(sw.url), disableHostPrefix: true });
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/codebuild/my-build-project' }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/codebuild/my-build-project', logStreamName: 'build-1' }));
      await expect(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/nope'] }))).rejects.toBeInstanceOf(ResourceNotFoundException);
      const out = await logs.send(new StartLiveTailCommand({
        logGroupIdentifiers: ['arn:aws:logs:us-east-1:000000000000:log-group:/aws/codebuild/my-build-project'], logEventFilterPattern: '-DEBUG',
      }));
      const events = out.responseStream![Symbol.asyncIterator]();
      const first = await events.next();
      expect(first.value.sessionStart).toMatchObject({ logGroupIdentifiers: ['arn:aws:logs:us-east-1:000000000000:log-group:/aws/codebuild/my-build-project'], logEventFilterPattern: '-DEBUG' });
      // A build streams its output through the in-process client.
      const api = sw.slipway.aws.service<LogsOperations>('logs', { accountId: '000000000000', region: 'us-east-1' });
      await api.PutLogEvents({ logGroupName: '/aws/codebuild/my-build-project', logStreamName: 'build-1', logEvents: [
        { timestamp: T0, message: '[Container] Entering phase BUILD' }, { timestamp: T0 + 1, message: 'DEBUG noise' }, { timestamp: T0 + 2, message: 'npm test' },
      ] });
      clock.advance(1000);
      const update = await events.next();
      expect(update.value.sessionUpdate.sessionMetadata).toEqual({ sampled: false });
      expect(update.value.sessionUpdate.sessionResults.map((e: { message: string; logStreamName: string }) => `${e.logStreamName}: ${e.message}`)).toEqual([
        'build-1: [Container] Entering phase BUILD', 'build-1: npm test',
      ]);
      clock.advance(1000);
      expect((await events.next()).value.sessionUpdate.sessionResults).toEqual([]);
      await events.return?.();
    } finally {
      logs.destroy();
      await sw.close();
    }
  });
});

describe('CloudWatch Logs across a restart', () => {
  it('keeps groups, streams, events, filters and query results', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-logs-'));
    const clock = new ManualClock(T0 + 60 * MIN);
    const scope = { accountId: '000000000000', region: 'us-east-1' };
    try {
      const first = await startSlipway({ clock, dataDir });
      const api = first.slipway.aws.service<LogsOperations>('logs', scope);
      await api.CreateLogGroup({ logGroupName: '/kept' });
      await api.CreateLogStream({ logGroupName: '/kept', logStreamName: 's' });
      await api.PutLogEvents({ logGroupName: '/kept', logStreamName: 's', logEvents: [{ timestamp: T0, message: 'ERROR before restart' }, { timestamp: T0 + 1, message: 'INFO fine' }] });
      await api.PutMetricFilter({ logGroupName: '/kept', filterName: 'errors', filterPattern: 'ERROR', metricTransformations: [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1' }] });
      const { queryId } = await api.StartQuery({ logGroupName: '/kept', startTime: T0 / 1000, endTime: T0 / 1000 + 60, queryString: 'stats count(*) as n' });
      await first.slipway.settled();
      await first.close();

      const second = await startSlipway({ clock, dataDir });
      const logs = new CloudWatchLogsClient(sdkConfig(second.url));
      try {
        const got = await logs.send(new GetLogEventsCommand({ logGroupName: '/kept', logStreamName: 's', startFromHead: true }));
        expect(got.events?.map((e) => e.message)).toEqual(['ERROR before restart', 'INFO fine']);
        expect((await logs.send(new DescribeMetricFiltersCommand({ logGroupName: '/kept' }))).metricFilters?.map((f) => f.filterName)).toEqual(['errors']);
        const results = await logs.send(new GetQueryResultsCommand({ queryId }));
        expect(results.status).toBe('Complete');
        expect(results.results).toEqual([[{ field: 'n', value: '2' }]]);
        const [stream] = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/kept' }))).logStreams!;
        expect(stream).toMatchObject({ firstEventTimestamp: T0, lastEventTimestamp: T0 + 1 });
      } finally {
        logs.destroy();
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('Metric filters publishing to CloudWatch', () => {
  it('sends the matched values, dimensions and default values to PutMetricData', async () => {
    const received: PutMetricDataInput[] = [];
    // A stand-in CloudWatch that records what it is sent, until the real one is served.
    const cloudwatch: ServiceDefinition = { name: 'cloudwatch', create: () => ({ provider: { PutMetricData: async (input: PutMetricDataInput) => (received.push(input), {}) } }) };
    const clock = new ManualClock(T0 + 60 * MIN);
    const sw = await startSlipway({ clock, services: [...SERVICES, cloudwatch] });
    const api = sw.slipway.aws.service<LogsOperations>('logs', { accountId: '000000000000', region: 'us-east-1' });
    try {
      await api.CreateLogGroup({ logGroupName: '/app' });
      await api.CreateLogStream({ logGroupName: '/app', logStreamName: 's' });
      await api.PutMetricFilter({
        logGroupName: '/app', filterName: 'latency', filterPattern: '{ $.latency > 0 }',
        metricTransformations: [{ metricName: 'Latency', metricNamespace: 'App', metricValue: '$.latency', unit: 'Milliseconds', dimensions: { Route: '$.route' } }],
      });
      await api.PutMetricFilter({
        logGroupName: '/app', filterName: 'errors', filterPattern: '[level = ERROR, ...]',
        metricTransformations: [{ metricName: 'Errors', metricNamespace: 'App/Errors', metricValue: '1', defaultValue: 0 }],
      });
      await api.PutLogEvents({ logGroupName: '/app', logStreamName: 's', logEvents: [
        { timestamp: T0, message: '{"latency":120,"route":"/a"}' }, { timestamp: T0 + 1, message: 'INFO ok' }, { timestamp: T0 + 2, message: '{"latency":30,"route":"/b"}' },
      ] });
      await sw.slipway.settled();
      const latency = received.find((r) => r.Namespace === 'App')!;
      expect(latency.MetricData?.map((d) => [d.MetricName, d.Value, d.Unit, d.Dimensions, d.Timestamp?.getTime()])).toEqual([
        ['Latency', 120, 'Milliseconds', [{ Name: 'Route', Value: '/a' }], T0],
        ['Latency', 30, 'Milliseconds', [{ Name: 'Route', Value: '/b' }], T0 + 2],
      ]);
      // No ERROR line in the batch: the default value is published instead.
      expect(received.find((r) => r.Namespace === 'App/Errors')?.MetricData?.map((d) => [d.MetricName, d.Value])).toEqual([['Errors', 0]]);
    } finally {
      await sw.close();
    }
  });
});
