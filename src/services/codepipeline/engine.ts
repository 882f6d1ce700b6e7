import type { ActionDeclaration, ExecutionTrigger, PipelineDeclaration, SourceRevisionOverride, StageDeclaration } from '../../aws/models/generated/codepipeline.js';
import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import { publishEvent, type AwsEvent } from '../common/events.js';
import type { ServiceDeps } from '../service.js';
import { checkStage } from './conditions.js';
import { actionEvent, pipelineEvent, stageEvent, type EventState } from './events.js';
import type { ActionOutcome } from './provider-types.js';
import { enterStage, leaveAll, leaveStage } from './stage-locks.js';
import { newActionRun, nextActions, resetForRetry } from './stage-runs.js';
import { versionKey, type ActionRun, type ExecutionRecord, type PipelineRecord, type PipelineStore, type StageRun } from './store.js';

export interface ActionJob {
  scope: Scope;
  pipeline: string;
  execution: string;
  stage: string;
  action: string;
  run: string;
  phase: 'start' | 'poll';
}

export interface StartOptions {
  variables?: { name: string; value: string }[];
  overrides?: SourceRevisionOverride[];
  type?: 'STANDARD' | 'ROLLBACK';
  rollbackTarget?: ExecutionRecord;
  onlyStage?: string;
}

const ACTIVE = new Set(['InProgress', 'Stopping']);

/**
 * The pipeline orchestrator. Every state change is one SQLite transaction together with the
 * jobs it enqueues (the next action to run, the events to send), so an execution interrupted
 * by a crash continues from its last committed step when Slipway starts again.
 */
