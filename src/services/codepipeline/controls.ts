import { errorMessage } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { err, getExecution, type CodePipeline } from './common.js';
import { pipelineEvent, stageEvent } from './events.js';
import { resetForRetry } from './stage-runs.js';
import type { ExecutionRecord, PipelineRecord } from './store.js';

/**
 * StopPipelineExecution. "Stop and wait" lets running actions finish, then the execution is
 * Stopped; "stop and abandon" abandons them at once and stops their external work (builds,
 * deployments) and their jobs.
 */
export async function stopExecution(cp: CodePipeline, scope: Scope, p: PipelineRecord, id: string, abandon: boolean, reason: string): Promise<void> {
  const e = getExecution(cp, scope, p.name, id);
  if (e.status === 'Stopping' && !abandon) throw err('DuplicatedStopRequestException', `Pipeline execution ${id} is already being stopped.`);
  if (e.status !== 'InProgress' && e.status !== 'Stopping') {
    throw err('PipelineExecutionNotStoppableException', `Unable to stop pipeline execution ${id} because it is in ${e.status} state.`);
  }
  const stopped = cp.store.atomic(() => {
    const fresh = getExecution(cp, scope, p.name, id);
    fresh.stopReason = reason;
    fresh.abandon = abandon;
    const stage = p.declaration.stages[fresh.stageIndex]?.name;
    const run = stage && !fresh.waiting ? fresh.stages[stage] : undefined;
    const running = run ? Object.values(run.actions).filter((a) => a.status === 'InProgress') : [];
    if (!abandon && running.length) {
      fresh.status = 'Stopping';
      run!.status = 'Stopping';
      cp.engine.emit(scope, pipelineEvent(p, fresh, 'STOPPING', cp.deps.clock.now()));
      cp.store.saveExecution(scope, fresh);
      return [];
    }
    const decl = cp.engine.declaration(scope, p.name, fresh.pipelineVersion);
    for (const a of running) {
      cp.engine.abandon(scope, p, fresh, a, decl?.stages.find((s) => s.name === stage)?.actions.find((x) => x.name === a.action));
      for (const j of cp.store.jobs.list(scope).filter((x) => x.actionExecutionId === a.id)) cp.store.jobs.put(scope, j.id, { ...j, status: 'Failed' });
    }
    if (run) {
      run.status = 'Stopped';
      cp.engine.emit(scope, stageEvent(p, fresh, stage!, 'STOPPED', cp.deps.clock.now()));
    }
    cp.engine.finish(scope, p, fresh, 'Stopped', 'STOPPED', reason || undefined);
    cp.store.saveExecution(scope, fresh);
    return running.map((a) => ({ stage: stage!, action: a.action }));
  });
  for (const a of stopped) {
    const ctx = cp.runner.context({ scope, pipeline: p.name, execution: id, stage: a.stage, action: a.action });
    const provider = ctx && cp.runner.provider(ctx.action.actionTypeId);
    await provider?.stop?.(ctx!).catch((x: unknown) => cp.deps.log.warn('could not stop an abandoned action', { action: a.action, error: errorMessage(x) }));
  }
}

/** RetryStageExecution: reruns the failed actions (or all) of a failed or stopped stage of the latest execution in it. */
export function retryStage(cp: CodePipeline, scope: Scope, p: PipelineRecord, id: string, stage: string, mode: 'FAILED_ACTIONS' | 'ALL_ACTIONS'): ExecutionRecord {
  return cp.store.atomic(() => {
    const e = getExecution(cp, scope, p.name, id);
    const run = e.stages[stage];
    const index = p.declaration.stages.findIndex((s) => s.name === stage);
    if (!run || (run.status !== 'Failed' && run.status !== 'Stopped') || (e.status !== 'Failed' && e.status !== 'Stopped')) {
      throw err('StageNotRetryableException', `Stage ${stage} of pipeline execution ${id} cannot be retried: only a failed or stopped stage of a failed or stopped execution can be.`);
    }
    const newer = cp.store.listExecutions(scope, p.name).find((x) => x.seq > e.seq && x.stages[stage]);
    if (newer) throw err('NotLatestPipelineExecutionException', `Pipeline execution ${id} is not the latest execution in stage ${stage}: ${newer.id} ran there after it.`);
    if (e.pipelineVersion !== p.declaration.version) throw err('StageNotRetryableException', `Pipeline ${p.name} was updated since execution ${id} started; start a new execution instead.`);
    resetForRetry(e, run, mode, 'ManualStageRetry');
    e.status = 'InProgress';
    e.statusSummary = undefined;
    e.stopReason = undefined;
    e.stageIndex = index;
    e.waiting = false;
    const rt = cp.store.runtimeOf(scope, p.name);
    const slot = (rt.stages[stage] ??= { occupants: [], waiting: [] });
    if (e.mode !== 'PARALLEL' && !slot.occupants.includes(e.id)) slot.occupants.push(e.id);
    cp.store.runtime.put(scope, p.name, rt);
    const now = cp.deps.clock.now();
    cp.engine.emit(scope, pipelineEvent(p, e, 'RESUMED', now));
    cp.engine.emit(scope, stageEvent(p, e, stage, 'RESUMED', now));
    cp.store.saveExecution(scope, e);
    cp.engine.wake(scope, p.name, e.id);
    return e;
  });
}
