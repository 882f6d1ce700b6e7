import type { ServiceDefinition } from '../service.js';
import type { Sqs } from './context.js';
import { QueueEngine } from './engine.js';
import { messageOperations } from './message-ops.js';
import { MessageStore } from './message-store.js';
import { moveTaskOperations } from './move-tasks.js';
import { permissionOperations } from './permissions.js';
import { queueOperations } from './queue-ops.js';
import { QueueStore } from './store.js';

/** SQS: standard and FIFO queues with messages in SQLite, long polling, dead-letter queues and their redrive. */
export const sqs: ServiceDefinition = {
  name: 'sqs',
  create(deps) {
    const queues = new QueueStore(deps.db);
    const engine = new QueueEngine(deps.db, queues, new MessageStore(deps.db), deps.clock);
    const ctx: Sqs = { db: deps.db, queues, engine, clock: deps.clock };
    return {
      provider: { ...queueOperations(ctx), ...messageOperations(ctx), ...permissionOperations(ctx), ...moveTaskOperations(ctx) },
      start: () => engine.polls.open(),
      stop: () => engine.polls.close(),
      reset: () => engine.reset(),
    };
  },
};