export class Engine {
  private readonly enqueueAdvance: (p: { scope: Scope; pipeline: string; execution: string }) => void;
  private readonly enqueueEvent: (p: { scope: Scope; event: AwsEvent & { time?: Date } }) => void;
  enqueueAction!: (p: ActionJob, opts?: { delayMs?: number }) => void;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: PipelineStore,
  ) {
    this.enqueueAdvance = deps.jobs.define('codepipeline-advance', async (p) => {
      // Enqueued inside a transaction, the job may start before it commits: read state after it.
      await Promise.resolve();
      this.advance(p.scope, p.pipeline, p.execution);
    }, { concurrency: 4 });
    this.enqueueEvent = deps.jobs.define('codepipeline-events', async (p) => publishEvent(deps.aws, deps.log, p.scope, { ...p.event, time: p.event.time ? new Date(p.event.time) : undefined }), { concurrency: 4 });
  }

  /** Continues every execution that was running when Slipway stopped. */
  resume(): void {
    for (const { scope, value } of this.store.executions.all()) {
      if (ACTIVE.has(value.status)) this.enqueueAdvance({ scope, pipeline: value.pipelineName, execution: value.id });
    }
  }

  declaration(scope: Scope, name: string, version: number): PipelineDeclaration | undefined {
    return this.store.versions.get(scope, versionKey(name, version));
  }

  emit(scope: Scope, event: AwsEvent): void {
    this.enqueueEvent({ scope, event });
  }

  wake(scope: Scope, pipeline: string, execution: string): void {
    this.enqueueAdvance({ scope, pipeline, execution });
  }

  startExecution(scope: Scope, p: PipelineRecord, trigger: ExecutionTrigger, o: StartOptions = {}): ExecutionRecord {
    return this.store.atomic(() => {
      const fresh = this.store.pipelines.get(scope, p.name) ?? p;
      fresh.executions += 1;
      this.store.pipelines.put(scope, p.name, fresh);
      const decl = p.declaration;
      const now = this.deps.clock.now();
      const given = new Map((o.variables ?? []).map((v) => [v.name, v.value]));
      const variables = (decl.variables ?? []).flatMap((v) => {
        const value = given.get(v.name) ?? v.defaultValue;
        return value === undefined ? [] : [{ name: v.name, resolvedValue: value }];
      });
      const target = o.rollbackTarget;
      const e: ExecutionRecord = {
        id: uuid(), pipelineName: p.name, pipelineVersion: decl.version ?? 1, seq: fresh.executions, status: 'InProgress',
        mode: decl.executionMode ?? 'SUPERSEDED', type: o.type ?? 'STANDARD', trigger, startTime: now, lastUpdateTime: now,
        variables: target ? target.variables : variables, sourceOverrides: o.overrides ?? [],
        stageIndex: o.onlyStage ? decl.stages.findIndex((s) => s.name === o.onlyStage) : 0, waiting: true, stages: {}, history: [],
        artifacts: target ? { ...target.artifacts } : {}, namespaces: target ? structuredClone(target.namespaces) : {}, revisions: target ? target.revisions : [],
        rollbackTarget: target?.id, onlyStage: o.onlyStage,
      };
      if (target) e.pipelineVersion = target.pipelineVersion;
      e.namespaces.codepipeline = { PipelineExecutionId: e.id };
      e.namespaces.variables = Object.fromEntries(e.variables.map((v) => [v.name, v.resolvedValue]));
      this.store.saveExecution(scope, e);
      this.emit(scope, pipelineEvent(p, e, 'STARTED', now));
      this.enqueueAdvance({ scope, pipeline: p.name, execution: e.id });
      return e;
    });
  }

  /** Moves an execution as far as it can go now; idempotent. */
  advance(scope: Scope, pipeline: string, id: string): void {
    this.store.atomic(() => {
      const p = this.store.pipelines.get(scope, pipeline);
      const e = this.store.execution(scope, pipeline, id);
      const decl = e && this.declaration(scope, pipeline, e.pipelineVersion);
      if (!p || !e || !decl) return;
      this.step(scope, p, decl, e);
      e.lastUpdateTime = this.deps.clock.now();
      this.store.saveExecution(scope, e);
    });
  }

  private step(scope: Scope, p: PipelineRecord, decl: PipelineDeclaration, e: ExecutionRecord): void {
    for (;;) {
      if (!ACTIVE.has(e.status)) return;
      const stage = decl.stages[e.stageIndex];
      if (e.waiting) {
        if (!this.enter(scope, p, e, stage)) return;
        const gate = this.beforeEntry(scope, p, decl, e, stage);
        if (gate === 'stop') return;
        if (gate === 'skip') continue;
      }
      const run = e.stages[stage.name];
      if (e.status === 'Stopping') return this.finishStopping(scope, p, e, stage, run);
      const next = nextActions(stage, run);
      if (next === 'wait') return;
      if (next === 'failed' && this.autoRetry(scope, p, e, stage, run)) continue;
      if (next === 'failed') return this.stageFailed(scope, p, decl, e, stage, run);
      if (next !== 'succeeded') {
        for (const a of next) this.startAction(scope, p, e, stage, a);
        continue;
      }
      if (!this.onSuccess(scope, p, decl, e, stage, run)) return;
      run.status = 'Succeeded';
      this.emit(scope, stageEvent(p, e, stage.name, 'SUCCEEDED', this.deps.clock.now()));
      if (!this.passStage(scope, p, decl, e, stage)) return;
    }
  }

  /** Leaves a finished (or skipped) stage for the next one; false when the execution ended. */
  private passStage(scope: Scope, p: PipelineRecord, decl: PipelineDeclaration, e: ExecutionRecord, stage: StageDeclaration): boolean {
    this.leave(scope, p, e, stage.name);
    if (e.stageIndex === decl.stages.length - 1 || e.onlyStage) {
      this.finish(scope, p, e, 'Succeeded', 'SUCCEEDED');
      return false;
    }
    e.stageIndex += 1;
    e.waiting = true;
    return true;
  }

  /** beforeEntry conditions: one not met fails the stage (FAIL) or skips it (SKIP). */
  private beforeEntry(scope: Scope, p: PipelineRecord, decl: PipelineDeclaration, e: ExecutionRecord, stage: StageDeclaration): 'go' | 'stop' | 'skip' {
    const run = e.stages[stage.name];
    const c = checkStage('beforeEntry', stage, run, e.namespaces, this.deps.clock.now());
    if (!c?.applies) return 'go';
    if (c.applies.result === 'SKIP') {
      run.status = 'Skipped';
      return this.passStage(scope, p, decl, e, stage) ? 'skip' : 'stop';
    }
    this.stageFailed(scope, p, decl, e, stage, run, `Stage ${stage.name} did not meet its entry conditions. ${c.summary}`);
    return 'stop';
  }

  /** onSuccess conditions: one not met fails the stage, and with ROLLBACK rolls it back. */
  private onSuccess(scope: Scope, p: PipelineRecord, decl: PipelineDeclaration, e: ExecutionRecord, stage: StageDeclaration, run: StageRun): boolean {
    const c = checkStage('onSuccess', stage, run, e.namespaces, this.deps.clock.now());
    if (!c?.applies) return true;
    this.stageFailed(scope, p, decl, e, stage, run, `Stage ${stage.name} did not meet its success conditions. ${c.summary}`, c.applies.result === 'ROLLBACK');
    return false;
  }

  /** What a failed stage does: onFailure's result, or with conditions the result of the first one met. */
  private failureResult(e: ExecutionRecord, stage: StageDeclaration, run: StageRun): string | undefined {
    const c = checkStage('onFailure', stage, run, e.namespaces, this.deps.clock.now());
    return c ? c.applies?.result : stage.onFailure?.result;
  }

  private enter(scope: Scope, p: PipelineRecord, e: ExecutionRecord, stage: StageDeclaration): boolean {
    const rt = this.store.runtimeOf(scope, p.name);
    const disabled = e.stageIndex > 0 && p.transitions[stage.name]?.enabled === false && e.type === 'STANDARD';
    const active = (other: string) => {
      const x = this.store.execution(scope, p.name, other);
      return x && ACTIVE.has(x.status) ? x : undefined;
    };
    const r = enterStage(rt, stage.name, e, disabled, active);
    for (const other of r.superseded) this.supersede(scope, p, other);
    this.store.runtime.put(scope, p.name, rt);
    if (r.selfSuperseded) {
      this.finish(scope, p, e, 'Superseded', 'SUPERSEDED', 'A newer execution superseded this one.');
      return false;
    }
    if (!r.entered) return false;
    e.waiting = false;
    const prev = e.stages[stage.name];
    e.stages[stage.name] = { status: 'InProgress', attempt: (prev?.attempt ?? 0) + 1, type: e.type, actions: {}, manualRetries: 0, autoRetries: 0 };
    this.emit(scope, stageEvent(p, e, stage.name, 'STARTED', this.deps.clock.now()));
    return true;
  }

  private supersede(scope: Scope, p: PipelineRecord, id: string): void {
    const other = this.store.execution(scope, p.name, id);
    if (!other || !ACTIVE.has(other.status)) return;
    this.finish(scope, p, other, 'Superseded', 'SUPERSEDED', 'A newer execution superseded this one.');
    this.store.saveExecution(scope, other);
  }

  private leave(scope: Scope, p: PipelineRecord, e: ExecutionRecord, stage: string): void {
    const rt = this.store.runtimeOf(scope, p.name);
    const wake = leaveStage(rt, stage, e);
    this.store.runtime.put(scope, p.name, rt);
    if (wake) this.wake(scope, p.name, wake);
  }

  /** Ends an execution: frees every stage it held or waited for and wakes the next ones. */
  finish(scope: Scope, p: PipelineRecord, e: ExecutionRecord, status: ExecutionRecord['status'], state: EventState, summary?: string): void {
    e.status = status;
    if (summary) e.statusSummary = summary;
    e.lastUpdateTime = this.deps.clock.now();
    const rt = this.store.runtimeOf(scope, p.name);
    const woken = leaveAll(rt, e);
    this.store.runtime.put(scope, p.name, rt);
    for (const w of woken) this.wake(scope, p.name, w.wake);
    this.emit(scope, pipelineEvent(p, e, state, e.lastUpdateTime));
  }

  private stageFailed(scope: Scope, p: PipelineRecord, decl: PipelineDeclaration, e: ExecutionRecord, stage: StageDeclaration, run: StageRun, why?: string, rollback?: boolean): void {
    run.status = 'Failed';
    this.emit(scope, stageEvent(p, e, stage.name, 'FAILED', this.deps.clock.now()));
    const failedAction = Object.values(run.actions).find((a) => a.status === 'Failed');
    const summary = why ?? (failedAction ? `Stage ${stage.name} failed: action ${failedAction.action} failed. ${failedAction.error?.message ?? ''}`.trim() : undefined);
    this.finish(scope, p, e, 'Failed', 'FAILED', summary);
    if ((rollback ?? (why === undefined && this.failureResult(e, stage, run) === 'ROLLBACK')) && e.type === 'STANDARD') this.autoRollback(scope, p, e, stage.name);
  }

  /** onFailure RETRY: AWS retries a failed stage once by itself before failing the execution. */
  private autoRetry(scope: Scope, p: PipelineRecord, e: ExecutionRecord, stage: StageDeclaration, run: StageRun): boolean {
    if (run.autoRetries >= 1 || this.failureResult(e, stage, run) !== 'RETRY') return false;
    resetForRetry(e, run, stage.onFailure?.retryConfiguration?.retryMode ?? 'FAILED_ACTIONS', 'AutomatedStageRetry');
    this.emit(scope, stageEvent(p, e, stage.name, 'RESUMED', this.deps.clock.now()));
    return true;
  }

  private autoRollback(scope: Scope, p: PipelineRecord, e: ExecutionRecord, stage: string): void {
    const target = this.store.listExecutions(scope, p.name).find((x) => x.seq < e.seq && x.type === 'STANDARD' && x.stages[stage]?.status === 'Succeeded');
    if (!target) return;
    this.startExecution(scope, p, { triggerType: 'AutomatedRollback', triggerDetail: e.id }, { type: 'ROLLBACK', rollbackTarget: target, onlyStage: stage });
  }

  private finishStopping(scope: Scope, p: PipelineRecord, e: ExecutionRecord, stage: StageDeclaration, run: StageRun | undefined): void {
    if (run && Object.values(run.actions).some((a) => a.status === 'InProgress')) return;
    if (run) {
      run.status = 'Stopped';
      this.emit(scope, stageEvent(p, e, stage.name, 'STOPPED', this.deps.clock.now()));
    }
    this.finish(scope, p, e, 'Stopped', 'STOPPED', e.stopReason);
  }

  private startAction(scope: Scope, p: PipelineRecord, e: ExecutionRecord, stage: StageDeclaration, a: ActionDeclaration): void {
    const now = this.deps.clock.now();
    const { run, missing } = newActionRun(scope, p, e, stage.name, a, now);
    e.stages[stage.name].actions[a.name] = run;
    this.emit(scope, actionEvent(p, e, run, a, scope.region, 'STARTED', now));
    if (missing.length) {
      this.complete(scope, p, e, a, run, {
        status: 'Failed', code: 'ConfigurationError',
        message: `An action in this pipeline failed because one or more variables could not be resolved: Action name=${a.name}. This can result from the variable not being available (${missing.join(', ')}).`,
      });
      return;
    }
    this.enqueueAction({ scope, pipeline: p.name, execution: e.id, stage: stage.name, action: a.name, run: run.id, phase: 'start' });
  }

  /** Records what a provider reported for a running action; a final outcome advances the execution. */
  applyOutcome(job: ActionJob, outcome: ActionOutcome): void {
    this.store.atomic(() => {
      const { scope } = job;
      const p = this.store.pipelines.get(scope, job.pipeline);
      const e = this.store.execution(scope, job.pipeline, job.execution);
      const run = e?.stages[job.stage]?.actions[job.action];
      const decl = e && this.declaration(scope, job.pipeline, e.pipelineVersion);
      const a = decl?.stages.find((s) => s.name === job.stage)?.actions.find((x) => x.name === job.action);
      if (!p || !e || !run || !a || run.id !== job.run || run.status !== 'InProgress') return;
      this.complete(scope, p, e, a, run, outcome);
      if (outcome.status === 'InProgress' && outcome.pollAfterMs !== undefined) this.enqueueAction({ ...job, phase: 'poll' }, { delayMs: outcome.pollAfterMs });
      e.lastUpdateTime = this.deps.clock.now();
      this.store.saveExecution(scope, e);
      if (outcome.status !== 'InProgress') this.step(scope, p, decl!, e);
      this.store.saveExecution(scope, e);
    });
  }

  private complete(scope: Scope, p: PipelineRecord, e: ExecutionRecord, a: ActionDeclaration, run: ActionRun, o: ActionOutcome): void {
    const now = this.deps.clock.now();
    run.lastUpdate = now;
    if (o.summary !== undefined) run.summary = o.summary;
    if (o.externalExecutionId) run.externalExecutionId = o.externalExecutionId;
    if (o.externalExecutionUrl) run.externalExecutionUrl = o.externalExecutionUrl;
    if (o.updatedBy) run.updatedBy = o.updatedBy;
    if (o.status === 'InProgress') {
      Object.assign(run.state, o.state ?? {});
      if (o.token) run.token = o.token;
      if (o.percentComplete !== undefined) run.percentComplete = o.percentComplete;
      return;
    }
    run.status = o.status;
    run.token = undefined;
    if (o.status === 'Failed') {
      run.error = { code: o.code ?? 'JobFailed', message: o.message };
      this.emit(scope, actionEvent(p, e, run, a, scope.region, 'FAILED', now));
      return;
    }
    run.outputVariables = o.outputVariables;
    for (const out of run.outputArtifacts) e.artifacts[out.name!] = { name: out.name!, bucket: out.s3location!.bucket!, key: out.s3location!.key! };
    if (a.namespace && o.outputVariables) e.namespaces[a.namespace] = o.outputVariables;
    if (o.revision) {
      e.revisions = e.revisions.filter((r) => r.actionName !== a.name);
      e.revisions.push({ actionName: a.name, name: a.outputArtifacts?.[0]?.name, revisionId: o.revision.revisionId, revisionSummary: o.revision.revisionSummary, revisionUrl: o.revision.revisionUrl, created: o.revision.created });
    }
    this.emit(scope, actionEvent(p, e, run, a, scope.region, 'SUCCEEDED', now));
  }

  /** Marks a running action abandoned (stop with abandon); the caller saves the execution. */
  abandon(scope: Scope, p: PipelineRecord, e: ExecutionRecord, run: ActionRun, a: ActionDeclaration | undefined): void {
    run.status = 'Abandoned';
    run.lastUpdate = this.deps.clock.now();
    run.token = undefined;
    if (a) this.emit(scope, actionEvent(p, e, run, a, scope.region, 'ABANDONED', run.lastUpdate));
  }
}
