import type { RequestContext } from '../../aws/gateway/context.js';
import type { ListMessageMoveTasksResultEntry, SqsOperations } from '../../aws/models/generated/sqs.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import { Collection } from '../../state/collection.js';
import { redrivePolicy } from './attributes.js';
import type { Sqs } from './context.js';
import { invalidParameter, invalidValue } from './errors.js';
import { parseQueueArn, queueArn } from './queue-url.js';
import type { QueueRecord } from './store.js';

type Ops = Partial<SqsOperations<RequestContext>>;

interface MoveTask {
  id: string;
  handle: string;
  sourceArn: string;
  destinationArn?: string;
  maxPerSecond?: number;
  status: 'COMPLETED' | 'FAILED';
  moved: number;
  toMove: number;
  failureReason?: string;
  started: number;
}

function notFound(what: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `The resource that you specified for the ${what} parameter doesn't exist.`);
}

/**
 * Dead-letter queue redrive: StartMessageMoveTask moves a dead-letter queue's messages back to
 * the queues they came from (or to a destination queue), and ListMessageMoveTasks reports the
 * tasks. A task moves the messages visible when it starts, within the call, so it is
 * COMPLETED (or FAILED) by the time its handle is returned; there is never a running task to cancel.
 */
export function moveTaskOperations(sqs: Sqs): Ops {
  const tasks = new Collection<MoveTask>(sqs.db, 'sqs-move-tasks');
  const queueAt = (arn: string, param: string): QueueRecord => {
    const ref = parseQueueArn(arn);
    const queue = ref && sqs.queues.get(ref);
    if (!queue) throw notFound(param);
    return queue;
  };
  const isDeadLetterQueue = (q: QueueRecord) => sqs.queues.list(q).some((s) => redrivePolicy(s.attributes)?.deadLetterTargetArn === queueArn(q));

  return {
    async StartMessageMoveTask(input) {
      const source = queueAt(input.SourceArn, 'SourceArn');
      if (!isDeadLetterQueue(source)) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
      const fixed = input.DestinationArn ? queueAt(input.DestinationArn, 'DestinationArn') : undefined;
      const rate = input.MaxNumberOfMessagesPerSecond;
      if (rate !== undefined && (rate < 1 || rate > 500)) throw invalidValue('MaxNumberOfMessagesPerSecond', rate, 'Must be between 1 and 500.');
      const back = (arn: string | null) => {
        const ref = arn ? parseQueueArn(arn) : undefined;
        return ref && sqs.queues.get(ref);
      };
      const { moved, unplaced } = sqs.engine.redrive(source, (row) => fixed ?? back(row.dlq_source));
      const started = sqs.clock.now();
      // Ids sort in start order: the start time, then how many tasks the queue had before.
      const id = `${source.name}/${String(started).padStart(15, '0')}-${String(tasks.list(source, `${source.name}/`).length).padStart(6, '0')}`;
      const taskId = uuid();
      const handle = Buffer.from(JSON.stringify({ taskId, sourceArn: input.SourceArn })).toString('base64');
      const task: MoveTask = {
        id, handle, sourceArn: input.SourceArn, destinationArn: input.DestinationArn, maxPerSecond: rate, started, moved, toMove: moved + unplaced,
        status: unplaced ? 'FAILED' : 'COMPLETED', failureReason: unplaced ? 'CouldNotDetermineMessageSource' : undefined,
      };
      tasks.put(source, id, task);
      return { TaskHandle: handle };
    },

    async ListMessageMoveTasks(input) {
      const source = queueAt(input.SourceArn, 'SourceArn');
      const max = input.MaxResults ?? 1;
      if (max < 1 || max > 10) throw invalidValue('MaxResults', max, 'Must be between 1 and 10.');
      const mine = tasks.list(source, `${source.name}/`).filter((t) => t.sourceArn === input.SourceArn).reverse().slice(0, max);
      return { Results: mine.map(entry) };
    },
  };
}

function entry(t: MoveTask): ListMessageMoveTasksResultEntry {
  return {
    TaskHandle: t.handle, Status: t.status, SourceArn: t.sourceArn, DestinationArn: t.destinationArn, MaxNumberOfMessagesPerSecond: t.maxPerSecond,
    ApproximateNumberOfMessagesMoved: t.moved, ApproximateNumberOfMessagesToMove: t.toMove, FailureReason: t.failureReason, StartedTimestamp: t.started,
  };
}
