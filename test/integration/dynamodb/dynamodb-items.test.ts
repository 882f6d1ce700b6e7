import {
  BatchGetItemCommand, BatchWriteItemCommand, ConditionalCheckFailedException, CreateTableCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand,
  PutItemCommand, TransactGetItemsCommand, TransactWriteItemsCommand, TransactionCanceledException, UpdateItemCommand, type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

describe('DynamoDB items through the SDK v3 client', () => {
  let sw: TestSlipway;
  let ddb: DynamoDBClient;
  const key = (id: string) => ({ id: { S: id } });

  beforeAll(async () => {
    sw = await startSlipway();
    ddb = new DynamoDBClient(sdkConfig(sw.url));
    for (const TableName of ['items', 'locks']) {
      await ddb.send(new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    }
  });
  afterAll(() => sw.close());

  it('lets exactly one of 32 concurrent conditional puts win, every round', async () => {
    for (let round = 0; round < 3; round++) {
      const attempts = Array.from({ length: 32 }, (_, i) =>
        ddb.send(new PutItemCommand({ TableName: 'locks', Item: { id: { S: `lock-${round}` }, owner: { N: String(i) } }, ConditionExpression: 'attribute_not_exists(id)' })),
      );
      const results = await Promise.allSettled(attempts);
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConditionalCheckFailedException);
      const stored = await ddb.send(new GetItemCommand({ TableName: 'locks', Key: key(`lock-${round}`), ConsistentRead: true }));
      expect(stored.Item!.owner).toEqual({ N: String(won[0]) });
    }
  });

  it('round-trips every attribute type, with numbers in canonical form', async () => {
    const item: Record<string, AttributeValue> = {
      id: { S: 'all' }, s: { S: '' }, n: { N: '0012.500' }, b: { B: new Uint8Array([0, 1, 255]) }, ss: { SS: ['x', 'y'] }, ns: { NS: ['1', '2.50'] },
      bs: { BS: [new Uint8Array([1]), new Uint8Array([2])] }, m: { M: { deep: { L: [{ NULL: true }, { BOOL: false }, { N: '-1e-3' }] } } },
    };
    await ddb.send(new PutItemCommand({ TableName: 'items', Item: item }));
    const got = (await ddb.send(new GetItemCommand({ TableName: 'items', Key: key('all') }))).Item!;
    expect(got.n).toEqual({ N: '12.5' });
    expect(got.ns.NS!.sort()).toEqual(['1', '2.5']);
    expect(Buffer.from(got.b.B!)).toEqual(Buffer.from([0, 1, 255]));
    expect(got.bs.BS!.map((b) => Buffer.from(b)[0])).toEqual([1, 2]);
    expect(got.m).toEqual({ M: { deep: { L: [{ NULL: true }, { BOOL: false }, { N: '-0.001' }] } } });
    expect(got.s).toEqual({ S: '' });
  });

  it('rejects bad items with AWS messages', async () => {
    const put = (Item: Record<string, AttributeValue>) => ddb.send(new PutItemCommand({ TableName: 'items', Item }));
    await expect(put({ id: { N: '1' } })).rejects.toThrow('One or more parameter values were invalid: Type mismatch for key id expected: S actual: N');
    await expect(put({ other: { S: 'x' } })).rejects.toThrow('One or more parameter values were invalid: Missing the key id in the item');
    await expect(put({ id: { S: '' } })).rejects.toThrow('The AttributeValue for a key attribute cannot contain an empty string value. Key: id');
    await expect(put({ id: { S: 'big' }, blob: { S: 'x'.repeat(400 * 1024) } })).rejects.toThrow('Item size has exceeded the maximum allowed size');
    await expect(put({ id: { S: 'n' }, n: { N: 'twelve' } })).rejects.toThrow('A value provided cannot be converted into a number');
    await expect(put({ id: { S: 'd' }, ss: { SS: ['a', 'a'] } })).rejects.toThrow('contains duplicates');
    await expect(ddb.send(new GetItemCommand({ TableName: 'items', Key: { id: { S: 'x' }, extra: { S: 'y' } } }))).rejects.toThrow('The provided key element does not match the schema');
    await expect(ddb.send(new GetItemCommand({ TableName: 'nope', Key: key('x') }))).rejects.toThrow('Requested resource not found');
    await expect(ddb.send(new PutItemCommand({ TableName: 'items', Item: key('x'), ExpressionAttributeValues: { ':v': { S: 'x' } } }))).rejects.toThrow('ExpressionAttributeValues can only be specified when using expressions');
    await expect(ddb.send(new PutItemCommand({ TableName: 'items', Item: key('x'), ReturnValues: 'ALL_NEW' }))).rejects.toThrow('ReturnValues can only be ALL_OLD or NONE');
  });

  it('updates with SET arithmetic, if_not_exists, list_append, REMOVE, ADD and DELETE', async () => {
    const update = (UpdateExpression: string, ExpressionAttributeValues?: Record<string, AttributeValue>, ReturnValues?: 'ALL_NEW' | 'UPDATED_NEW' | 'UPDATED_OLD') =>
      ddb.send(new UpdateItemCommand({ TableName: 'items', Key: key('counter'), UpdateExpression, ExpressionAttributeValues, ReturnValues }));
    const r1 = await ddb.send(new UpdateItemCommand({
      TableName: 'items', Key: key('counter'), UpdateExpression: 'SET hits = if_not_exists(hits, :zero) + :one, #l = list_append(if_not_exists(#l, :empty), :list) ADD tags :tags',
      ExpressionAttributeNames: { '#l': 'log' }, ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':empty': { L: [] }, ':list': { L: [{ S: 'x' }] }, ':tags': { SS: ['a', 'b'] } }, ReturnValues: 'ALL_NEW',
    }));
    expect(r1.Attributes).toMatchObject({ id: { S: 'counter' }, hits: { N: '1' }, log: { L: [{ S: 'x' }] } });
    const r2 = await update('SET hits = hits - :half ADD grand :big, tags :more', { ':half': { N: '0.5' }, ':big': { N: '99999999999999999999999999999999999999' }, ':more': { SS: ['c'] } }, 'UPDATED_NEW');
    expect(r2.Attributes!.tags.SS!.sort()).toEqual(['a', 'b', 'c']);
    const deleted = await update('DELETE tags :a', { ':a': { SS: ['a'] } }, 'UPDATED_NEW');
    expect(r2.Attributes!.hits).toEqual({ N: '0.5' });
    expect(r2.Attributes!.grand).toEqual({ N: '99999999999999999999999999999999999999' });
    expect(deleted.Attributes!.tags.SS!.sort()).toEqual(['b', 'c']);
    const r3 = await update('REMOVE hits, tags', undefined, 'UPDATED_OLD');
    expect(Object.keys(r3.Attributes!).sort()).toEqual(['hits', 'tags']);
    await expect(update('SET id = :v', { ':v': { S: 'x' } })).rejects.toThrow('Cannot update attribute id. This attribute is part of the key');
    await expect(update('SET grand = grand + :v', { ':v': { S: '1' } })).rejects.toThrow('An operand in the update expression has an incorrect data type');
    await expect(update('SET a = :v', { ':v': { S: 'x' }, ':unused': { S: 'y' } })).rejects.toThrow('Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}');
  });

  it('returns the old item on a failed condition when asked', async () => {
    await ddb.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: 'v' }, version: { N: '3' } } }));
    const err = await ddb
      .send(new PutItemCommand({ TableName: 'items', Item: { id: { S: 'v' }, version: { N: '4' } }, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': { N: '2' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConditionalCheckFailedException);
    expect((err as ConditionalCheckFailedException).Item).toEqual({ id: { S: 'v' }, version: { N: '3' } });
    const ok = await ddb.send(new DeleteItemCommand({ TableName: 'items', Key: key('v'), ConditionExpression: 'version BETWEEN :lo AND :hi', ExpressionAttributeValues: { ':lo': { N: '1' }, ':hi': { N: '3' } }, ReturnValues: 'ALL_OLD' }));
    expect(ok.Attributes).toEqual({ id: { S: 'v' }, version: { N: '3' } });
  });

  it('batches writes and reads with their limits', async () => {
    const puts = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { id: { S: `b${i}` }, n: { N: String(i) } } } }));
    const w = await ddb.send(new BatchWriteItemCommand({ RequestItems: { items: puts } }));
    expect(w.UnprocessedItems).toEqual({});
    const tooMany = [...puts, { PutRequest: { Item: { id: { S: 'b25' } } } }];
    await expect(ddb.send(new BatchWriteItemCommand({ RequestItems: { items: tooMany } }))).rejects.toThrow(/length less than or equal to 25|Too many items/);
    await expect(ddb.send(new BatchWriteItemCommand({ RequestItems: { items: [puts[0], { DeleteRequest: { Key: key('b0') } }] } }))).rejects.toThrow('Provided list of item keys contains duplicates');
    const keys = Array.from({ length: 100 }, (_, i) => key(`b${i}`));
    const g = await ddb.send(new BatchGetItemCommand({ RequestItems: { items: { Keys: keys, ProjectionExpression: 'n' } } }));
    expect(g.Responses!.items.map((i) => Number(i.n.N)).sort((a, b) => a - b)).toEqual([...Array(25).keys()]);
    expect(g.UnprocessedKeys).toEqual({});
    await expect(ddb.send(new BatchGetItemCommand({ RequestItems: { items: { Keys: [...keys, key('b100')] } } }))).rejects.toThrow(/Too many items|length less than or equal to 100/);
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { items: puts.slice(0, 5).map((p) => ({ DeleteRequest: { Key: { id: p.PutRequest.Item.id } } })) } }));
    const after = await ddb.send(new BatchGetItemCommand({ RequestItems: { items: { Keys: keys.slice(0, 10) } } }));
    expect(after.Responses!.items).toHaveLength(5);
  });

  it('runs transactions all or nothing, with cancellation reasons and idempotency', async () => {
    await ddb.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: 'acct-a' }, balance: { N: '100' } } }));
    await ddb.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: 'acct-b' }, balance: { N: '0' } } }));
    const transfer = (amount: string, token?: string) =>
      new TransactWriteItemsCommand({
        ClientRequestToken: token,
        TransactItems: [
          { Update: { TableName: 'items', Key: key('acct-a'), UpdateExpression: 'SET balance = balance - :x', ConditionExpression: 'balance >= :x', ExpressionAttributeValues: { ':x': { N: amount } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          { Update: { TableName: 'items', Key: key('acct-b'), UpdateExpression: 'SET balance = balance + :x', ExpressionAttributeValues: { ':x': { N: amount } } } },
          { Put: { TableName: 'items', Item: { id: { S: `audit-${amount}` } }, ConditionExpression: 'attribute_not_exists(id)' } },
          { ConditionCheck: { TableName: 'locks', Key: key('lock-0'), ConditionExpression: 'attribute_exists(id)' } },
        ],
      });
    await ddb.send(transfer('60', 'token-1'));
    await ddb.send(transfer('60', 'token-1'));
    const err = await ddb.send(transfer('60')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionCanceledException);
    const reasons = (err as TransactionCanceledException).CancellationReasons!;
    expect(reasons.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None', 'ConditionalCheckFailed', 'None']);
    expect(reasons[0].Item).toEqual({ id: { S: 'acct-a' }, balance: { N: '40' } });
    expect((err as Error).message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, ConditionalCheckFailed, None]');
    const got = await ddb.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'items', Key: key('acct-a') } }, { Get: { TableName: 'items', Key: key('acct-b'), ProjectionExpression: 'balance' } }, { Get: { TableName: 'items', Key: key('none') } }] }));
    expect(got.Responses).toEqual([{ Item: { id: { S: 'acct-a' }, balance: { N: '40' } } }, { Item: { balance: { N: '60' } } }, {}]);
    await expect(ddb.send(transfer('10', 'token-1'))).rejects.toThrow('different parameters');
    await expect(ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Delete: { TableName: 'items', Key: key('acct-a') } }, { Delete: { TableName: 'items', Key: key('acct-a') } }] }))).rejects.toThrow('Transaction request cannot include multiple operations on one item');
  });
});
