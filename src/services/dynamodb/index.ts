import type { ServiceDefinition } from '../service.js';
import { batchOperations } from './batch.js';
import type { Env } from './common.js';
import { itemOperations } from './items.js';
import { readOperations } from './reads.js';
import { DynamoStore } from './store.js';
import { tableOperations } from './tables.js';
import { transactionOperations } from './transactions.js';
import { ttlScheduler } from './ttl.js';

/** DynamoDB: tables, items, expressions, queries and scans, batches, transactions and TTL, stored in SQLite. */
export const dynamodb: ServiceDefinition = {
  name: 'dynamodb',
  create(deps) {
    const store = new DynamoStore(deps.db);
    const env: Env = { store, clock: deps.clock };
    const scheduleTtl = ttlScheduler(store, deps.jobs, deps.clock);
    return {
      provider: {
        ...tableOperations(env, scheduleTtl),
        ...itemOperations(env),
        ...readOperations(env),
        ...batchOperations(env),
        ...transactionOperations(env),
      },
      reset: () => store.clearCache(),
    };
  },
};
