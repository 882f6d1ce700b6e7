import type { RequestContext } from '../../aws/gateway/context.js';
import type { ActionType } from '../../aws/models/generated/codepipeline.js';
import { BUILTIN_TYPES, builtinView } from './action-types.js';
import { err, getPipeline, mergeTags, type CodePipeline, type Ops } from './common.js';
import type { ActionJob } from './engine.js';
import { jobView } from './provider-custom.js';
import { actionTypeKey, type CustomActionTypeRecord, type JobRecord } from './store.js';

function jobAction(j: JobRecord, ctx: RequestContext): ActionJob {
  return { scope: { accountId: ctx.accountId, region: ctx.region }, pipeline: j.pipelineName, execution: j.executionId, stage: j.stage, action: j.action, run: j.actionExecutionId, phase: 'start' };
}

function customView(t: CustomActionTypeRecord): ActionType {
  return {
    id: { category: t.category, owner: 'Custom', provider: t.provider, version: t.version },
    settings: t.settings,
    actionConfigurationProperties: t.configurationProperties,
    inputArtifactDetails: t.inputArtifactDetails,
    outputArtifactDetails: t.outputArtifactDetails,
  };
}

export function jobOperations(cp: CodePipeline): Ops {
  const { store, engine, runner, jobTimers } = cp;
  const getJob = (ctx: RequestContext, id: string) => {
    const j = store.jobs.get(ctx, id);
    if (!j) throw err('JobNotFoundException', `Job ${id} was not found.`);
    return j;
  };
  const openJob = (ctx: RequestContext, id: string) => {
    const j = getJob(ctx, id);
    if (j.status !== 'InProgress' && j.status !== 'Dispatched') throw err('InvalidJobStateException', `Job ${id} is in state ${j.status}: its result was already reported or it was abandoned.`);
    return j;
  };
  return {
    async CreateCustomActionType(input, ctx) {
      const key = actionTypeKey({ ...input, owner: 'Custom' });
      const existing = store.customTypes.get(ctx, key);
      if (existing && !existing.deleted) throw err('ActionTypeAlreadyExistsException', `Action type ${key} already exists.`);
      if (existing?.deleted) throw err('ActionTypeAlreadyExistsException', `Action type ${key} was deleted; a deleted custom action type cannot be created again with the same version.`);
      const t: CustomActionTypeRecord = {
        category: input.category, provider: input.provider, version: input.version, settings: input.settings,
        configurationProperties: input.configurationProperties ?? [], inputArtifactDetails: input.inputArtifactDetails,
        outputArtifactDetails: input.outputArtifactDetails, tags: mergeTags([], input.tags ?? []),
      };
      store.customTypes.put(ctx, key, t);
      return { actionType: customView(t), tags: t.tags.length ? t.tags : undefined };
    },

    async DeleteCustomActionType(input, ctx) {
      const key = actionTypeKey({ ...input, owner: 'Custom' });
      const t = store.customTypes.get(ctx, key);
      if (!t || t.deleted) throw err('ActionTypeNotFoundException', `Action type ${key} does not exist.`);
      store.customTypes.put(ctx, key, { ...t, deleted: true });
      return {};
    },

    async ListActionTypes(input, ctx) {
      const builtin = input.actionOwnerFilter && input.actionOwnerFilter !== 'AWS' ? [] : BUILTIN_TYPES.map(builtinView);
      const custom = input.actionOwnerFilter && input.actionOwnerFilter !== 'Custom' ? [] : store.customTypes.list(ctx).filter((t) => !t.deleted).map(customView);
      return { actionTypes: [...builtin, ...custom] };
    },

    async PollForJobs(input, ctx) {
      const key = actionTypeKey(input.actionTypeId);
      if (input.actionTypeId.owner !== 'Custom' || !store.customTypes.get(ctx, key) || store.customTypes.get(ctx, key)?.deleted) {
        throw err('ActionTypeNotFoundException', `ActionType ${key} does not exist or is not a custom action type.`);
      }
      const queued = store.jobs.list(ctx).filter((j) => j.actionTypeKey === key && j.status === 'Queued').sort((a, b) => a.created - b.created);
      const jobs = [];
      for (const j of queued) {
        if (jobs.length >= (input.maxBatchSize ?? 1)) break;
        const actx = runner.context(jobAction(j, ctx));
        if (!actx || actx.run.status !== 'InProgress') continue;
        if (Object.entries(input.queryParam ?? {}).some(([k, v]) => actx.config[k] !== v)) continue;
        const dispatched: JobRecord = { ...j, status: 'Dispatched' };
        store.jobs.put(ctx, j.id, dispatched);
        jobTimers.dispatched({ accountId: ctx.accountId, region: ctx.region }, dispatched);
        jobs.push(jobView(actx, j, true));
      }
      return { jobs };
    },

    async AcknowledgeJob(input, ctx) {
      const j = getJob(ctx, input.jobId);
      if (j.nonce !== input.nonce) throw err('InvalidNonceException', `The nonce ${input.nonce} does not match job ${input.jobId}.`);
      if (j.status === 'Dispatched') store.jobs.put(ctx, j.id, { ...j, status: 'InProgress' });
      return { status: j.status === 'Dispatched' ? 'InProgress' : j.status };
    },

    async GetJobDetails(input, ctx) {
      const j = getJob(ctx, input.jobId);
      const actx = runner.context(jobAction(j, ctx));
      if (!actx) throw err('JobNotFoundException', `Job ${input.jobId} was not found.`);
      const { nonce: _n, ...view } = jobView(actx, j, false);
      return { jobDetails: view };
    },

    async PutJobSuccessResult(input, ctx) {
      const j = openJob(ctx, input.jobId);
      const job = jobAction(j, ctx);
      const d = input.executionDetails;
      store.jobs.put(ctx, j.id, { ...j, status: 'Succeeded' });
      if (input.continuationToken) {
        const actx = runner.context(job);
        if (actx) jobTimers.queue(actx, input.continuationToken);
        engine.applyOutcome(job, { status: 'InProgress', summary: d?.summary, externalExecutionId: d?.externalExecutionId, percentComplete: d?.percentComplete });
        return {};
      }
      const rev = input.currentRevision;
      engine.applyOutcome(job, {
        status: 'Succeeded', summary: d?.summary, externalExecutionId: d?.externalExecutionId, updatedBy: ctx.principal.arn, outputVariables: input.outputVariables,
        revision: rev ? { revisionId: rev.revision, revisionSummary: rev.revisionSummary, created: rev.created?.getTime() } : undefined,
      });
      return {};
    },

    async PutJobFailureResult(input, ctx) {
      const j = openJob(ctx, input.jobId);
      store.jobs.put(ctx, j.id, { ...j, status: 'Failed' });
      const f = input.failureDetails;
      engine.applyOutcome(jobAction(j, ctx), { status: 'Failed', code: f.type, message: f.message, externalExecutionId: f.externalExecutionId, updatedBy: ctx.principal.arn });
      return {};
    },

    async PutApprovalResult(input, ctx) {
      const p = getPipeline(cp, ctx, input.pipelineName);
      for (const e of store.listExecutions(ctx, p.name)) {
        const run = e.stages[input.stageName]?.actions[input.actionName];
        if (!run || run.state.approvalToken !== input.token) continue;
        if (run.status !== 'InProgress') throw err('ApprovalAlreadyCompletedException', `The approval action ${input.actionName} has already been ${run.status === 'Succeeded' ? 'approved' : 'completed'}.`);
        const job: ActionJob = { scope: { accountId: ctx.accountId, region: ctx.region }, pipeline: p.name, execution: e.id, stage: input.stageName, action: input.actionName, run: run.id, phase: 'start' };
        const who = ctx.principal.arn;
        if (input.result.status === 'Approved') engine.applyOutcome(job, { status: 'Succeeded', summary: input.result.summary, updatedBy: who });
        else engine.applyOutcome(job, { status: 'Failed', code: 'JobFailed', message: `Rejected by ${who}: ${input.result.summary}`, summary: input.result.summary, updatedBy: who });
        return { approvedAt: new Date(cp.deps.clock.now()) };
      }
      const waiting = store.listExecutions(ctx, p.name).some((e) => e.stages[input.stageName]?.actions[input.actionName]?.status === 'InProgress');
      if (!waiting && !p.declaration.stages.some((s) => s.name === input.stageName && s.actions.some((a) => a.name === input.actionName))) {
        throw err('ActionNotFoundException', `Action ${input.actionName} does not exist in stage ${input.stageName} of pipeline ${p.name}.`);
      }
      throw err('InvalidApprovalTokenException', `The token ${input.token} is not valid for approval action ${input.actionName} in stage ${input.stageName}.`);
    },
  };
}
