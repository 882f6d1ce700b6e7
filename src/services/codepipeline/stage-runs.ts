import type { ActionDeclaration, StageDeclaration } from '../../aws/models/generated/codepipeline.js';
import type { ExecutionRecord, StageRun } from './store.js';

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
