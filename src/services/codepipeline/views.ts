import type {
  ActionExecutionDetail, ActionState, PipelineDeclaration, PipelineExecution, PipelineExecutionSummary, StageState,
} from '../../aws/models/generated/codepipeline.js';
import { conditionStateView } from './conditions.js';
import type { ActionRun, ExecutionRecord, PipelineRecord } from './store.js';

export function executionView(e: ExecutionRecord): PipelineExecution {
  return {
    pipelineName: e.pipelineName,
    pipelineVersion: e.pipelineVersion,
    pipelineExecutionId: e.id,
    status: e.status,
    statusSummary: e.statusSummary,
    artifactRevisions: e.revisions.map((r) => ({
      name: r.name, revisionId: r.revisionId, revisionChangeIdentifier: r.revisionId, revisionSummary: r.revisionSummary,
      created: r.created ? new Date(r.created) : undefined, revisionUrl: r.revisionUrl,
    })),
    variables: e.variables.length ? e.variables : undefined,
    trigger: e.trigger,
    executionMode: e.mode,
    executionType: e.type,
    rollbackMetadata: e.rollbackTarget ? { rollbackTargetPipelineExecutionId: e.rollbackTarget } : undefined,
  };
}

export function summaryView(e: ExecutionRecord): PipelineExecutionSummary {
  return {
    pipelineExecutionId: e.id,
    status: e.status,
    statusSummary: e.statusSummary,
    startTime: new Date(e.startTime),
    lastUpdateTime: new Date(e.lastUpdateTime),
    sourceRevisions: e.revisions.map((r) => ({ actionName: r.actionName, revisionId: r.revisionId, revisionSummary: r.revisionSummary, revisionUrl: r.revisionUrl })),
    trigger: e.trigger,
    stopTrigger: e.stopReason !== undefined ? { reason: e.stopReason } : undefined,
    executionMode: e.mode,
    executionType: e.type,
    rollbackMetadata: e.rollbackTarget ? { rollbackTargetPipelineExecutionId: e.rollbackTarget } : undefined,
  };
}

function actionState(name: string, run: ActionRun | undefined, e: ExecutionRecord | undefined): ActionState {
  if (!run || !e) return { actionName: name };
  const rev = e.revisions.find((r) => r.actionName === name);
  return {
    actionName: name,
    currentRevision: rev ? { revisionId: rev.revisionId!, revisionChangeId: rev.revisionId!, created: new Date(rev.created ?? e.startTime) } : undefined,
    revisionUrl: rev?.revisionUrl,
    latestExecution: {
      actionExecutionId: run.id,
      status: run.status,
      summary: run.summary,
      lastStatusChange: new Date(run.lastUpdate),
      token: run.status === 'InProgress' ? run.token : undefined,
      lastUpdatedBy: run.updatedBy,
      externalExecutionId: run.externalExecutionId,
      externalExecutionUrl: run.externalExecutionUrl,
      percentComplete: run.percentComplete,
      errorDetails: run.error,
    },
  };
}

/** GetPipelineState's stages: transitions, the latest execution in each stage, and each action's latest run. */
export function stageStates(p: PipelineRecord, decl: PipelineDeclaration, executions: ExecutionRecord[]): StageState[] {
  return decl.stages.map((s, i) => {
    const latest = executions.find((e) => e.stages[s.name]);
    const waiting = executions.filter((e) => e.waiting && e.stageIndex === i && (e.status === 'InProgress' || e.status === 'Stopping')).sort((a, b) => a.seq - b.seq);
    const t = p.transitions[s.name];
    const run = latest?.stages[s.name];
    const state: StageState = {
      stageName: s.name,
      inboundTransitionState: {
        enabled: t?.enabled ?? true,
        lastChangedBy: t?.lastChangedBy,
        lastChangedAt: t?.lastChangedAt ? new Date(t.lastChangedAt) : undefined,
        disabledReason: t?.enabled === false ? t.disabledReason : undefined,
      },
      actionStates: s.actions.map((a) => {
        const owner = executions.find((e) => e.stages[s.name]?.actions[a.name]);
        return actionState(a.name, owner?.stages[s.name].actions[a.name], owner);
      }),
      latestExecution: latest && run ? { pipelineExecutionId: latest.id, status: run.status, type: run.type } : undefined,
    };
    if (i > 0 && waiting.length) {
      state.inboundExecution = { pipelineExecutionId: waiting[0].id, status: 'InProgress', type: waiting[0].type };
      state.inboundExecutions = waiting.map((e) => ({ pipelineExecutionId: e.id, status: 'InProgress', type: e.type }));
    }
    if (run?.conditions) {
      state.beforeEntryConditionState = conditionStateView(run.conditions.beforeEntry);
      state.onSuccessConditionState = conditionStateView(run.conditions.onSuccess);
      state.onFailureConditionState = conditionStateView(run.conditions.onFailure);
    }
    if (run && (run.manualRetries || run.autoRetries)) {
      state.retryStageMetadata = { manualStageRetryAttempt: run.manualRetries, autoStageRetryAttempt: run.autoRetries, latestRetryTrigger: run.latestRetryTrigger };
    }
    return state;
  });
}

export function actionExecutionView(e: ExecutionRecord, run: ActionRun, decl: PipelineDeclaration | undefined, region: string): ActionExecutionDetail {
  const a = decl?.stages.find((s) => s.name === run.stage)?.actions.find((x) => x.name === run.action);
  const finished = run.status !== 'InProgress';
  return {
    pipelineExecutionId: e.id,
    actionExecutionId: run.id,
    pipelineVersion: e.pipelineVersion,
    stageName: run.stage,
    actionName: run.action,
    startTime: new Date(run.startTime),
    lastUpdateTime: new Date(run.lastUpdate),
    updatedBy: run.updatedBy,
    status: run.status,
    input: {
      actionTypeId: a?.actionTypeId,
      configuration: run.configuration,
      resolvedConfiguration: run.resolvedConfiguration,
      roleArn: a?.roleArn,
      region: a?.region ?? region,
      inputArtifacts: run.inputArtifacts,
      namespace: a?.namespace,
    },
    output: {
      outputArtifacts: run.status === 'Succeeded' ? run.outputArtifacts : [],
      executionResult: finished || run.externalExecutionId
        ? { externalExecutionId: run.externalExecutionId, externalExecutionSummary: run.summary, externalExecutionUrl: run.externalExecutionUrl, errorDetails: run.error }
        : undefined,
      outputVariables: run.outputVariables,
    },
  };
}
