// Issue 3 (DynamoDB): PutItem/GetItem throughput at concurrency 32 through the SDK v3 client,
// against a baseline doing the same inserts and lookups directly with better-sqlite3.
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSlipway } from './lib/servers.js';
import { median } from './lib/stats.js';

const CONCURRENCY = 32;
const OPS = Number(process.env.BENCH_DDB_OPS ?? 6000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function item(i: number) {
  return { LockID: { S: `lock-${i}` }, Info: { S: `{"ID":"${i}","Operation":"OperationTypeApply","Who":"bench@host"}` }, Digest: { S: 'd41d8cd98f00b204e9800998ecf8427e' } };
}

/** Runs `ops` calls of `fn` from `CONCURRENCY` workers; returns calls per second. */
async function drive(ops: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const began = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < ops) await fn(next++);
  }));
  return ops / ((performance.now() - began) / 1000);
}

/**
 * A lean JSON 1.0 client (keep-alive node:http, fixed unverified signature) so the figures show
 * the server rather than the SDK's own per-request cost on the load generator's core.
 */
function rawClient(url: string) {
  const u = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  return (target: string, body: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request(
        {
          host: u.hostname, port: u.port, method: 'POST', path: '/', agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${target}`, 'content-length': Buffer.byteLength(data), 'x-amz-date': '20240101T000000Z',
            authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0000',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text) as Record<string, unknown>) : reject(new Error(text))));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
}

/** The same work without Slipway: one SQLite table, same pragmas, one transaction per write. */
function baseline(dir: string, round: number): { put: number; get: number } {
  const db = new BetterSqlite3(join(dir, `baseline-${round}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE items (pk BLOB PRIMARY KEY, item TEXT NOT NULL) WITHOUT ROWID');
  const put = db.prepare('INSERT INTO items (pk, item) VALUES (?, ?) ON CONFLICT DO UPDATE SET item = excluded.item');
  const get = db.prepare('SELECT item FROM items WHERE pk = ?');
  let began = performance.now();
  for (let i = 0; i < OPS; i++) put.run(Buffer.from(`lock-${i}`), JSON.stringify(item(i)));
  const putRate = OPS / ((performance.now() - began) / 1000);
  began = performance.now();
  for (let i = 0; i < OPS; i++) JSON.parse((get.get(Buffer.from(`lock-${i}`)) as { item: string }).item);
  const getRate = OPS / ((performance.now() - began) / 1000);
  db.close();
  return { put: putRate, get: getRate };
}

export async function benchDynamodb(): Promise<string[]> {
  const s = await startSlipway();
  const dir = mkdtempSync(join(tmpdir(), 'ddb-bench-'));
  const ddb = new DynamoDBClient({ endpoint: s.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const puts: number[] = [];
  const gets: number[] = [];
  const base: { put: number; get: number }[] = [];
  const rawPuts: number[] = [];
  const rawGets: number[] = [];
  const raw = rawClient(s.url);
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const TableName = `bench-${round}`;
      await ddb.send(new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
      const put = await drive(OPS, (i) => ddb.send(new PutItemCommand({ TableName, Item: item(i), ConditionExpression: 'attribute_not_exists(LockID)' })));
      const get = await drive(OPS, async (i) => {
        const r = await ddb.send(new GetItemCommand({ TableName, Key: { LockID: { S: `lock-${i}` } }, ConsistentRead: true }));
        if (r.Item?.LockID.S !== `lock-${i}`) throw new Error(`lock-${i} was not stored`);
      });
      const rawPut = await drive(OPS, (i) => raw('PutItem', { TableName, Item: { ...item(i), LockID: { S: `raw-${i}` } }, ConditionExpression: 'attribute_not_exists(LockID)' }));
      const rawGet = await drive(OPS, async (i) => {
        const r = (await raw('GetItem', { TableName, Key: { LockID: { S: `raw-${i}` } }, ConsistentRead: true })) as { Item?: { LockID: { S: string } } };
        if (r.Item?.LockID.S !== `raw-${i}`) throw new Error(`raw-${i} was not stored`);
      });
      const b = baseline(dir, round);
      // Round 0 warms up both sides and is not counted.
      if (round === 0) continue;
      rawPuts.push(rawPut);
      rawGets.push(rawGet);
      puts.push(put);
      gets.push(get);
      base.push(b);
    }
  } finally {
    ddb.destroy();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const bp = median(base.map((b) => b.put));
  const bg = median(base.map((b) => b.get));
  const sp = median(puts);
  const sg = median(gets);
  return [
    `| DynamoDB PutItem (attribute_not_exists), SDK v3, concurrency ${CONCURRENCY}: items/s (median of ${ROUNDS} × ${OPS}) | ${sp.toFixed(0)} | ${bp.toFixed(0)} (better-sqlite3 upsert, same pragmas) | ratio ${(sp / bp * 100).toFixed(1)}% |`,
    `| DynamoDB GetItem (ConsistentRead), SDK v3, concurrency ${CONCURRENCY}: items/s (median of ${ROUNDS} × ${OPS}) | ${sg.toFixed(0)} | ${bg.toFixed(0)} (better-sqlite3 lookup) | ratio ${(sg / bg * 100).toFixed(1)}% |`,
    `| DynamoDB PutItem, lean keep-alive HTTP client, concurrency ${CONCURRENCY}: items/s | ${median(rawPuts).toFixed(0)} | ${bp.toFixed(0)} | ratio ${(median(rawPuts) / bp * 100).toFixed(1)}% |`,
    `| DynamoDB GetItem, lean keep-alive HTTP client, concurrency ${CONCURRENCY}: items/s | ${median(rawGets).toFixed(0)} | ${bg.toFixed(0)} | ratio ${(median(rawGets) / bg * 100).toFixed(1)}% |`,
  ];
}
