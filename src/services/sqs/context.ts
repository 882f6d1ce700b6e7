import type { RequestContext } from '../../aws/gateway/context.js';
import type { Clock } from '../../core/clock.js';
import type { Database } from '../../state/database.js';
import type { QueueEngine } from './engine.js';
import { queueDoesNotExist } from './errors.js';
import { parseQueueUrl, queueUrl } from './queue-url.js';
import type { QueueRecord, QueueStore } from './store.js';

/** What SQS's operation handlers share. */
export interface Sqs {
  db: Database;
  queues: QueueStore;
  engine: QueueEngine;
  clock: Clock;
}

/** The queue a request's QueueUrl names, in whatever host form the client used. */
export function resolveQueue(sqs: Sqs, url: string, ctx: RequestContext): QueueRecord {
  const queue = sqs.queues.get(parseQueueUrl(url, ctx));
  if (!queue) throw queueDoesNotExist();
  return queue;
}

/** The queue's URL as this client addresses Slipway. */
export function urlFor(queue: QueueRecord, ctx: RequestContext): string {
  return queueUrl(ctx.host, queue.accountId, queue.name);
}
