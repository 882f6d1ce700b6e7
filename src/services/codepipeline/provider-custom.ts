import type { Artifact, Job, JobData } from '../../aws/models/generated/codepipeline.js';
import { uuid } from '../../core/ids.js';
import type { ActionContext, ActionOutcome, ActionProvider } from './provider-types.js';
import { actionTypeKey, type ArtifactRef, type ExecutionRecord, type JobRecord, type PipelineStore } from './store.js';

/** Creates the job a custom action's worker will take with PollForJobs. */
export function queueJob(store: PipelineStore, ctx: Pick<ActionContext, 'deps' | 'scope' | 'pipeline' | 'execution' | 'stage' | 'action' | 'run'>, continuationToken?: string): JobRecord {
  const job: JobRecord = {
    id: uuid(),
    nonce: uuid(),
    status: 'Queued',
    actionTypeKey: actionTypeKey(ctx.action.actionTypeId),
    pipelineName: ctx.pipeline.name,
    executionId: ctx.execution.id,
    stage: ctx.stage,
    action: ctx.action.name,
    actionExecutionId: ctx.run.id,
    continuationToken,
    created: ctx.deps.clock.now(),
  };
  store.jobs.put(ctx.scope, job.id, job);
  return job;
}

/** Custom actions: the work is done by a job worker polling for it; the action waits for its result. */
export function customAction(store: PipelineStore, queue: (ctx: ActionContext) => JobRecord): ActionProvider {
  return {
    async start(ctx: ActionContext): Promise<ActionOutcome> {
      const pending = store.jobs.list(ctx.scope).find((j) => j.actionExecutionId === ctx.run.id && ['Queued', 'Dispatched', 'InProgress'].includes(j.status));
      const job = pending ?? queue(ctx);
      return { status: 'InProgress', state: { jobId: job.id } };
    },
  };
}

function artifactOf(ref: ArtifactRef, e: ExecutionRecord): Artifact {
  const rev = e.revisions.find((r) => r.name === ref.name);
  return { name: ref.name, revision: rev?.revisionId, location: { type: 'S3', s3Location: { bucketName: ref.bucket, objectKey: ref.key } } };
}

/** The job as PollForJobs and GetJobDetails describe it. */
export function jobData(ctx: ActionContext, job: JobRecord): JobData {
  return {
    actionTypeId: ctx.action.actionTypeId,
    actionConfiguration: { configuration: ctx.config },
    pipelineContext: {
      pipelineName: ctx.pipeline.name,
      stage: { name: ctx.stage },
      action: { name: ctx.action.name, actionExecutionId: ctx.run.id },
      pipelineArn: ctx.pipeline.arn,
      pipelineExecutionId: ctx.execution.id,
    },
    inputArtifacts: ctx.inputs.map((i) => artifactOf(i, ctx.execution)),
    outputArtifacts: ctx.outputs.map((o) => artifactOf(o, ctx.execution)),
    // Slipway takes a 12-digit access key id as its account: these keys reach the artifact store.
    artifactCredentials: { accessKeyId: ctx.scope.accountId, secretAccessKey: 'slipway', sessionToken: 'slipway-artifact-session' },
    continuationToken: job.continuationToken,
  };
}

export function jobView(ctx: ActionContext, job: JobRecord, withNonce: boolean): Job {
  return { id: job.id, data: jobData(ctx, job), accountId: ctx.scope.accountId, ...(withNonce ? { nonce: job.nonce } : {}) };
}
