import { randomUUID } from 'node:crypto';
import type { ErrorInformation } from '../../aws/models/generated/codedeploy.js';
import type { LambdaOperations } from '../../aws/models/generated/lambda.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { newDeploymentId } from './deployment-record.js';
import type { DeploymentEngine, StepJob } from './engine.js';
import type { LambdaAppSpec } from './lambda-appspec.js';
import { shiftPlan } from './lambda-shift.js';
import { targetKey, type DeploymentRecord, type EventStatus, type LambdaState, type TargetRecord } from './store.js';

/** AWS gives a hook function an hour to report its result. */
export const HOOK_TIMEOUT_MS = 60 * 60_000;
export const LAMBDA_EVENTS = ['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic'] as const;
type HookEvent = 'BeforeAllowTraffic' | 'AfterAllowTraffic';
const DONE = ['Succeeded', 'Failed', 'Stopped'];

export const lambdaTargetId = (spec: LambdaAppSpec) => `${spec.functionName}:${spec.alias}`;

/**
 * A deployment on the Lambda platform: BeforeAllowTraffic hook, then the alias's traffic moves
 * to the target version by the configuration's steps (each a durable, delayed step), then the
 * AfterAllowTraffic hook. Hooks are Lambda functions invoked with the deployment and execution
 * ids; the deployment waits for PutLifecycleEventHookExecutionStatus (an hour at most).
 */
export class LambdaFlow {
  /** Alias updates of one deployment run one after another, so a rollback is never overtaken by a late shift. */
  private readonly aliasQueue = new Map<string, Promise<unknown>>();

  constructor(private readonly e: DeploymentEngine) {}

  private lambda(scope: Scope) {
    return this.e.deps.aws.service<LambdaOperations>('lambda', scope);
  }

  async run(job: StepJob, dep: DeploymentRecord): Promise<void> {
    if (job.batch < 0) return this.begin(job.scope, dep);
    const hook = dep.lambda?.hook;
    if (job.phase === 'lambda-shift') return this.shift(job.scope, dep, job.batch);
    if (!hook || hook.executionId !== job.waitToken) return; // a hook already settled
    if (job.phase === 'lambda-hook-done' && hook.status) return this.hookDone(job.scope, dep, hook.status);
    if (job.phase === 'lambda-hook-timeout' && !hook.status) {
      const message = `The ${hook.event} hook function ${hook.functionName} did not report its status with PutLifecycleEventHookExecutionStatus within one hour.`;
      this.setEvent(job.scope, dep, hook.event, 'Failed', { errorCode: 'ScriptTimedOut', message });
      return this.e.finish(job.scope, this.current(job.scope, dep), 'Failed', { code: 'HOOK_EXECUTION_FAILURE', message }, 'failure');
    }
  }

  private async begin(scope: Scope, dep: DeploymentRecord): Promise<void> {
    const spec = dep.lambda!.spec;
    const now = this.e.deps.clock.now();
    const id = lambdaTargetId(spec);
    const next: DeploymentRecord = { ...dep, status: 'InProgress', startTime: now, instanceIds: [id] };
    const target: TargetRecord = {
      deploymentId: dep.deploymentId, instanceId: id, kind: 'lambda', localId: '', status: 'InProgress', lastUpdatedAt: now,
      lifecycleEvents: LAMBDA_EVENTS.map((name) => ({ lifecycleEventName: name, status: 'Pending' })),
      lambda: { functionName: spec.functionName, functionAlias: spec.alias, currentVersion: spec.currentVersion, targetVersion: spec.targetVersion, targetVersionWeight: 0 },
    };
    this.e.store.targets.put(scope, targetKey(dep.deploymentId, id), target);
    this.e.store.deployments.put(scope, dep.deploymentId, next);
    await this.e.notify.deployment(scope, next, this.e.group(scope, next), 'START');
    const problem = await this.validate(scope, spec, target);
    if (problem) return this.e.finish(scope, this.current(scope, next), 'Failed', problem);
    return this.startHook(scope, this.current(scope, next), 'BeforeAllowTraffic');
  }

