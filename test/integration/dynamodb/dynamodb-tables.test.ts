import {
  CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, ListTagsOfResourceCommand,
  PutItemCommand, QueryCommand, ResourceNotFoundException, ScanCommand, TagResourceCommand, UntagResourceCommand, UpdateTableCommand, UpdateTimeToLiveCommand,
  type AttributeValue, type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const S = (s: string) => ({ S: s });
const N = (n: number | string) => ({ N: String(n) });

describe('DynamoDB tables, queries and scans through the SDK v3 client', () => {
  let sw: TestSlipway;
  let ddb: DynamoDBClient;
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-ddb-'));

  beforeAll(async () => {
    sw = await startSlipway({ clock, dataDir });
    ddb = new DynamoDBClient(sdkConfig(sw.url));
    await ddb.send(new CreateTableCommand({
      TableName: 'orders',
      AttributeDefinitions: [{ AttributeName: 'customer', AttributeType: 'S' }, { AttributeName: 'seq', AttributeType: 'N' }, { AttributeName: 'status', AttributeType: 'S' }, { AttributeName: 'total', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'seq', KeyType: 'RANGE' }],
      LocalSecondaryIndexes: [{ IndexName: 'by-total', KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'total', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
      GlobalSecondaryIndexes: [{ IndexName: 'by-status', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'seq', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      Tags: [{ Key: 'team', Value: 'shop' }],
    }));
    const seqs = ['-10', '-2.5', '0', '1', '1.5', '2', '10', '100'];
    for (const [i, seq] of seqs.entries()) {
      const item: Record<string, AttributeValue> = { customer: S('c1'), seq: N(seq), total: N(i * 10), note: S(`n${i}`) };
      if (i % 2 === 0) item.status = S('open');
      await ddb.send(new PutItemCommand({ TableName: 'orders', Item: item }));
    }
    await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { customer: S('c2'), seq: N(1), total: N(5), status: S('open') } }));
  });
  afterAll(async () => {
    await sw.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const seqsOf = (items: Record<string, AttributeValue>[] | undefined) => (items ?? []).map((i) => i.seq.N ?? '');
  const query = (input: Partial<QueryCommandInput>) => ddb.send(new QueryCommand({ TableName: 'orders', ...input }));

  it('describes tables with counts, indexes and stream settings, and rejects bad schemas', async () => {
    const t = (await ddb.send(new DescribeTableCommand({ TableName: 'orders' }))).Table!;
    expect(t).toMatchObject({ TableStatus: 'ACTIVE', ItemCount: 9, BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' }, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    expect(t.TableSizeBytes).toBeGreaterThan(100);
    expect(t.GlobalSecondaryIndexes![0]).toMatchObject({ IndexName: 'by-status', IndexStatus: 'ACTIVE', ItemCount: 5, IndexArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/by-status' });
    expect(t.LocalSecondaryIndexes![0]).toMatchObject({ IndexName: 'by-total', ItemCount: 9 });
    expect(t.LatestStreamArn).toMatch(/^arn:aws:dynamodb:us-east-1:000000000000:table\/orders\/stream\//);
    const create = (input: Record<string, unknown>) => ddb.send(new CreateTableCommand({ TableName: 'bad', BillingMode: 'PAY_PER_REQUEST', ...input } as never));
    await expect(create({ AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'b', KeyType: 'HASH' }] }))
      .rejects.toThrow('One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [b], AttributeDefinitions: [a]');
    await expect(create({ AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }, { AttributeName: 'x', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }] }))
      .rejects.toThrow('Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
    await expect(create({ AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'a', KeyType: 'RANGE' }] }))
      .rejects.toThrow('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
    await expect(create({ BillingMode: 'PROVISIONED', AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }] }))
      .rejects.toThrow('ReadCapacityUnits and WriteCapacityUnits must both be specified');
    await expect(ddb.send(new DescribeTableCommand({ TableName: 'missing' }))).rejects.toThrow('Requested resource not found: Table: missing not found');
  });

  it('queries sort keys numerically with every key condition', async () => {
    const pk = { ':c': S('c1') };
    expect(seqsOf((await query({ KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: pk })).Items)).toEqual(['-10', '-2.5', '0', '1', '1.5', '2', '10', '100']);
    const cases: [string, Record<string, AttributeValue>, string[]][] = [
      ['seq = :a', { ':a': N('1.50') }, ['1.5']],
      ['seq < :a', { ':a': N(0) }, ['-10', '-2.5']],
      ['seq <= :a', { ':a': N(0) }, ['-10', '-2.5', '0']],
      ['seq > :a', { ':a': N(2) }, ['10', '100']],
      ['seq >= :a', { ':a': N(2) }, ['2', '10', '100']],
      ['seq BETWEEN :a AND :b', { ':a': N(-3), ':b': N(1.5) }, ['-2.5', '0', '1', '1.5']],
    ];
    for (const [cond, values, expected] of cases) {
      const r = await query({ KeyConditionExpression: `customer = :c AND ${cond}`, ExpressionAttributeValues: { ...pk, ...values } });
      expect(seqsOf(r.Items), cond).toEqual(expected);
    }
    const desc = await query({ KeyConditionExpression: 'customer = :c AND seq > :a', ExpressionAttributeValues: { ...pk, ':a': N(1) }, ScanIndexForward: false });
    expect(seqsOf(desc.Items)).toEqual(['100', '10', '2', '1.5']);
    await expect(query({ KeyConditionExpression: 'seq = :a', ExpressionAttributeValues: { ':a': N(1) } })).rejects.toThrow('Query condition missed key schema element: customer');
    await expect(query({ KeyConditionExpression: 'customer = :c AND begins_with(seq, :a)', ExpressionAttributeValues: { ...pk, ':a': N(1) } })).rejects.toThrow('begins_with, operand type: N');
    await expect(query({ KeyConditionExpression: 'customer = :c OR seq = :a', ExpressionAttributeValues: { ...pk, ':a': N(1) } })).rejects.toThrow('Query key condition not supported');
    await expect(query({ KeyConditionExpression: 'customer = :c', FilterExpression: 'seq > :a', ExpressionAttributeValues: { ...pk, ':a': N(1) } }))
      .rejects.toThrow('Filter Expression can only contain non-primary key attributes: Primary key attribute: seq');
  });

  it('pages with Limit and ExclusiveStartKey, filters after the limit and counts', async () => {
    const seen: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    let pages = 0;
    do {
      const r = await query({ KeyConditionExpression: 'customer = :c', FilterExpression: 'attribute_exists(#s)', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':c': S('c1') }, Limit: 3, ExclusiveStartKey: start });
      expect(r.ScannedCount).toBeLessThanOrEqual(3);
      seen.push(...seqsOf(r.Items));
      start = r.LastEvaluatedKey;
      pages++;
    } while (start);
    expect(seen).toEqual(['-10', '0', '1.5', '10']);
    expect(pages).toBe(3);
    const count = await query({ KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: { ':c': S('c1') }, Select: 'COUNT' });
    expect([count.Count, count.Items]).toEqual([8, undefined]);
    const projected = await query({ KeyConditionExpression: 'customer = :c AND seq = :s', ProjectionExpression: 'note', ExpressionAttributeValues: { ':c': S('c1'), ':s': N(0) } });
    expect(projected.Items).toEqual([{ note: S('n2') }]);
  });

  it('queries a sparse KEYS_ONLY global index and a local index', async () => {
    const open = await query({ IndexName: 'by-status', KeyConditionExpression: '#s = :o AND seq >= :z', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':o': S('open'), ':z': N(0) } });
    expect(open.Items).toEqual([
      { customer: S('c1'), seq: N(0), status: S('open') },
      { customer: S('c2'), seq: N(1), status: S('open') },
      { customer: S('c1'), seq: N(1.5), status: S('open') },
      { customer: S('c1'), seq: N(10), status: S('open') },
    ]);
    const page = await query({ IndexName: 'by-status', KeyConditionExpression: '#s = :o', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':o': S('open') }, Limit: 2 });
    expect(page.LastEvaluatedKey).toEqual({ customer: S('c1'), seq: N(0), status: S('open') });
    const rest = await query({ IndexName: 'by-status', KeyConditionExpression: '#s = :o', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':o': S('open') }, ExclusiveStartKey: page.LastEvaluatedKey });
    expect(seqsOf(rest.Items)).toEqual(['1', '1.5', '10']);
    await expect(query({ IndexName: 'by-status', ConsistentRead: true, KeyConditionExpression: '#s = :o', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':o': S('open') } }))
      .rejects.toThrow('Consistent reads are not supported on global secondary indexes');
    const byTotal = await query({ IndexName: 'by-total', KeyConditionExpression: 'customer = :c AND #t BETWEEN :a AND :b', ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':c': S('c1'), ':a': N(15), ':b': N(40) }, ScanIndexForward: false });
    expect(byTotal.Items!.map((i) => i.total.N)).toEqual(['40', '30', '20']);
    expect(byTotal.Items![0].note).toEqual(S('n4'));
  });

  it('scans in parallel segments and pages', async () => {
    const all: string[] = [];
    for (let segment = 0; segment < 3; segment++) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const r = await ddb.send(new ScanCommand({ TableName: 'orders', Segment: segment, TotalSegments: 3, Limit: 2, ExclusiveStartKey: start }));
        all.push(...(r.Items ?? []).map((i) => `${i.customer.S}/${i.seq.N}`));
        start = r.LastEvaluatedKey;
      } while (start);
    }
    expect(all.sort()).toHaveLength(9);
    expect(new Set(all).size).toBe(9);
    const filtered = await ddb.send(new ScanCommand({ TableName: 'orders', FilterExpression: '#t > :t AND contains(note, :n)', ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':t': N(30), ':n': S('n') } }));
    expect(filtered.Items!.map((i) => i.note.S).sort()).toEqual(['n4', 'n5', 'n6', 'n7']);
    expect(filtered.ScannedCount).toBe(9);
    await expect(ddb.send(new ScanCommand({ TableName: 'orders', Segment: 3, TotalSegments: 3 }))).rejects.toThrow('Segment: 3 is not less than TotalSegments: 3');
  });

  it('lists tables in pages, tags them, and adds and drops a global index', async () => {
    for (const name of ['t-a', 't-b', 't-c']) {
      await ddb.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }));
    }
    const first = await ddb.send(new ListTablesCommand({ Limit: 2 }));
    expect(first).toMatchObject({ TableNames: ['orders', 't-a'], LastEvaluatedTableName: 't-a' });
    const second = await ddb.send(new ListTablesCommand({ ExclusiveStartTableName: first.LastEvaluatedTableName }));
    expect(second.TableNames).toEqual(['t-b', 't-c']);
    expect(second.LastEvaluatedTableName).toBeUndefined();

    const arn = 'arn:aws:dynamodb:us-east-1:000000000000:table/orders';
    await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    await ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    expect((await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);

    await ddb.send(new UpdateTableCommand({
      TableName: 'orders', AttributeDefinitions: [{ AttributeName: 'note', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'by-note', KeySchema: [{ AttributeName: 'note', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
    }));
    const backfilled = await query({ IndexName: 'by-note', KeyConditionExpression: 'note = :n', ExpressionAttributeValues: { ':n': S('n3') } });
    expect(backfilled.Items).toEqual([expect.objectContaining({ seq: N(1), total: N(30) })]);
    await ddb.send(new UpdateTableCommand({ TableName: 'orders', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'by-note' } }] }));
    await expect(query({ IndexName: 'by-note', KeyConditionExpression: 'note = :n', ExpressionAttributeValues: { ':n': S('n3') } })).rejects.toThrow('The table does not have the specified index: by-note');
    const t = await ddb.send(new UpdateTableCommand({ TableName: 't-a', ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 } }));
    expect(t.TableDescription!.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 7, WriteCapacityUnits: 3 });
    await ddb.send(new DeleteTableCommand({ TableName: 't-c' }));
    await expect(ddb.send(new GetItemCommand({ TableName: 't-c', Key: { id: S('x') } }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('expires items by their TTL attribute as AWS time passes', async () => {
    const now = Math.floor(clock.now() / 1000);
    await ddb.send(new UpdateTimeToLiveCommand({ TableName: 't-a', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }));
    expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 't-a' }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
    await ddb.send(new PutItemCommand({ TableName: 't-a', Item: { id: S('soon'), expires: N(now + 30) } }));
    await ddb.send(new PutItemCommand({ TableName: 't-a', Item: { id: S('later'), expires: N(now + 3600) } }));
    await ddb.send(new PutItemCommand({ TableName: 't-a', Item: { id: S('never'), expires: S('not a number') } }));
    clock.advance(60_000);
    await sw.slipway.settled();
    const ids = async () => ((await ddb.send(new ScanCommand({ TableName: 't-a' }))).Items ?? []).map((i) => i.id.S).sort();
    expect(await ids()).toEqual(['later', 'never']);
    clock.advance(3600_000);
    await sw.slipway.settled();
    expect(await ids()).toEqual(['never']);
  });

  it('keeps tables and items across a restart', async () => {
    await sw.close();
    sw = await startSlipway({ clock, dataDir });
    ddb = new DynamoDBClient(sdkConfig(sw.url));
    const t = (await ddb.send(new DescribeTableCommand({ TableName: 'orders' }))).Table!;
    expect(t.ItemCount).toBe(9);
    const r = await query({ KeyConditionExpression: 'customer = :c AND seq < :z', ExpressionAttributeValues: { ':c': S('c1'), ':z': N(0) } });
    expect(seqsOf(r.Items)).toEqual(['-10', '-2.5']);
  });
});
