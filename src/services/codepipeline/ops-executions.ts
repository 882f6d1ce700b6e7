import { paginate } from '../common/paging.js';
import { ruleExecutionViews } from './conditions.js';
import { checkStage, err, getExecution, getPipeline, type CodePipeline, type Ops } from './common.js';
import { actionExecutionView, executionView, stageStates, summaryView } from './views.js';
import { retryStage, stopExecution } from './controls.js';

const badToken = (t: string) => err('InvalidNextTokenException', `The next token ${t} is not valid.`);

export function executionOperations(cp: CodePipeline): Ops {
  const { store, engine } = cp;
  return {
    async StartPipelineExecution(input, ctx) {
      const p = getPipeline(cp, ctx, input.name);
      if (p.declaration.pipelineType !== 'V2' && input.variables?.length) throw err('ValidationException', 'Pipeline variables are only supported for V2 pipelines.');
      const declared = new Set((p.declaration.variables ?? []).map((v) => v.name));
      for (const v of input.variables ?? []) if (!declared.has(v.name)) throw err('ValidationException', `Variable ${v.name} is not declared in pipeline ${p.name}.`);
      const sources = new Set(p.declaration.stages[0].actions.map((a) => a.name));
      for (const o of input.sourceRevisions ?? []) if (!sources.has(o.actionName)) throw err('ValidationException', `Source action ${o.actionName} does not exist in pipeline ${p.name}.`);
      if (input.clientRequestToken) {
        const same = store.listExecutions(ctx, p.name).find((e) => e.trigger.triggerDetail === `${ctx.principal.arn}#${input.clientRequestToken}`);
        if (same) return { pipelineExecutionId: same.id };
      }
      const detail = input.clientRequestToken ? `${ctx.principal.arn}#${input.clientRequestToken}` : ctx.principal.arn;
      const e = engine.startExecution(ctx, p, { triggerType: ctx.protocol === 'internal' ? 'CloudWatchEvent' : 'StartPipelineExecution', triggerDetail: detail }, {
        variables: input.variables,
        overrides: input.sourceRevisions,
      });
      return { pipelineExecutionId: e.id };
    },

    async PutActionRevision(input, ctx) {
      const p = getPipeline(cp, ctx, input.pipelineName);
      checkStage(p, input.stageName);
      const action = p.declaration.stages.find((s) => s.name === input.stageName)!.actions.find((a) => a.name === input.actionName);
      if (!action) throw err('ActionNotFoundException', `Action ${input.actionName} does not exist in stage ${input.stageName} of pipeline ${p.name}.`);
      if (action.actionTypeId.category !== 'Source') throw err('ValidationException', `Action ${input.actionName} is not a source action.`);
      const latest = store.listExecutions(ctx, p.name).find((e) => e.revisions.some((r) => r.actionName === action.name));
      if (latest?.revisions.find((r) => r.actionName === action.name)?.revisionId === input.actionRevision.revisionId) return { newRevision: false };
      const type = action.actionTypeId.provider === 'S3' ? 'S3_OBJECT_VERSION_ID' : 'COMMIT_ID';
      const e = engine.startExecution(ctx, p, { triggerType: 'PutActionRevision', triggerDetail: ctx.principal.arn }, {
        overrides: [{ actionName: action.name, revisionType: type, revisionValue: input.actionRevision.revisionId }],
      });
      return { newRevision: true, pipelineExecutionId: e.id };
    },

    async StopPipelineExecution(input, ctx) {
      const p = getPipeline(cp, ctx, input.pipelineName);
      await stopExecution(cp, ctx, p, input.pipelineExecutionId, input.abandon === true, input.reason ?? '');
      return { pipelineExecutionId: input.pipelineExecutionId };
    },

    async GetPipelineExecution(input, ctx) {
      getPipeline(cp, ctx, input.pipelineName);
      return { pipelineExecution: executionView(getExecution(cp, ctx, input.pipelineName, input.pipelineExecutionId)) };
    },

    async ListPipelineExecutions(input, ctx) {
      getPipeline(cp, ctx, input.pipelineName);
      let all = store.listExecutions(ctx, input.pipelineName);
      const inStage = input.filter?.succeededInStage?.stageName;
      if (inStage) all = all.filter((e) => e.stages[inStage]?.status === 'Succeeded');
      const key = (e: { seq: number }) => String(1e12 - e.seq).padStart(13, '0');
      const page = paginate(all, key, input.nextToken, input.maxResults ?? 100, badToken);
      return { pipelineExecutionSummaries: page.items.map(summaryView), nextToken: page.next };
    },

    async ListActionExecutions(input, ctx) {
      getPipeline(cp, ctx, input.pipelineName);
      const wanted = input.filter?.pipelineExecutionId ?? input.filter?.latestInPipelineExecution?.pipelineExecutionId;
      if (wanted) getExecution(cp, ctx, input.pipelineName, wanted);
      const executions = store.listExecutions(ctx, input.pipelineName).filter((e) => !wanted || e.id === wanted);
      const details = executions.flatMap((e) => {
        const decl = engine.declaration(ctx, e.pipelineName, e.pipelineVersion);
        const runs = [...Object.values(e.stages).flatMap((s) => Object.values(s.actions)), ...e.history];
        return runs.map((r) => ({ sort: `${String(1e12 - e.seq).padStart(13, '0')}/${String(1e15 - r.startTime).padStart(16, '0')}/${r.id}`, view: actionExecutionView(e, r, decl, ctx.region) }));
      });
      details.sort((a, b) => (a.sort < b.sort ? -1 : 1));
      const page = paginate(details, (d) => d.sort, input.nextToken, input.maxResults ?? 100, badToken);
      return { actionExecutionDetails: page.items.map((d) => d.view), nextToken: page.next };
    },

    async ListRuleExecutions(input, ctx) {
      getPipeline(cp, ctx, input.pipelineName);
      const wanted = input.filter?.pipelineExecutionId ?? input.filter?.latestInPipelineExecution?.pipelineExecutionId;
      if (wanted) getExecution(cp, ctx, input.pipelineName, wanted);
      const details = store.listExecutions(ctx, input.pipelineName).filter((e) => !wanted || e.id === wanted).flatMap(ruleExecutionViews);
      details.sort((a, b) => (a.sort < b.sort ? -1 : 1));
      const page = paginate(details, (d) => d.sort, input.nextToken, input.maxResults ?? 100, badToken);
      return { ruleExecutionDetails: page.items.map((d) => d.view), nextToken: page.next };
    },

    async GetPipelineState(input, ctx) {
      const p = getPipeline(cp, ctx, input.name);
      const executions = store.listExecutions(ctx, p.name);
      return {
        pipelineName: p.name,
        pipelineVersion: p.declaration.version,
        stageStates: stageStates(p, p.declaration, executions),
        created: new Date(p.created),
        updated: new Date(p.updated),
      };
    },

    async RetryStageExecution(input, ctx) {
      const p = getPipeline(cp, ctx, input.pipelineName);
      checkStage(p, input.stageName);
      const e = retryStage(cp, ctx, p, input.pipelineExecutionId, input.stageName, input.retryMode);
      return { pipelineExecutionId: e.id };
    },

    async RollbackStage(input, ctx) {
      const p = getPipeline(cp, ctx, input.pipelineName);
      checkStage(p, input.stageName);
      if (p.declaration.stages[0].name === input.stageName) throw err('UnableToRollbackStageException', `Stage ${input.stageName} is the first stage of the pipeline and cannot be rolled back.`);
      const target = getExecution(cp, ctx, p.name, input.targetPipelineExecutionId);
      if (target.status !== 'Succeeded' || target.stages[input.stageName]?.status !== 'Succeeded') {
        throw err('UnableToRollbackStageException', `Pipeline execution ${target.id} did not succeed in stage ${input.stageName}, so the stage cannot be rolled back to it.`);
      }
      const busy = store.listExecutions(ctx, p.name).find((x) => x.status === 'InProgress' && !x.waiting && p.declaration.stages[x.stageIndex]?.name === input.stageName);
      if (busy) throw err('ConflictException', `Stage ${input.stageName} has an execution in progress (${busy.id}); stop it before rolling back.`);
      const e = engine.startExecution(ctx, p, { triggerType: 'ManualRollback', triggerDetail: ctx.principal.arn }, { type: 'ROLLBACK', rollbackTarget: target, onlyStage: input.stageName });
      return { pipelineExecutionId: e.id };
    },

    async DisableStageTransition(input, ctx) {
      const p = getPipeline(cp, ctx, input.pipelineName);
      checkStage(p, input.stageName);
      const target = transitionStage(p.declaration.stages.map((s) => s.name), input.stageName, input.transitionType);
      p.transitions[target] = { enabled: false, disabledReason: input.reason, lastChangedBy: ctx.principal.arn, lastChangedAt: cp.deps.clock.now() };
      store.pipelines.put(ctx, p.name, p);
      return {};
    },

    async EnableStageTransition(input, ctx) {
      const p = getPipeline(cp, ctx, input.pipelineName);
      checkStage(p, input.stageName);
      const target = transitionStage(p.declaration.stages.map((s) => s.name), input.stageName, input.transitionType);
      p.transitions[target] = { enabled: true, lastChangedBy: ctx.principal.arn, lastChangedAt: cp.deps.clock.now() };
      store.pipelines.put(ctx, p.name, p);
      const slot = store.runtimeOf(ctx, p.name).stages[target];
      for (const id of slot?.waiting ?? []) engine.wake(ctx, p.name, id);
      return {};
    },
  };
}

/** The stage whose inbound transition a request names: Outbound of a stage is Inbound of the next. */
function transitionStage(stages: string[], stage: string, type: 'Inbound' | 'Outbound'): string {
  if (type === 'Inbound') return stage;
  const next = stages[stages.indexOf(stage) + 1];
  if (!next) throw err('ValidationException', `Stage ${stage} is the last stage of the pipeline and has no outbound transition.`);
  return next;
}
