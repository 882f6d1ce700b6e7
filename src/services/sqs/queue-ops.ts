import type { RequestContext } from '../../aws/gateway/context.js';
import type { SqsOperations } from '../../aws/models/generated/sqs.js';
import { ServiceError } from '../../core/errors.js';
import { paginate } from '../common/paging.js';
import {
  applyAttributes, defaultAttributes, knownAttribute, normalizeAttributes, READ_ONLY, redrivePolicy, type RedrivePolicy,
} from './attributes.js';
import { resolveQueue, urlFor, type Sqs } from './context.js';
import { invalidAttributeName, invalidParameter, invalidValue, queueDoesNotExist } from './errors.js';
import { checkQueueName, parseQueueArn, queueArn, type QueueRef } from './queue-url.js';
import type { QueueRecord } from './store.js';

type Ops = Partial<SqsOperations<RequestContext>>;

const PURGE_INTERVAL_MS = 60_000;

/** Queue management: create, find, list, delete, attributes, tags and dead-letter sources. */
export function queueOperations(sqs: Sqs): Ops {
  const { queues, engine, clock } = sqs;
  const nextPage = (token: string | undefined) => new ServiceError('InvalidParameterValue', `Invalid NextToken value ${token}.`, { statusCode: 400 });

  return {
    async CreateQueue(input, ctx) {
      const attrs = input.Attributes ?? {};
      const fifo = attrs.FifoQueue === 'true';
      checkQueueName(input.QueueName, fifo);
      const ref: QueueRef = { accountId: ctx.accountId, region: ctx.region, name: input.QueueName };
      const changes = normalizeAttributes(attrs, fifo, true);
      checkDeadLetterTarget(sqs, ref, fifo, changes, attrs.RedrivePolicy);
      const tags = checkTags(input.QueueName, {}, input.tags ?? {});
      const existing = queues.get(ref);
      if (existing) {
        for (const [name, value] of Object.entries(changes)) {
          if ((existing.attributes[name] ?? '') !== value) {
            throw new ServiceError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${name}`);
          }
        }
        return { QueueUrl: urlFor(existing, ctx) };
      }
      const now = clock.now();
      const queue = queues.create(ref, { fifo, attributes: applyAttributes(defaultAttributes(fifo), changes), tags, createdAt: now, modifiedAt: now });
      return { QueueUrl: urlFor(queue, ctx) };
    },

    async GetQueueUrl(input, ctx) {
      const queue = queues.get({ accountId: input.QueueOwnerAWSAccountId ?? ctx.accountId, region: ctx.region, name: input.QueueName });
      if (!queue) throw queueDoesNotExist();
      return { QueueUrl: urlFor(queue, ctx) };
    },

    async ListQueues(input, ctx) {
      const prefix = input.QueueNamePrefix ?? '';
      const all = queues.list(ctx).filter((q) => q.name.startsWith(prefix));
      if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 1000)) {
        throw invalidValue('MaxResults', input.MaxResults, 'MaxResults must be an integer between 1 and 1000.');
      }
      const page = paginate(all, (q) => q.name, input.NextToken, input.MaxResults ?? 1000, nextPage);
      const urls = page.items.map((q) => urlFor(q, ctx));
      return { QueueUrls: urls.length ? urls : undefined, NextToken: input.MaxResults !== undefined ? page.next : undefined };
    },

    async DeleteQueue(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      sqs.db.transaction(() => {
        engine.drop(queue);
        queues.delete(queue);
      });
      return {};
    },

    async GetQueueAttributes(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      const names = input.AttributeNames ?? [];
      const wanted = names.includes('All') ? null : new Set<string>(names);
      for (const name of wanted ?? []) if (!knownAttribute(name, queue.fifo)) throw invalidAttributeName(name);
      const all = queueAttributes(sqs, queue, wanted);
      const picked = Object.fromEntries(Object.entries(all).filter(([k]) => !wanted || wanted.has(k)));
      return { Attributes: Object.keys(picked).length ? picked : undefined };
    },

    async SetQueueAttributes(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      for (const name of Object.keys(input.Attributes)) if (READ_ONLY.includes(name) || name === 'FifoQueue') throw invalidAttributeName(name);
      const changes = normalizeAttributes(input.Attributes, queue.fifo, false);
      checkDeadLetterTarget(sqs, queue, queue.fifo, changes, input.Attributes.RedrivePolicy);
      queue.attributes = applyAttributes(queue.attributes, changes);
      queue.modifiedAt = clock.now();
      queues.save(queue);
      return {};
    },

    async PurgeQueue(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      const now = clock.now();
      if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_INTERVAL_MS / clock.timeScale) {
        throw new ServiceError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`);
      }
      sqs.db.transaction(() => {
        engine.purge(queue);
        queue.lastPurgeAt = now;
        queues.save(queue);
      });
      return {};
    },

    async ListDeadLetterSourceQueues(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      const arn = queueArn(queue);
      const sources = queues.list(queue).filter((q) => redrivePolicy(q.attributes)?.deadLetterTargetArn === arn);
      const page = paginate(sources, (q) => q.name, input.NextToken, input.MaxResults ?? 1000, nextPage);
      return { queueUrls: page.items.map((q) => urlFor(q, ctx)), NextToken: input.MaxResults !== undefined ? page.next : undefined };
    },

    async TagQueue(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      queue.tags = checkTags(queue.name, queue.tags, input.Tags);
      queues.save(queue);
      return {};
    },

    async UntagQueue(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      for (const key of input.TagKeys) delete queue.tags[key];
      queues.save(queue);
      return {};
    },

    async ListQueueTags(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      return { Tags: Object.keys(queue.tags).length ? queue.tags : undefined };
    },
  };
}

/** Every attribute of a queue; the message counts only when asked for (they cost a query). */
function queueAttributes(sqs: Sqs, queue: QueueRecord, wanted: Set<string> | null): Record<string, string> {
  const out: Record<string, string> = {
    QueueArn: queueArn(queue),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.modifiedAt / 1000)),
  };
  if (!wanted || [...wanted].some((n) => n.startsWith('ApproximateNumberOfMessages'))) {
    const counts = sqs.engine.counts(queue);
    out.ApproximateNumberOfMessages = String(counts.visible);
    out.ApproximateNumberOfMessagesNotVisible = String(counts.inFlight);
    out.ApproximateNumberOfMessagesDelayed = String(counts.delayed);
  }
  return { ...out, ...queue.attributes };
}

/** A redrive policy's target must exist, be in the same account and region, and be of the same type. */
function checkDeadLetterTarget(sqs: Sqs, source: QueueRef, fifo: boolean, changes: Record<string, string>, given?: string): void {
  if (!changes.RedrivePolicy) return;
  const policy = JSON.parse(changes.RedrivePolicy) as RedrivePolicy;
  const target = parseQueueArn(policy.deadLetterTargetArn)!;
  const fail = (reason: string) => invalidValue('RedrivePolicy', given ?? changes.RedrivePolicy, reason);
  if (target.accountId !== source.accountId || target.region !== source.region) throw fail('Dead-letter target owner should be same as the source.');
  const dlq = sqs.queues.get(target);
  if (!dlq) throw fail('Dead letter target does not exist.');
  if (dlq.fifo !== fifo) throw fail('Dead-letter queue must be the same type of queue as the source queue (standard or FIFO).');
}

function checkTags(queueName: string, existing: Record<string, string>, added: Record<string, string>): Record<string, string> {
  const tags = { ...existing, ...added };
  if (Object.keys(tags).length > 50) throw invalidParameter(`Too many tags added for queue ${queueName}.`);
  return tags;
}
