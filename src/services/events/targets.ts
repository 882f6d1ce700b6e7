import type { RequestContext } from '../../aws/gateway/context.js';
import type { EventsOperations, PutTargetsResultEntry, Target } from '../../aws/models/generated/events.js';
import { parseArn } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { page, requireRule, scopeOf } from './common.js';
import { checkTransformer, InputError } from './input-transform.js';
import { parseJsonPath } from './json-path.js';
import type { EventsStore } from './store.js';

type Ops = Pick<EventsOperations<RequestContext>, 'PutTargets' | 'RemoveTargets' | 'ListTargetsByRule'>;

const MAX_TARGETS = 5;

/** Why a target cannot be put, or undefined when it is fine. */
export function targetProblem(t: Target): string | undefined {
  const arn = parseArn(t.Arn);
  if (!arn || !arn.service || !arn.resource) return `Parameter ${t.Arn} is not valid. Reason: Provided Arn is not in correct format.`;
  const inputs = [t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length;
  if (inputs > 1) return `Target ${t.Id}: only one of Input, InputPath and InputTransformer can be given.`;
  if (t.Input !== undefined && !isJson(t.Input)) return `Target ${t.Id}: Input is not valid JSON.`;
  try {
    if (t.InputPath !== undefined) parseJsonPath(t.InputPath);
    if (t.InputTransformer) checkTransformer(t.InputTransformer);
  } catch (e) {
    return `Target ${t.Id}: ${e instanceof InputError ? e.message : `InputPath ${(e as Error).message}`}.`;
  }
  if (arn.service === 'events' && inputs > 0) return `Target ${t.Id}: an event bus target receives the event itself; Input, InputPath and InputTransformer are not supported.`;
  if (arn.service === 'sqs' && arn.resource.endsWith('.fifo') && !t.SqsParameters?.MessageGroupId) {
    return `Parameter(s) SqsParameters must be specified for target: ${t.Id}.`;
  }
  const dlq = t.DeadLetterConfig?.Arn;
  if (dlq !== undefined && parseArn(dlq)?.service !== 'sqs') return `Target ${t.Id}: DeadLetterConfig Arn ${dlq} is not an SQS queue ARN.`;
  return undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Targets of a rule: put with per-entry failures, removed by id, listed. */
export function targetOperations(store: EventsStore): Ops {
  return {
    async PutTargets(input, ctx) {
      const scope = scopeOf(ctx);
      const rule = requireRule(store, scope, input.Rule, input.EventBusName);
      const failed: PutTargetsResultEntry[] = [];
      const byId = new Map(rule.targets.map((t) => [t.Id, t]));
      for (const t of input.Targets) {
        const problem = targetProblem(t);
        if (problem) failed.push({ TargetId: t.Id, ErrorCode: 'ValidationException', ErrorMessage: problem });
        else byId.set(t.Id, t);
      }
      if (byId.size > MAX_TARGETS) throw new ServiceError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.', { statusCode: 400 });
      store.putRule(scope, { ...rule, targets: [...byId.values()] });
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },

    async RemoveTargets(input, ctx) {
      const scope = scopeOf(ctx);
      const rule = requireRule(store, scope, input.Rule, input.EventBusName);
      const drop = new Set(input.Ids);
      store.putRule(scope, { ...rule, targets: rule.targets.filter((t) => !drop.has(t.Id)) });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },

    async ListTargetsByRule(input, ctx) {
      const rule = requireRule(store, scopeOf(ctx), input.Rule, input.EventBusName);
      const sorted = [...rule.targets].sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
      const p = page(sorted, (t) => t.Id, input.NextToken, input.Limit);
      return { Targets: p.items, NextToken: p.next };
    },
  };
}
