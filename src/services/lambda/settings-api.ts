import type { RequestContext } from '../../aws/gateway/context.js';
import type { LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { Scope } from '../../core/scope.js';
import { invalidParameter, parseFunctionName } from './names.js';
import { requireFunction, type LambdaContext } from './resolve.js';
import type { FunctionRecord } from './store.js';

type Provider = Partial<LambdaOperations<RequestContext>>;

/** AWS's default regional quota; Slipway keeps AWS's bookkeeping around it. */
export const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED = 100;

function reservedTotal(c: LambdaContext, scope: Scope, except?: string): number {
  return c.store.functions
    .list(scope)
    .filter((f) => f.latest.config.FunctionName !== except)
    .reduce((sum, f) => sum + (f.reservedConcurrency ?? 0), 0);
}

/** The function named by a tagging ARN: tags belong to the function, never a version or alias. */
function taggedFunction(c: LambdaContext, scope: Scope, arn: string): { name: string; fn: FunctionRecord } {
  const ref = parseFunctionName(arn);
  if (ref.qualifier !== undefined) throw invalidParameter('Tags on function aliases and versions are not supported. Please specify a function ARN.');
  return { name: ref.name, fn: requireFunction(c.store, scope, ref.name) };
}

/** Reserved concurrency, account settings and tags. */
export function settingsApi(c: LambdaContext): Provider {
  const { store } = c;
  return {
    async PutFunctionConcurrency(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      const fn = requireFunction(store, ctx, name);
      if (ACCOUNT_CONCURRENCY - reservedTotal(c, ctx, name) - input.ReservedConcurrentExecutions < MIN_UNRESERVED) {
        throw invalidParameter(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`);
      }
      fn.reservedConcurrency = input.ReservedConcurrentExecutions;
      store.functions.put(ctx, name, fn);
      return { ReservedConcurrentExecutions: fn.reservedConcurrency };
    },

    async GetFunctionConcurrency(input, ctx) {
      const fn = requireFunction(store, ctx, parseFunctionName(input.FunctionName).name);
      return fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency };
    },

    async DeleteFunctionConcurrency(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      const fn = requireFunction(store, ctx, name);
      delete fn.reservedConcurrency;
      store.functions.put(ctx, name, fn);
      return {};
    },

    async GetAccountSettings(_input, ctx) {
      const fns = store.functions.list(ctx);
      const versions = fns.flatMap((f) => store.versionsOf(ctx, f.latest.config.FunctionName!));
      const blobs = new Map([...fns.map((f) => f.latest), ...versions].map((v) => [v.codeBlob, v.config.CodeSize ?? 0]));
      return {
        AccountLimit: {
          TotalCodeSize: 80530636800,
          CodeSizeUnzipped: 262144000,
          CodeSizeZipped: 52428800,
          ConcurrentExecutions: ACCOUNT_CONCURRENCY,
          UnreservedConcurrentExecutions: ACCOUNT_CONCURRENCY - reservedTotal(c, ctx),
        },
        AccountUsage: { TotalCodeSize: [...blobs.values()].reduce((a, b) => a + b, 0), FunctionCount: fns.length },
      };
    },

    async TagResource(input, ctx) {
      const { name, fn } = taggedFunction(c, ctx, input.Resource);
      fn.tags = { ...fn.tags, ...input.Tags };
      store.functions.put(ctx, name, fn);
      return {};
    },

    async UntagResource(input, ctx) {
      const { name, fn } = taggedFunction(c, ctx, input.Resource);
      for (const key of input.TagKeys) delete fn.tags[key];
      store.functions.put(ctx, name, fn);
      return {};
    },

    async ListTags(input, ctx) {
      return { Tags: taggedFunction(c, ctx, input.Resource).fn.tags };
    },
  };
}
