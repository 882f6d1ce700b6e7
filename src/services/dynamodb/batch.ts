import type { KeysAndAttributes, WriteRequest } from '../../aws/models/generated/dynamodb.js';
import { checkItem, type Item } from './attributes.js';
import { capacity, requireTable, type Env, type Ops } from './common.js';
import { tableKey } from './keys.js';
import { validation } from './numbers.js';
import { projectionOf } from './projection.js';
import type { StoredKey } from './store.js';
import { execute, prepareKeyed, preparePut, type PreparedWrite } from './writes.js';

/** BatchGetItem answers at most 16 MB; keys past that come back in UnprocessedKeys. */
const BATCH_GET_BYTES = 16 * 1024 * 1024;

function keyId(tid: number, k: StoredKey): string {
  return `${tid}:${k.pk.toString('base64')}:${k.sk.toString('base64')}`;
}

function noDuplicates(ids: string[]): void {
  if (new Set(ids).size !== ids.length) throw validation('Provided list of item keys contains duplicates');
}

/** BatchWriteItem and BatchGetItem: every request is served, so nothing is left unprocessed unless a page limit is hit. */
export function batchOperations(env: Env): Ops {
  const { store } = env;
  return {
    async BatchWriteItem(input, ctx) {
      const entries = Object.entries(input.RequestItems);
      if (entries.reduce((n, [, reqs]) => n + reqs.length, 0) > 25) throw validation('Too many items requested for the BatchWriteItem call');
      const writes: PreparedWrite[] = [];
      const sizes = new Map<string, number[]>();
      for (const [table, requests] of entries) {
        const meta = requireTable(env, ctx, table);
        for (const r of requests as WriteRequest[]) {
          if (!!r.PutRequest === !!r.DeleteRequest) throw validation('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
          writes.push(r.PutRequest ? preparePut(meta, r.PutRequest.Item, {}) : prepareKeyed('Delete', meta, r.DeleteRequest!.Key, {}));
        }
        sizes.set(table, []);
      }
      noDuplicates(writes.map((w) => keyId(w.meta.tid, w.key)));
      store.transaction(() => writes.forEach((w) => execute(store, w)));
      const consumed = entries.map(([table, reqs]) => capacity(requireTable(env, ctx, table), input.ReturnConsumedCapacity, 'write', reqs.map(() => 1)));
      return { UnprocessedItems: {}, ConsumedCapacity: consumed.every((c) => c) ? consumed.map((c) => c!) : undefined };
    },

    async BatchGetItem(input, ctx) {
      const entries = Object.entries(input.RequestItems) as [string, KeysAndAttributes][];
      if (entries.reduce((n, [, r]) => n + r.Keys.length, 0) > 100) throw validation('Too many items requested for the BatchGetItem call');
      const plans = entries.map(([table, req]) => {
        const meta = requireTable(env, ctx, table);
        const keys = req.Keys.map((k) => ({ raw: k, key: tableKey(meta, checkItem(k), false) }));
        noDuplicates(keys.map((k) => keyId(meta.tid, k.key)));
        return { table, req, meta, keys, project: projectionOf(req) };
      });
      const responses: Record<string, Item[]> = {};
      const unprocessed: Record<string, KeysAndAttributes> = {};
      let bytes = 0;
      store.transaction(() => {
        for (const p of plans) {
          responses[p.table] = [];
          for (const k of p.keys) {
            if (bytes >= BATCH_GET_BYTES) {
              (unprocessed[p.table] ??= { ...p.req, Keys: [] }).Keys.push(k.raw);
              continue;
            }
            const found = store.getItem(p.meta.tid, k.key);
            if (!found) continue;
            bytes += found.size;
            responses[p.table].push(p.project(found.item));
          }
        }
      });
      const consumed = plans.map((p) => capacity(p.meta, input.ReturnConsumedCapacity, 'read', p.keys.map(() => 1), p.req.ConsistentRead));
      return { Responses: responses, UnprocessedKeys: unprocessed, ConsumedCapacity: consumed.every((c) => c) ? consumed.map((c) => c!) : undefined };
    },
  };
}
