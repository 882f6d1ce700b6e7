import type { ActionDeclaration, StageDeclaration } from '../../aws/models/generated/codepipeline.js';
import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import { artifactKey } from './artifacts.js';
import type { ActionRun, ExecutionRecord, PipelineRecord, StageRun } from './store.js';
import { resolveConfiguration } from './variables.js';

/** The actions to start next in a stage (by run order), or whether the stage waits, failed or succeeded. */
export function nextActions(stage: StageDeclaration, run: StageRun): ActionDeclaration[] | 'wait' | 'failed' | 'succeeded' {
  const orders = [...new Set(stage.actions.map((a) => a.runOrder ?? 1))].sort((x, y) => x - y);
  for (const order of orders) {
    const group = stage.actions.filter((a) => (a.runOrder ?? 1) === order);
    const runs = group.map((a) => run.actions[a.name]);
    if (runs.some((r) => r?.status === 'InProgress')) return 'wait';
    if (runs.some((r) => r && (r.status === 'Failed' || r.status === 'Abandoned'))) return 'failed';
    const notStarted = group.filter((a) => !run.actions[a.name]);
    if (notStarted.length) return notStarted;
  }
  return 'succeeded';
}

/**
 * Prepares a stage to run again (RetryStageExecution, onFailure RETRY): the actions to rerun —
 * the failed ones, or all — move to the execution's history, and the stage is InProgress.
 */
export function resetForRetry(e: ExecutionRecord, run: StageRun, mode: 'FAILED_ACTIONS' | 'ALL_ACTIONS', trigger: 'ManualStageRetry' | 'AutomatedStageRetry'): void {
  for (const a of Object.values(run.actions)) {
    if (mode === 'FAILED_ACTIONS' && a.status === 'Succeeded') continue;
    e.history.push(a);
    delete run.actions[a.action];
  }
  run.status = 'InProgress';
  run.attempt += 1;
  if (trigger === 'ManualStageRetry') run.manualRetries += 1;
  else run.autoRetries += 1;
  run.latestRetryTrigger = trigger;
}

/** A new run of an action: its configuration resolved (`missing` lists what could not be), its inputs and its output keys. */
export function newActionRun(scope: Scope, p: PipelineRecord, e: ExecutionRecord, stage: string, a: ActionDeclaration, now: number): { run: ActionRun; missing: string[] } {
  const stores = p.declaration.artifactStores ?? {};
  const bucket = (p.declaration.artifactStore ?? stores[scope.region] ?? Object.values(stores)[0])!.location;
  const config = a.configuration ?? {};
  const { resolved, missing } = resolveConfiguration(config, e.namespaces);
  const run: ActionRun = {
    id: uuid(), stage, action: a.name, status: 'InProgress', startTime: now, lastUpdate: now, attempt: e.stages[stage].attempt,
    configuration: config, resolvedConfiguration: resolved,
    inputArtifacts: (a.inputArtifacts ?? []).map((i) => ({ name: i.name, s3location: { bucket: e.artifacts[i.name]?.bucket, key: e.artifacts[i.name]?.key } })),
    outputArtifacts: (a.outputArtifacts ?? []).map((o) => ({ name: o.name, s3location: { bucket, key: artifactKey(p.name, o.name) } })),
    state: {},
  };
  return { run, missing };
}
