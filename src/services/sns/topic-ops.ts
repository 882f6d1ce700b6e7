import type { RequestContext } from '../../aws/gateway/context.js';
import type { SnsOperations, Tag } from '../../aws/models/generated/sns.js';
import { ServiceError } from '../../core/errors.js';
import { paginate } from '../common/paging.js';
import { checkTopicAttribute, topicAttributes } from './attributes.js';
import type { Sns } from './context.js';
import { invalidParameter, resourceNotFound } from './errors.js';
import { parseTopicArn, type TopicRecord } from './store.js';

type Ops = Partial<SnsOperations<RequestContext>>;

const NAME = /^[\w-]{1,256}$/;
const FIFO_NAME = /^[\w-]{1,251}\.fifo$/;

/** Topics: create (idempotent), delete, list, attributes, tags and the data protection policy. */
export function topicOperations(sns: Sns): Ops {
  const { store } = sns;
  const save = (t: TopicRecord) => store.topics.put(t, t.name, t);
  const taggable = (arn: string) => {
    const ref = parseTopicArn(arn);
    const topic = ref && store.topics.get(ref, ref.name);
    if (!topic) throw resourceNotFound();
    return topic;
  };
  const nextPage = () => invalidParameter('NextToken');

  return {
    async CreateTopic(input, ctx) {
      const attrs = { ...(input.Attributes ?? {}) };
      const fifo = checkTopicName(input.Name, attrs.FifoTopic);
      delete attrs.FifoTopic;
      for (const [name, value] of Object.entries(attrs)) checkTopicAttribute(name, value, fifo);
      const tags = checkTags([], input.Tags ?? []);
      const existing = store.topics.get(ctx, input.Name);
      if (existing) {
        const current = topicAttributes(existing, []);
        if (Object.entries(attrs).some(([k, v]) => current[k] !== v)) throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
        if (input.Tags && !sameTags(existing.tags, tags)) throw invalidParameter('Tags Reason: Topic already exists with different tags');
        return { TopicArn: existing.arn };
      }
      const topic: TopicRecord = {
        accountId: ctx.accountId, region: ctx.region, name: input.Name, arn: `arn:aws:sns:${ctx.region}:${ctx.accountId}:${input.Name}`,
        fifo, attributes: attrs, tags, dataProtectionPolicy: input.DataProtectionPolicy, sequence: 0, createdAt: sns.clock.now(),
      };
      save(topic);
      return { TopicArn: topic.arn };
    },

    async DeleteTopic(input) {
      const ref = parseTopicArn(input.TopicArn);
      if (!ref) throw invalidParameter('TopicArn');
      const topic = store.topics.get(ref, ref.name);
      // Deleting a topic that does not exist is not an error.
      if (!topic) return {};
      sns.db.transaction(() => {
        for (const sub of store.topicSubscriptions(topic)) store.deleteSubscription(sub);
        store.topics.delete(topic, topic.name);
      });
      return {};
    },

    async ListTopics(input, ctx) {
      const page = paginate(store.topics.list(ctx), (t) => t.name, input.NextToken, 100, nextPage);
      return { Topics: page.items.map((t) => ({ TopicArn: t.arn })), NextToken: page.next };
    },

    async GetTopicAttributes(input) {
      const topic = store.topic(input.TopicArn);
      return { Attributes: topicAttributes(topic, store.topicSubscriptions(topic)) };
    },

    async SetTopicAttributes(input) {
      const topic = store.topic(input.TopicArn);
      const value = input.AttributeValue ?? '';
      if (input.AttributeName === 'FifoTopic') throw invalidParameter('AttributeName');
      checkTopicAttribute(input.AttributeName, value, topic.fifo);
      if (value === '' && input.AttributeName !== 'DisplayName') delete topic.attributes[input.AttributeName];
      else topic.attributes[input.AttributeName] = value;
      save(topic);
      return {};
    },

    async TagResource(input) {
      const topic = taggable(input.ResourceArn);
      topic.tags = checkTags(topic.tags, input.Tags);
      save(topic);
      return {};
    },

    async UntagResource(input) {
      const topic = taggable(input.ResourceArn);
      topic.tags = topic.tags.filter((t) => !input.TagKeys.includes(t.Key));
      save(topic);
      return {};
    },

    async ListTagsForResource(input) {
      return { Tags: taggable(input.ResourceArn).tags };
    },

    async PutDataProtectionPolicy(input) {
      const topic = taggable(input.ResourceArn);
      topic.dataProtectionPolicy = input.DataProtectionPolicy;
      save(topic);
      return {};
    },

    async GetDataProtectionPolicy(input) {
      return { DataProtectionPolicy: taggable(input.ResourceArn).dataProtectionPolicy };
    },
  };
}

/** A standard name, or a `.fifo` name when FifoTopic is true; returns whether the topic is FIFO. */
function checkTopicName(name: string, fifoAttr: string | undefined): boolean {
  const fifo = fifoAttr?.toLowerCase() === 'true';
  if (fifoAttr !== undefined && !['true', 'false'].includes(fifoAttr.toLowerCase())) throw invalidParameter('FifoTopic');
  if (fifo && !FIFO_NAME.test(name)) {
    throw invalidParameter(
      'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
    );
  }
  if (!fifo && !NAME.test(name)) throw invalidParameter('Topic Name');
  return fifo;
}

function checkTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) {
    if (t.Key.length < 1 || t.Key.length > 128 || (t.Value ?? '').length > 256) throw invalidParameter('Tags');
    byKey.set(t.Key, { Key: t.Key, Value: t.Value ?? '' });
  }
  if (byKey.size > 50) throw new ServiceError('TagLimitExceededException', 'Could not complete request: tag quota of per resource exceeded');
  return [...byKey.values()];
}

function sameTags(a: Tag[], b: Tag[]): boolean {
  const key = (tags: Tag[]) => JSON.stringify([...tags].sort((x, y) => x.Key.localeCompare(y.Key)));
  return key(a) === key(b);
}
