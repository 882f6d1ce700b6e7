import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../../src/state/database.js';
import { S3Store } from '../../../src/services/s3/store.js';

describe('S3Store group commit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-s3-store-'));
  const db = new Database(join(dir, 'x.db'));
  const store = new S3Store(db);
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const bucket = (name: string) => ({ name, account: '000000000000', region: 'us-east-1', created: 0, config: {} });

  it('commits concurrent writes together, undoing only the one that fails, with its after-commit work', async () => {
    const ran: string[] = [];
    const results = await Promise.allSettled([
      store.batched(() => {
        store.createBucket(bucket('first-bucket'));
        store.afterCommit(() => ran.push('first'));
        return 1;
      }),
      store.batched(() => {
        store.createBucket(bucket('failing-bucket'));
        store.afterCommit(() => ran.push('failing'));
        throw new Error('no');
      }),
      store.batched(() => {
        store.createBucket(bucket('third-bucket'));
        // A nested savepoint that fails is undone alone too.
        try {
          store.savepoint(() => {
            store.createBucket(bucket('nested-bucket'));
            store.afterCommit(() => ran.push('nested'));
            throw new Error('inner');
          });
        } catch {
          // reported by the caller
        }
        store.afterCommit(() => ran.push('third'));
        return 3;
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(store.buckets('000000000000').map((b) => b.name)).toEqual(['first-bucket', 'third-bucket']);
    expect(ran).toEqual(['first', 'third']);
  });

  it('runs after-commit work at once outside a batch', () => {
    const ran: string[] = [];
    store.afterCommit(() => ran.push('now'));
    expect(ran).toEqual(['now']);
  });
});
