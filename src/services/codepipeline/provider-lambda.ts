import type { LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { ActionContext, ActionOutcome, ActionProvider } from './provider-types.js';
import { jobData, queueJob } from './provider-custom.js';
import type { PipelineStore } from './store.js';

/**
 * Invoke action: the function gets AWS's `CodePipeline.job` event asynchronously and reports
 * back with PutJobSuccessResult or PutJobFailureResult, as on AWS; the action waits until then.
 */
export function lambdaInvoke(store: PipelineStore): ActionProvider {
  return {
    async start(ctx: ActionContext): Promise<ActionOutcome> {
      const job = { ...queueJob(store, ctx), status: 'InProgress' as const };
      store.jobs.put(ctx.scope, job.id, job);
      const event = { 'CodePipeline.job': { id: job.id, accountId: ctx.scope.accountId, data: jobData(ctx, job) } };
      const lambda = ctx.deps.aws.service<LambdaOperations>('lambda', ctx.scope);
      await lambda.Invoke({ FunctionName: ctx.config.FunctionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) });
      const url = `https://console.aws.amazon.com/lambda/home?region=${ctx.scope.region}#/functions/${ctx.config.FunctionName}`;
      return { status: 'InProgress', state: { jobId: job.id }, externalExecutionId: job.id, externalExecutionUrl: url };
    },
  };
}
