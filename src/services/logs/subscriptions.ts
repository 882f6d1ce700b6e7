import type { RequestContext } from '../../aws/gateway/context.js';
import type { LogsOperations } from '../../aws/models/generated/logs.js';
import { parseArn } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { paginate } from '../common/paging.js';
import { filterKey, invalidParameter, requireGroup } from './common.js';
import { parseFilterPattern } from './filter-pattern.js';
import type { LogsStore } from './store.js';

type Ops = Partial<LogsOperations<RequestContext>>;

const KINDS: Record<string, string> = {
  lambda: 'AWS Lambda functions',
  kinesis: 'Amazon Kinesis Data Streams',
  firehose: 'Amazon Data Firehose delivery streams',
  logs: 'CloudWatch Logs destinations',
};

/**
 * Subscription filters. AWS streams matching events to Lambda, Kinesis, Firehose or a
 * destination; Slipway delivers to none of these yet, so it refuses the filter rather
 * than accept one whose events would silently go nowhere.
 */
export function subscriptionOperations(store: LogsStore): Ops {
  return {
    async PutSubscriptionFilter(input, ctx) {
      requireGroup(store, ctx, input.logGroupName);
      parseFilterPattern(input.filterPattern);
      const arn = parseArn(input.destinationArn);
      if (!arn) throw invalidParameter(`Invalid destinationArn: ${input.destinationArn}`);
      const kind = KINDS[arn.service];
      if (!kind) throw invalidParameter(`Subscription filters deliver to Lambda, Kinesis, Firehose or a CloudWatch Logs destination; ${input.destinationArn} is none of these.`);
      throw invalidParameter(
        `Slipway cannot deliver subscription filter events to ${kind} yet, so the filter for ${input.destinationArn} was not created (it would drop every event).`,
      );
    },

    async DescribeSubscriptionFilters(input, ctx) {
      requireGroup(store, ctx, input.logGroupName);
      const all = store.subscriptions.list(ctx, filterKey(input.logGroupName, input.filterNamePrefix ?? ''));
      const page = paginate(all, (f) => filterKey(f.logGroupName, f.filterName), input.nextToken, input.limit ?? 50, (t) => invalidParameter(`The specified nextToken is invalid: ${t}`));
      return { subscriptionFilters: page.items, nextToken: page.next };
    },

    async DeleteSubscriptionFilter(input, ctx) {
      requireGroup(store, ctx, input.logGroupName);
      if (!store.subscriptions.delete(ctx, filterKey(input.logGroupName, input.filterName))) {
        throw new ServiceError('ResourceNotFoundException', 'The specified subscription filter does not exist.');
      }
      return {};
    },
  };
}
