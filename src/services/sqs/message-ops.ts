import type { RequestContext } from '../../aws/gateway/context.js';
import type { BatchResultErrorEntry, SendMessageBatchResultEntry, SendMessageRequest, SendMessageResult, SqsOperations } from '../../aws/models/generated/sqs.js';
import { isServiceError, ServiceError } from '../../core/errors.js';
import { resolveQueue, type Sqs } from './context.js';
import type { Received } from './engine.js';
import { checkBatch, invalidValue } from './errors.js';
import { prepareMessage } from './message-input.js';
import { messageView } from './message-view.js';
import { planSend } from './send-rules.js';
import type { QueueRecord } from './store.js';

type Ops = Partial<SqsOperations<RequestContext>>;

const MAX_BATCH_BYTES = 1_048_576;

/** Sending, receiving (with long polling), deleting and hiding messages. */
export function messageOperations(sqs: Sqs): Ops {
  const { engine } = sqs;

  const send = (queue: QueueRecord, input: Omit<SendMessageRequest, 'QueueUrl'>, ctx: RequestContext): SendMessageResult => {
    const message = prepareMessage(input.MessageBody, input.MessageAttributes, input.MessageSystemAttributes, Number(queue.attributes.MaximumMessageSize));
    const plan = planSend(queue, input.MessageBody, input);
    const sent = engine.send(queue, message, plan, ctx.principal.userId);
    return {
      MD5OfMessageBody: message.md5Body,
      MD5OfMessageAttributes: message.md5Attributes,
      MD5OfMessageSystemAttributes: message.md5System,
      MessageId: sent.messageId,
      SequenceNumber: sent.sequenceNumber,
    };
  };

  return {
    async SendMessage(input, ctx) {
      return send(resolveQueue(sqs, input.QueueUrl, ctx), input, ctx);
    },

    async SendMessageBatch(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      checkBatch(input.Entries.map((e) => e.Id), 'SendMessageBatchRequestEntry');
      const bytes = input.Entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? ''), 0);
      if (bytes > MAX_BATCH_BYTES) {
        throw new ServiceError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${bytes} bytes.`);
      }
      return eachEntry(input.Entries, (entry) => ({ Id: entry.Id, ...send(queue, entry, ctx) }) as SendMessageBatchResultEntry);
    },

    async ReceiveMessage(input, ctx) {
      let queue = resolveQueue(sqs, input.QueueUrl, ctx);
      const max = input.MaxNumberOfMessages ?? 1;
      if (!Number.isInteger(max) || max < 1 || max > 10) throw invalidValue('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
      const visibility = input.VisibilityTimeout ?? Number(queue.attributes.VisibilityTimeout);
      if (visibility < 0 || visibility > 43_200) throw invalidValue('VisibilityTimeout', visibility, 'Must be >= 0 and <= 43200, if provided.');
      const wait = input.WaitTimeSeconds ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds);
      if (wait < 0 || wait > 20) throw invalidValue('WaitTimeSeconds', wait, 'Must be >= 0 and <= 20, if provided.');
      let received = engine.receive(queue, max, visibility);
      const deadline = engine.later(wait * 1000);
      while (received.length === 0 && sqs.clock.now() < deadline && !engine.polls.closed) {
        const next = engine.nextVisibleAt(queue);
        await engine.polls.wait(queue.id, Math.min(deadline, next ?? deadline));
        const current = sqs.queues.getById(queue.id);
        if (!current) break;
        queue = current;
        received = engine.receive(queue, max, visibility);
      }
      const view = { system: [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])], attributes: input.MessageAttributeNames ?? [], fifo: queue.fifo };
      return { Messages: received.length ? received.map((r: Received) => messageView(r, view)) : undefined };
    },

    async DeleteMessage(input, ctx) {
      engine.delete(resolveQueue(sqs, input.QueueUrl, ctx), input.ReceiptHandle);
      return {};
    },

    async DeleteMessageBatch(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      checkBatch(input.Entries.map((e) => e.Id), 'DeleteMessageBatchRequestEntry');
      return eachEntry(input.Entries, (entry) => {
        engine.delete(queue, entry.ReceiptHandle);
        return { Id: entry.Id };
      });
    },

    async ChangeMessageVisibility(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      engine.changeVisibility(queue, input.ReceiptHandle, checkVisibility(input.VisibilityTimeout));
      return {};
    },

    async ChangeMessageVisibilityBatch(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      checkBatch(input.Entries.map((e) => e.Id), 'ChangeMessageVisibilityBatchRequestEntry');
      return eachEntry(input.Entries, (entry) => {
        engine.changeVisibility(queue, entry.ReceiptHandle, checkVisibility(entry.VisibilityTimeout ?? 0));
        return { Id: entry.Id };
      });
    },
  };
}

function checkVisibility(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
    throw invalidValue('VisibilityTimeout', seconds, 'VisibilityTimeout must be an integer between 0 and 43200.');
  }
  return seconds;
}

/** Runs each batch entry on its own: an entry's error is reported in Failed, never thrown. */
function eachEntry<E extends { Id: string }, R extends { Id: string }>(entries: E[], run: (entry: E) => R): { Successful: R[]; Failed: BatchResultErrorEntry[] } {
  const Successful: R[] = [];
  const Failed: BatchResultErrorEntry[] = [];
  for (const entry of entries) {
    try {
      Successful.push(run(entry));
    } catch (e) {
      if (!isServiceError(e)) throw e;
      Failed.push({ Id: entry.Id, SenderFault: e.senderFault, Code: e.code, Message: e.message });
    }
  }
  return { Successful, Failed };
}
