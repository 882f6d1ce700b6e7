import type { RequestContext } from '../../aws/gateway/context.js';
import type { SnsOperations } from '../../aws/models/generated/sns.js';
import { defaultTopicPolicy } from './attributes.js';
import type { Sns } from './context.js';
import { invalidParameter } from './errors.js';

type Ops = Partial<SnsOperations<RequestContext>>;

interface Statement {
  Sid?: string;
  [key: string]: unknown;
}

const ACTIONS = new Set(['GetTopicAttributes', 'SetTopicAttributes', 'AddPermission', 'RemovePermission', 'DeleteTopic', 'Subscribe', 'ListSubscriptionsByTopic', 'Publish', 'Receive']);

/** AddPermission and RemovePermission edit the topic's Policy attribute (stored, not enforced). */
export function topicPermissionOperations(sns: Sns): Ops {
  const { store } = sns;
  const policyOf = (topic: Parameters<typeof defaultTopicPolicy>[0]) =>
    JSON.parse(topic.attributes.Policy ?? defaultTopicPolicy(topic)) as { Statement: Statement[] | Statement };

  return {
    async AddPermission(input) {
      const topic = store.topic(input.TopicArn);
      const policy = policyOf(topic);
      const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
      if (statements.some((s) => s.Sid === input.Label)) throw invalidParameter('Statement already exists');
      if (input.ActionName.some((a) => !ACTIONS.has(a))) throw invalidParameter('Policy statement action out of service scope!');
      const principals = input.AWSAccountId.map((id) => `arn:aws:iam::${id}:root`);
      const actions = input.ActionName.map((a) => `SNS:${a}`);
      statements.push({
        Sid: input.Label, Effect: 'Allow', Principal: { AWS: principals.length === 1 ? principals[0] : principals },
        Action: actions.length === 1 ? actions[0] : actions, Resource: topic.arn,
      });
      topic.attributes.Policy = JSON.stringify({ ...policy, Statement: statements });
      store.topics.put(topic, topic.name, topic);
      return {};
    },

    async RemovePermission(input) {
      const topic = store.topic(input.TopicArn);
      const policy = policyOf(topic);
      const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
      topic.attributes.Policy = JSON.stringify({ ...policy, Statement: statements.filter((s) => s.Sid !== input.Label) });
      store.topics.put(topic, topic.name, topic);
      return {};
    },
  };
}
