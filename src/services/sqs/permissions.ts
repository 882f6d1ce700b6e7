import type { RequestContext } from '../../aws/gateway/context.js';
import type { SqsOperations } from '../../aws/models/generated/sqs.js';
import { resolveQueue, type Sqs } from './context.js';
import { invalidValue } from './errors.js';
import { queueArn } from './queue-url.js';

type Ops = Partial<SqsOperations<RequestContext>>;

interface Statement {
  Sid?: string;
  [key: string]: unknown;
}

interface PolicyDocument {
  Version: string;
  Id?: string;
  Statement: Statement[];
}

/** AddPermission and RemovePermission edit the queue's Policy attribute (stored, not enforced). */
export function permissionOperations(sqs: Sqs): Ops {
  const save = (queue: ReturnType<typeof resolveQueue>, policy: PolicyDocument | undefined) => {
    if (policy) queue.attributes.Policy = JSON.stringify(policy);
    else delete queue.attributes.Policy;
    queue.modifiedAt = sqs.clock.now();
    sqs.queues.save(queue);
  };

  return {
    async AddPermission(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      const arn = queueArn(queue);
      const policy: PolicyDocument = queue.attributes.Policy
        ? (JSON.parse(queue.attributes.Policy) as PolicyDocument)
        : { Version: '2012-10-17', Id: `${arn}/SQSDefaultPolicy`, Statement: [] };
      policy.Statement = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
      if (policy.Statement.some((s) => s.Sid === input.Label)) throw invalidValue('Label', input.Label, 'Already exists.');
      const principals = input.AWSAccountIds.map((id) => `arn:aws:iam::${id}:root`);
      const actions = input.Actions.map((a) => `SQS:${a}`);
      policy.Statement.push({
        Sid: input.Label,
        Effect: 'Allow',
        Principal: { AWS: principals.length === 1 ? principals[0] : principals },
        Action: actions.length === 1 ? actions[0] : actions,
        Resource: arn,
      });
      save(queue, policy);
      return {};
    },

    async RemovePermission(input, ctx) {
      const queue = resolveQueue(sqs, input.QueueUrl, ctx);
      const policy = queue.attributes.Policy ? (JSON.parse(queue.attributes.Policy) as PolicyDocument) : undefined;
      const statements = policy ? (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) : [];
      if (!policy || !statements.some((s) => s.Sid === input.Label)) {
        throw invalidValue('Label', input.Label, "can't find label on existing policy.");
      }
      policy.Statement = statements.filter((s) => s.Sid !== input.Label);
      save(queue, policy.Statement.length ? policy : undefined);
      return {};
    },
  };
}