  /** The AppSpec checked against Lambda: both versions exist and the alias is on CurrentVersion, not shifting. */
  private async validate(scope: Scope, spec: LambdaAppSpec, target: TargetRecord): Promise<ErrorInformation | undefined> {
    const fn = this.lambda(scope);
    try {
      for (const v of [spec.currentVersion, spec.targetVersion]) {
        const cfg = await fn.GetFunctionConfiguration({ FunctionName: spec.functionName, Qualifier: v });
        if (v === spec.targetVersion) target.lambda!.functionArn = cfg.FunctionArn?.replace(/:[^:]+$/, '');
      }
    } catch (e) {
      if (!(e instanceof ServiceError) || e.code !== 'ResourceNotFoundException') throw e;
      return { code: 'INVALID_LAMBDA_FUNCTION', message: `The Lambda function ${spec.functionName} or one of its versions (${spec.currentVersion}, ${spec.targetVersion}) named in the AppSpec file does not exist: ${e.message}` };
    }
    try {
      const alias = await fn.GetAlias({ FunctionName: spec.functionName, Name: spec.alias });
      if (alias.FunctionVersion !== spec.currentVersion) {
        return { code: 'INVALID_LAMBDA_CONFIGURATION', message: `The alias ${spec.alias} of ${spec.functionName} points to version ${alias.FunctionVersion}, but the AppSpec file's CurrentVersion is ${spec.currentVersion}.` };
      }
      if (Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).length) {
        return { code: 'INVALID_LAMBDA_CONFIGURATION', message: `The alias ${spec.alias} of ${spec.functionName} already routes traffic to more than one version; remove its routing configuration before deploying.` };
      }
    } catch (e) {
      if (!(e instanceof ServiceError) || e.code !== 'ResourceNotFoundException') throw e;
      return { code: 'INVALID_LAMBDA_CONFIGURATION', message: `The alias ${spec.alias} of Lambda function ${spec.functionName} named in the AppSpec file does not exist.` };
    }
    this.e.store.targets.put(scope, targetKey(target.deploymentId, target.instanceId), target);
    return undefined;
  }

  /** Invokes the event's hook function (asynchronously, as CodeDeploy does) and waits for its report. */
  private async startHook(scope: Scope, dep: DeploymentRecord, event: HookEvent): Promise<void> {
    const functionName = dep.lambda!.spec.hooks[event];
    if (!functionName) {
      this.setEvent(scope, dep, event, 'Skipped');
      return this.afterHook(scope, this.current(scope, dep), event);
    }
    const executionId = randomUUID();
    this.setEvent(scope, dep, event, 'InProgress');
    this.saveState(scope, dep, { hook: { event, executionId, functionName } });
    this.e.step({ scope, deploymentId: dep.deploymentId, batch: 0, phase: 'lambda-hook-timeout', waitToken: executionId }, HOOK_TIMEOUT_MS);
    const payload = Buffer.from(JSON.stringify({ DeploymentId: dep.deploymentId, LifecycleEventHookExecutionId: executionId }));
    try {
      await this.lambda(scope).Invoke({ FunctionName: functionName, InvocationType: 'Event', Payload: payload });
    } catch (e) {
      const message = `The ${event} hook function ${functionName} could not be invoked: ${e instanceof Error ? e.message : String(e)}`;
      this.setEvent(scope, dep, event, 'Failed', { errorCode: 'ScriptMissing', message });
      return this.e.finish(scope, this.current(scope, dep), 'Failed', { code: 'HOOK_EXECUTION_FAILURE', message }, 'failure');
    }
  }

  /** PutLifecycleEventHookExecutionStatus: records the result; a durable step carries the deployment on. */
  report(scope: Scope, dep: DeploymentRecord, executionId: string, status: 'Succeeded' | 'Failed'): void {
    const state = dep.lambda!;
    this.saveState(scope, dep, { hook: { ...state.hook!, status }, reported: [...state.reported, executionId] });
    this.e.step({ scope, deploymentId: dep.deploymentId, batch: 0, phase: 'lambda-hook-done', waitToken: executionId });
  }

  private async hookDone(scope: Scope, dep: DeploymentRecord, status: 'Succeeded' | 'Failed'): Promise<void> {
    const hook = dep.lambda!.hook!;
    if (status === 'Succeeded') {
      this.setEvent(scope, dep, hook.event, 'Succeeded');
      this.saveState(scope, dep, { hook: undefined });
      return this.afterHook(scope, this.current(scope, dep), hook.event);
    }
    const message = `The ${hook.event} hook function ${hook.functionName} reported Failed.`;
    this.setEvent(scope, dep, hook.event, 'Failed', { errorCode: 'ScriptFailed', message });
    return this.e.finish(scope, this.current(scope, dep), 'Failed', { code: 'HOOK_EXECUTION_FAILURE', message: `The deployment failed because a lifecycle event hook failed: ${message}` }, 'failure');
  }

  private afterHook(scope: Scope, dep: DeploymentRecord, event: HookEvent): Promise<void> {
    if (event === 'BeforeAllowTraffic') return this.shift(scope, dep, 0);
    return this.e.finish(scope, dep, 'Succeeded');
  }

  /** One step of AllowTraffic: the alias takes the step's weight; the next step is due after the interval. */
  private async shift(scope: Scope, dep: DeploymentRecord, index: number): Promise<void> {
    const plan = shiftPlan(dep.trafficRoutingConfig);
    const step = plan[index];
    if (!step || index <= dep.lambda!.step) return; // already applied (a step re-run after a restart)
    if (index === 0) this.setEvent(scope, dep, 'AllowTraffic', 'InProgress');
    const applied = await this.setWeight(scope, dep.deploymentId, dep.lambda!.spec, step.percent, true);
    if (!applied) return;
    const cur = this.current(scope, dep);
    this.saveState(scope, cur, { step: index, percent: step.percent });
    this.setWeightInfo(scope, cur, step.percent);
    const last = index === plan.length - 1;
    this.saveDep(scope, cur, { statusMessages: [...cur.statusMessages, `Traffic shifted: ${step.percent}% of alias ${cur.lambda!.spec.alias} on version ${cur.lambda!.spec.targetVersion}.`] });
    if (!last) return this.e.step({ scope, deploymentId: dep.deploymentId, batch: index + 1, phase: 'lambda-shift' }, step.waitMs);
    this.setEvent(scope, cur, 'AllowTraffic', 'Succeeded');
    return this.startHook(scope, this.current(scope, cur), 'AfterAllowTraffic');
  }

  /**
   * Moves the alias: below 100 % it stays on CurrentVersion with the target as an additional
   * version weighted percent/100; at 100 % it points at the target with no routing config.
   * With `onlyIfRunning`, a deployment that has ended meanwhile is left alone.
   */
  private setWeight(scope: Scope, deploymentId: string, spec: LambdaAppSpec, percent: number, onlyIfRunning: boolean): Promise<boolean> {
    const prev = this.aliasQueue.get(deploymentId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(async () => {
      const dep = this.e.store.deployments.get(scope, deploymentId);
      if (onlyIfRunning && (!dep || DONE.includes(dep.status))) return false;
      const routing = percent >= 100 ? { FunctionVersion: spec.targetVersion, RoutingConfig: { AdditionalVersionWeights: {} } }
        : percent <= 0 ? { FunctionVersion: spec.currentVersion, RoutingConfig: { AdditionalVersionWeights: {} } }
          : { FunctionVersion: spec.currentVersion, RoutingConfig: { AdditionalVersionWeights: { [spec.targetVersion]: percent / 100 } } };
      await this.lambda(scope).UpdateAlias({ FunctionName: spec.functionName, Name: spec.alias, ...routing });
      return true;
    });
    this.aliasQueue.set(deploymentId, next);
    void next.finally(() => this.aliasQueue.get(deploymentId) === next && this.aliasQueue.delete(deploymentId)).catch(() => undefined);
    return next;
  }

  /** The deployment has ended: its target takes the outcome, events not reached are Skipped. */
  closeTarget(scope: Scope, dep: DeploymentRecord, status: 'Succeeded' | 'Failed' | 'Stopped'): void {
    const key = targetKey(dep.deploymentId, dep.instanceIds[0] ?? '');
    const t = this.e.store.targets.get(scope, key);
    if (!t) return;
    const end = this.e.deps.clock.now();
    const events = t.lifecycleEvents.map((e) => e.status === 'Pending' ? { ...e, status: 'Skipped' as const }
      : e.status === 'InProgress' ? { ...e, status: status === 'Stopped' ? 'Skipped' as const : 'Failed' as const, endTime: end } : e);
    this.e.store.targets.put(scope, key, { ...t, status: status === 'Succeeded' ? 'Succeeded' : 'Failed', lifecycleEvents: events, lastUpdatedAt: end });
  }

  /**
   * The rollback deployment (creator codeDeployRollback): the alias goes back to CurrentVersion
   * with no routing config at once, no hooks run; both deployments record the link.
   */
  async rollback(scope: Scope, failed: DeploymentRecord, status: string): Promise<void> {
    const spec = failed.lambda!.spec;
    const id = newDeploymentId();
    const now = this.e.deps.clock.now();
    const back: LambdaAppSpec = { ...spec, currentVersion: spec.targetVersion, targetVersion: spec.currentVersion, hooks: {} };
    const targetId = lambdaTargetId(spec);
    const rb: DeploymentRecord = {
      ...failed, deploymentId: id, revision: failed.revision, previousRevision: failed.revision, status: 'InProgress', creator: 'codeDeployRollback',
      createTime: now, startTime: now, completeTime: undefined, errorInformation: undefined, instanceIds: [targetId], statusMessages: [],
      trafficRoutingConfig: { type: 'AllAtOnce' }, lambda: { spec: back, step: -1, percent: 0, reported: [] },
      rollbackInfo: { rollbackTriggeringDeploymentId: failed.deploymentId, rollbackMessage: `Deployment ${id} is a rollback of deployment ${failed.deploymentId}.` },
    };
    const info = { rollbackDeploymentId: id, rollbackMessage: `Deployment ${failed.deploymentId} ${status === 'Stopped' ? 'was stopped' : 'failed'}; rollback deployment ${id} moved alias ${spec.alias} of ${spec.functionName} back to version ${spec.currentVersion}.` };
    this.saveDep(scope, this.current(scope, failed), { rollbackInfo: info });
    this.e.store.deployments.put(scope, id, rb);
    const events = LAMBDA_EVENTS.map((name) => ({ lifecycleEventName: name, status: (name === 'AllowTraffic' ? 'InProgress' : 'Skipped') as EventStatus, startTime: name === 'AllowTraffic' ? now : undefined }));
    const functionInfo = { functionName: spec.functionName, functionAlias: spec.alias, currentVersion: back.currentVersion, targetVersion: back.targetVersion, targetVersionWeight: 0 };
    this.e.store.targets.put(scope, targetKey(id, targetId), { deploymentId: id, instanceId: targetId, kind: 'lambda', localId: '', status: 'InProgress', lastUpdatedAt: now, lifecycleEvents: events, lambda: functionInfo });
    try {
      await this.setWeight(scope, id, back, 100, false);
    } catch (e) {
      const message = `The rollback could not move alias ${spec.alias} back to version ${spec.currentVersion}: ${e instanceof Error ? e.message : String(e)}`;
      this.setEvent(scope, rb, 'AllowTraffic', 'Failed', { errorCode: 'UnknownError', message });
      return this.e.finish(scope, this.current(scope, rb), 'Failed', { code: 'INVALID_LAMBDA_CONFIGURATION', message });
    }
    this.setWeightInfo(scope, rb, 100);
    this.setEvent(scope, rb, 'AllowTraffic', 'Succeeded');
    await this.e.finish(scope, this.current(scope, rb), 'Succeeded');
  }

  private current(scope: Scope, dep: DeploymentRecord): DeploymentRecord {
    return this.e.store.deployments.get(scope, dep.deploymentId) ?? dep;
  }

  private saveDep(scope: Scope, dep: DeploymentRecord, patch: Partial<DeploymentRecord>): void {
    this.e.store.deployments.put(scope, dep.deploymentId, { ...this.current(scope, dep), ...patch });
  }

  private saveState(scope: Scope, dep: DeploymentRecord, patch: Partial<LambdaState>): void {
    const cur = this.current(scope, dep);
    this.e.store.deployments.put(scope, dep.deploymentId, { ...cur, lambda: { ...cur.lambda!, ...patch } });
  }

  private patchTarget(scope: Scope, dep: DeploymentRecord, change: (t: TargetRecord) => Partial<TargetRecord>): void {
    const key = targetKey(dep.deploymentId, dep.instanceIds[0] ?? '');
    const t = this.e.store.targets.get(scope, key);
    if (t) this.e.store.targets.put(scope, key, { ...t, ...change(t), lastUpdatedAt: this.e.deps.clock.now() });
  }

  private setWeightInfo(scope: Scope, dep: DeploymentRecord, percent: number): void {
    this.patchTarget(scope, dep, (t) => ({ lambda: { ...t.lambda, targetVersionWeight: percent } }));
  }

  private setEvent(scope: Scope, dep: DeploymentRecord, name: string, status: EventStatus, diagnostics?: { errorCode: string; message: string }): void {
    const now = this.e.deps.clock.now();
    this.patchTarget(scope, dep, (t) => ({
      lifecycleEvents: t.lifecycleEvents.map((e) => e.lifecycleEventName !== name ? e : {
        ...e, status, startTime: e.startTime ?? now, endTime: status === 'InProgress' ? undefined : now,
        diagnostics: diagnostics && { errorCode: diagnostics.errorCode as never, scriptName: name, message: diagnostics.message, logTail: '' },
      }),
    }));
  }
}
