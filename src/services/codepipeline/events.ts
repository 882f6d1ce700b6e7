import type { ActionDeclaration } from '../../aws/models/generated/codepipeline.js';
import type { AwsEvent } from '../common/events.js';
import type { ActionRun, ExecutionRecord, PipelineRecord } from './store.js';

/** The states AWS reports in CodePipeline's EventBridge events. */
export type EventState = 'STARTED' | 'SUCCEEDED' | 'RESUMED' | 'FAILED' | 'CANCELED' | 'SUPERSEDED' | 'STOPPED' | 'STOPPING' | 'ABANDONED';

function base(p: PipelineRecord, e: ExecutionRecord): Record<string, unknown> {
  return {
    pipeline: p.name,
    'execution-id': e.id,
    'start-time': new Date(e.startTime).toISOString(),
    version: e.pipelineVersion,
    'pipeline-execution-attempt': 1,
  };
}

export function pipelineEvent(p: PipelineRecord, e: ExecutionRecord, state: EventState, at: number): AwsEvent {
  const detail: Record<string, unknown> = { ...base(p, e), state };
  detail['execution-trigger'] = { 'trigger-type': e.trigger.triggerType, 'trigger-detail': e.trigger.triggerDetail ?? '' };
  if (state === 'STOPPED' || state === 'STOPPING') detail['stop-execution-trigger'] = { reason: e.stopReason ?? '' };
  return { source: 'aws.codepipeline', detailType: 'CodePipeline Pipeline Execution State Change', resources: [p.arn], detail, time: new Date(at) };
}

export function stageEvent(p: PipelineRecord, e: ExecutionRecord, stage: string, state: EventState, at: number): AwsEvent {
  return { source: 'aws.codepipeline', detailType: 'CodePipeline Stage Execution State Change', resources: [p.arn], detail: { ...base(p, e), stage, state }, time: new Date(at) };
}

export function actionEvent(p: PipelineRecord, e: ExecutionRecord, run: ActionRun, decl: ActionDeclaration, region: string, state: EventState, at: number): AwsEvent {
  const t = decl.actionTypeId;
  const detail: Record<string, unknown> = {
    ...base(p, e),
    stage: run.stage,
    'action-execution-id': run.id,
    action: run.action,
    state,
    region,
    type: { owner: t.owner, provider: t.provider, category: t.category, version: t.version },
  };
  if (run.inputArtifacts.length) detail['input-artifacts'] = run.inputArtifacts.map(artifactView);
  if (state !== 'STARTED') {
    const result: Record<string, unknown> = { 'external-execution-state': state === 'SUCCEEDED' ? 'Succeeded' : state === 'FAILED' ? 'Failed' : 'Abandoned' };
    if (run.externalExecutionId) result['external-execution-id'] = run.externalExecutionId;
    if (run.externalExecutionUrl) result['external-execution-url'] = run.externalExecutionUrl;
    if (run.summary) result['external-execution-summary'] = run.summary;
    if (run.error?.code) result['error-code'] = run.error.code;
    detail['execution-result'] = result;
    if (state === 'SUCCEEDED' && run.outputArtifacts.length) detail['output-artifacts'] = run.outputArtifacts.map(artifactView);
  }
  return { source: 'aws.codepipeline', detailType: 'CodePipeline Action Execution State Change', resources: [p.arn], detail, time: new Date(at) };
}

function artifactView(a: ActionRun['inputArtifacts'][number]): Record<string, unknown> {
  return { name: a.name, s3location: { bucket: a.s3location?.bucket, key: a.s3location?.key } };
}
