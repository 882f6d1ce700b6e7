import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import type { Scope } from '../../core/scope.js';
import type { InstanceHost } from '../../runtime/instance-host.js';
import type { ServiceDeps } from '../service.js';
import { ALLOW_EVENTS, BLOCK_EVENTS, IN_PLACE_EVENTS, runAgent } from './agent.js';
import { AlarmWatch, type WatchVerdict } from './alarm-watch.js';
import { BlueGreenFlow } from './blue-green.js';
import { LambdaFlow } from './lambda-flow.js';
import { saveBundle, unpack } from './bundle.js';
import { verdict } from './configs.js';
import type { Notifier } from './notify.js';
import { CodeDeployStore, groupKey, targetKey, type DeploymentRecord, type GroupRecord, type TargetRecord } from './store.js';
import { chooseInstances } from './targets.js';
import { newDeploymentId, startRecord } from './deployment-record.js';
import { resolveTargetGroups, TrafficControl } from './traffic.js';

export interface StepJob {
  scope: Scope;
  deploymentId: string;
  batch: number;
  /** Blue/green: the phase this step runs, and the wait it ends (a stale wait does nothing). */
  phase?: 'install' | 'reroute' | 'ready-timeout' | 'terminate' | 'rollback' | 'lambda-shift' | 'lambda-hook-done' | 'lambda-hook-timeout';
  waitToken?: string;
}

/** Why a deployment ended short of success, for the automatic rollback rule. */
export type RollbackReason = 'failure' | 'stop' | 'alarm';

export const withTraffic = (dep: DeploymentRecord) => dep.deploymentStyle.deploymentOption === 'WITH_TRAFFIC_CONTROL';
const DONE = ['Succeeded', 'Failed', 'Stopped'];

/**
 * The in-place deployment engine: instances are chosen when the deployment starts, then
 * deployed batch by batch (each batch a durable job) until the configuration's success
 * rule is met or can no longer be; a failure rolls back when the group or deployment asks.
 */
export class DeploymentEngine {
  readonly step: (job: StepJob, delayMs?: number) => void;
  readonly traffic: TrafficControl;
  readonly alarms: AlarmWatch;
  private readonly blueGreen: BlueGreenFlow;
  readonly lambda: LambdaFlow;
  readonly running = new Map<string, AbortController>();
  private readonly bundles = new Map<string, Promise<{ file: string; dir: string }>>();
  /** Called when a deployment has ended (launch deployments complete their lifecycle action). */
  onFinished: ((scope: Scope, dep: DeploymentRecord) => Promise<void>) | undefined;

  constructor(
    readonly store: CodeDeployStore,
    readonly host: InstanceHost,
    readonly notify: Notifier,
    readonly deps: ServiceDeps,
  ) {
    this.traffic = new TrafficControl(deps.aws, deps.clock);
    this.alarms = new AlarmWatch(deps.aws, deps.clock, deps.bus);
    this.blueGreen = new BlueGreenFlow(this);
    this.lambda = new LambdaFlow(this);
    const enqueue = deps.jobs.define<StepJob>('codedeploy.step', (job) => this.run(job), {
      maxAttempts: 3,
      concurrency: 16,
      // A step that keeps failing (EC2 or S3 unreachable) ends the deployment rather than leaving it in progress.
      onExhausted: async (job, error) => {
        const dep = this.store.deployments.get(job.scope, job.deploymentId);
        if (dep && !DONE.includes(dep.status)) {
          await this.finish(job.scope, dep, 'Failed', { code: 'INTERNAL_ERROR', message: `The deployment could not continue: ${error instanceof Error ? error.message : String(error)}` }, 'failure');
        }
      },
    });
    this.step = (job, delayMs) => enqueue(job, delayMs ? { delayMs } : undefined);
  }

  start(scope: Scope, dep: DeploymentRecord): void {
    this.store.deployments.put(scope, dep.deploymentId, dep);
    this.step({ scope, deploymentId: dep.deploymentId, batch: -1 });
  }

  /** Stops a deployment: running hooks are killed, instances not started are skipped. */
  async stop(scope: Scope, dep: DeploymentRecord, autoRollback: boolean): Promise<void> {
    this.running.get(dep.deploymentId)?.abort();
    await this.finish(scope, dep, 'Stopped', { code: 'MANUAL_STOP', message: 'The deployment was stopped by the user.' }, autoRollback ? 'stop' : undefined);
  }

  /** ContinueDeployment: ends a blue/green deployment's ready wait or termination wait. */
  continue(scope: Scope, dep: DeploymentRecord, waitType: 'READY_WAIT' | 'TERMINATION_WAIT'): void {
    this.blueGreen.continue(scope, dep, waitType);
  }

  /** An alarm fired (or could not be read) while the deployment ran: it stops, and rolls back when asked to. */
  private async onAlarm(scope: Scope, deploymentId: string, verdict: WatchVerdict): Promise<void> {
    const dep = this.store.deployments.get(scope, deploymentId);
    if (!dep || DONE.includes(dep.status)) return;
    this.running.get(deploymentId)?.abort();
    const message = verdict.kind === 'alarm'
      ? `One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <${verdict.names.join(', ')}>`
      : verdict.message;
    await this.finish(scope, this.store.deployments.get(scope, deploymentId)!, 'Stopped', { code: 'ALARM_ACTIVE', message }, 'alarm');
  }

  /** After a restart: deployments still running (or waiting in Ready or for termination) are watched again. */
  resumeWatches(): void {
    for (const { scope, value } of this.store.deployments.all()) if (!DONE.includes(value.status) && value.status !== 'Created') this.watch(scope, value);
  }

  /** Alarms are watched from a deployment's first step to its end. */
  private watch(scope: Scope, dep: DeploymentRecord): void {
    if (dep.creator === 'codeDeployRollback' || this.alarms.isWatching(dep.deploymentId)) return;
    this.alarms.watch(scope, dep.deploymentId, dep.alarmConfiguration, (v) => void this.onAlarm(scope, dep.deploymentId, v));
  }

  private async run(job: StepJob): Promise<void> {
    const dep = this.store.deployments.get(job.scope, job.deploymentId);
    if (!dep || DONE.includes(dep.status)) return;
    this.watch(job.scope, dep);
    if (dep.computePlatform === 'Lambda') return this.lambda.run(job, dep);
    if (job.batch < 0) return this.begin(job.scope, dep);
    if (dep.deploymentStyle.deploymentType === 'BLUE_GREEN') return this.blueGreen.run(job, dep);
    const ids = dep.instanceIds.slice(job.batch * dep.batchSize, (job.batch + 1) * dep.batchSize);
    const controller = new AbortController();
    this.running.set(dep.deploymentId, controller);
    try {
      await Promise.all(ids.map((id) => this.deployInstance(job.scope, dep, id, controller.signal)));
    } finally {
      this.running.delete(dep.deploymentId);
    }
    await this.judge(job.scope, dep.deploymentId, job.batch);
  }

  private async begin(scope: Scope, dep: DeploymentRecord): Promise<void> {
    const group = this.group(scope, dep);
    const arns = withTraffic(dep) ? await this.targetGroups(scope, dep) : [];
    if (!arns) return;
    if (dep.deploymentStyle.deploymentType === 'BLUE_GREEN') return this.blueGreen.begin(scope, { ...dep, targetGroupArns: arns }, group);
    const chosen = dep.launch ? [{ id: dep.launch.instanceId, kind: 'ec2' as const, localId: dep.launch.instanceId }]
      : group ? await chooseInstances(this.deps.aws, this.store, scope, group, dep) : [];
    const now = this.deps.clock.now();
    const next = { ...startRecord(dep, chosen.length, now), targetGroupArns: arns };
    next.instanceIds = chosen.map((c) => c.id);
    for (const c of chosen) {
      const names = withTraffic(dep) ? [...BLOCK_EVENTS, ...IN_PLACE_EVENTS, ...ALLOW_EVENTS] : IN_PLACE_EVENTS;
      const lifecycleEvents = names.map((name) => ({ lifecycleEventName: name, status: 'Pending' as const }));
      const target: TargetRecord = { deploymentId: dep.deploymentId, instanceId: c.id, kind: c.kind, localId: c.localId, status: 'Pending', lastUpdatedAt: now, lifecycleEvents };
      this.store.targets.put(scope, targetKey(dep.deploymentId, c.id), target);
    }
    this.store.deployments.put(scope, dep.deploymentId, next);
    // The download starts with the deployment, while instances run ApplicationStop.
    if (chosen.length) this.bundle(scope, next).catch(() => undefined);
    await this.notify.deployment(scope, next, group, 'START');
    if (!chosen.length) {
      const message = 'The deployment failed because no instances were found for your deployment group. Check your deployment group settings to make sure the tags for your EC2 instances or Auto Scaling groups correctly identify the instances you want to deploy to, and then try again.';
      return this.finish(scope, next, 'Failed', { code: 'NO_INSTANCES', message }, 'failure');
    }
    this.step({ scope, deploymentId: dep.deploymentId, batch: 0 });
  }

  /** The deployment's target groups, checked with ELB at start; a missing one fails the deployment. */
  private async targetGroups(scope: Scope, dep: DeploymentRecord): Promise<string[] | undefined> {
    try {
      const arns = await resolveTargetGroups(this.deps.aws, scope, dep.loadBalancerInfo);
      if (arns.length) return arns;
      await this.finish(scope, { ...dep, startTime: this.deps.clock.now() }, 'Failed', { code: 'MISSING_ELB_INFORMATION', message: 'The deployment uses traffic control but its deployment group names no load balancer target group.' }, 'failure');
    } catch (e) {
      await this.finish(scope, { ...dep, startTime: this.deps.clock.now() }, 'Failed', { code: 'ELASTIC_LOAD_BALANCING_INVALID', message: e instanceof Error ? e.message : String(e) }, 'failure');
    }
    return undefined;
  }

  /** The events of `only` (all pending ones when absent) on one instance, recorded as they run. */
  async runOn(scope: Scope, dep: DeploymentRecord, instanceId: string, signal: AbortSignal, only?: string[]): Promise<boolean> {
    const key = targetKey(dep.deploymentId, instanceId);
    const target = this.store.targets.get(scope, key)!;
    const save = (patch: Partial<TargetRecord>) => {
      const cur = this.store.targets.get(scope, key)!;
      this.store.targets.put(scope, key, { ...cur, ...patch, lastUpdatedAt: this.deps.clock.now() });
    };
    const s3 = dep.revision.s3Location!;
    const arns = dep.targetGroupArns ?? [];
    const result = await runAgent({
      host: this.host, clock: this.deps.clock, instanceId: target.localId, root: this.host.rootOf(target.localId) ?? '/nonexistent',
      deploymentId: dep.deploymentId, applicationName: dep.applicationName, groupName: dep.deploymentGroupName, groupId: dep.deploymentGroupId,
      bundle: { bucket: s3.bucket!, key: s3.key!, version: s3.version, eTag: s3.eTag, bundleType: s3.bundleType! },
      bundleFile: () => this.bundle(scope, dep), fileExistsBehavior: dep.fileExistsBehavior, ignoreApplicationStopFailures: dep.ignoreApplicationStopFailures,
      signal, progress: (events) => save({ lifecycleEvents: events.map((e) => ({ ...e })) }), events: target.lifecycleEvents, only,
      traffic: { block: () => this.traffic.block(scope, arns, [instanceId], signal), allow: () => this.traffic.allow(scope, arns, [instanceId], signal) },
    });
    save({ lifecycleEvents: result.events });
    return result.ok;
  }

  private async deployInstance(scope: Scope, dep: DeploymentRecord, instanceId: string, signal: AbortSignal): Promise<void> {
    const key = targetKey(dep.deploymentId, instanceId);
    const target = this.store.targets.get(scope, key)!;
    if (target.status !== 'Pending' && target.status !== 'InProgress') return;
    const group = this.group(scope, dep);
    const save = (patch: Partial<TargetRecord>) => {
      const cur = this.store.targets.get(scope, key)!;
      this.store.targets.put(scope, key, { ...cur, ...patch, lastUpdatedAt: this.deps.clock.now() });
    };
    save({ status: 'InProgress' });
    await this.notify.instance(scope, dep, group, instanceId, 'START');
    const ok = await this.runOn(scope, dep, instanceId, signal);
    save({ status: ok ? 'Succeeded' : 'Failed' });
    await this.notify.instance(scope, dep, group, instanceId, ok ? 'SUCCESS' : 'FAILURE');
  }

  /** After a batch: the next batch, or the deployment's outcome by the configuration's rule. */
  private async judge(scope: Scope, deploymentId: string, batch: number): Promise<void> {
    const dep = this.store.deployments.get(scope, deploymentId)!;
    if (dep.status !== 'InProgress') return;
    const targets = dep.instanceIds.map((id) => this.store.targets.get(scope, targetKey(deploymentId, id))!);
    const succeeded = targets.filter((t) => t.status === 'Succeeded').length;
    const failed = targets.filter((t) => t.status === 'Failed').length;
    const last = targets[targets.length - 1];
    const plan = { batchSize: dep.batchSize, requiredSuccesses: dep.requiredSuccesses, lastInstanceForgiven: dep.lastInstanceForgiven };
    const outcome = verdict(plan, targets.length, succeeded, failed, last.status === 'Failed');
    if (outcome === 'continue') return this.step({ scope, deploymentId, batch: batch + 1 });
    if (outcome === 'succeeded') return this.finish(scope, dep, 'Succeeded');
    const message = 'The overall deployment failed because too many individual instances failed deployment, too few healthy instances are available for deployment, or some instances in your deployment group are experiencing problems.';
    return this.finish(scope, dep, 'Failed', { code: 'HEALTH_CONSTRAINTS', message }, 'failure');
  }

  async finish(scope: Scope, dep: DeploymentRecord, status: 'Succeeded' | 'Failed' | 'Stopped', error?: DeploymentRecord['errorInformation'], rollback?: RollbackReason): Promise<void> {
    const current = this.store.deployments.get(scope, dep.deploymentId);
    if (current && DONE.includes(current.status)) return; // an alarm and a failure can race: the first outcome stands
    this.alarms.unwatch(dep.deploymentId);
    const now = this.deps.clock.now();
    if (dep.computePlatform === 'Lambda') this.lambda.closeTarget(scope, dep, status);
    for (const id of dep.instanceIds) {
      const t = this.store.targets.get(scope, targetKey(dep.deploymentId, id));
      if (t?.status === 'Pending') this.store.targets.put(scope, targetKey(dep.deploymentId, id), { ...t, status: 'Skipped', lastUpdatedAt: now, lifecycleEvents: t.lifecycleEvents.map((e) => ({ ...e, status: 'Skipped' })) });
    }
    const done: DeploymentRecord = { ...dep, status, completeTime: now, errorInformation: error, phase: 'done' };
    this.store.deployments.put(scope, dep.deploymentId, done);
    await this.bundles.get(dep.deploymentId)?.catch(() => undefined); // an unpack still running must end before its files go
    await rm(this.bundlePath(dep.deploymentId), { force: true });
    await rm(`${this.bundlePath(dep.deploymentId)}.d`, { recursive: true, force: true });
    this.bundles.delete(dep.deploymentId);
    const group = this.group(scope, dep);
    if (group) {
      const summary = { deploymentId: dep.deploymentId, status, endTime: now, createTime: dep.createTime };
      const updated: GroupRecord = { ...group, lastAttempted: summary };
      if (status === 'Succeeded') Object.assign(updated, { lastSuccessful: { ...summary, revision: dep.revision }, targetRevision: dep.revision });
      this.store.groups.put(scope, groupKey(group.applicationName, group.deploymentGroupName), updated);
    }
    await this.notify.deployment(scope, done, group, status === 'Succeeded' ? 'SUCCESS' : status === 'Stopped' ? 'STOP' : 'FAILURE');
    await this.onFinished?.(scope, done);
    if (rollback && status !== 'Succeeded' && !done.launch) await this.rollback(scope, done, status, rollback);
  }

  /**
   * A new deployment (creator codeDeployRollback): in place, it redeploys the group's last good
   * revision; blue/green, it sends traffic back to the original instances. Both record the link.
   */
  private async rollback(scope: Scope, failed: DeploymentRecord, status: string, reason: RollbackReason): Promise<void> {
    const cfg = failed.autoRollbackConfiguration;
    const event = reason === 'alarm' ? 'DEPLOYMENT_STOP_ON_ALARM' : 'DEPLOYMENT_FAILURE';
    const wanted = reason === 'stop' || (!!cfg?.enabled && (cfg.events ?? []).includes(event));
    if (!wanted || failed.creator === 'codeDeployRollback') return;
    if (failed.computePlatform === 'Lambda') return this.lambda.rollback(scope, failed, status);
    if (failed.deploymentStyle.deploymentType === 'BLUE_GREEN') return this.blueGreen.rollback(scope, failed, status);
    const good = this.group(scope, failed)?.lastSuccessful;
    if (!good) {
      const info = { rollbackMessage: 'Automatic rollback was not started: the deployment group has no earlier successful deployment to roll back to.' };
      this.store.deployments.put(scope, failed.deploymentId, { ...this.store.deployments.get(scope, failed.deploymentId)!, rollbackInfo: info });
      return;
    }
    const id = newDeploymentId();
    const rb: DeploymentRecord = {
      ...failed, deploymentId: id, revision: good.revision, previousRevision: failed.revision, status: 'Created', creator: 'codeDeployRollback',
      createTime: this.deps.clock.now(), startTime: undefined, completeTime: undefined, errorInformation: undefined, instanceIds: [], statusMessages: [], phase: undefined,
      rollbackInfo: { rollbackTriggeringDeploymentId: failed.deploymentId, rollbackMessage: `Deployment ${id} is a rollback of deployment ${failed.deploymentId}.` },
    };
    const info = { rollbackDeploymentId: id, rollbackMessage: `Deployment ${failed.deploymentId} ${status === 'Stopped' ? 'was stopped' : 'failed'}; rollback deployment ${id} redeploys the last successful revision (${good.deploymentId}).` };
    this.store.deployments.put(scope, failed.deploymentId, { ...this.store.deployments.get(scope, failed.deploymentId)!, rollbackInfo: info });
    this.start(scope, rb);
  }

  group(scope: Scope, dep: DeploymentRecord): GroupRecord | undefined {
    // A group renamed since the deployment was created is found by its id.
    const named = this.store.groups.get(scope, groupKey(dep.applicationName, dep.deploymentGroupName));
    if (named?.deploymentGroupId === dep.deploymentGroupId) return named;
    return this.store.groups.list(scope, `${dep.applicationName}\u0000`).find((g) => g.deploymentGroupId === dep.deploymentGroupId);
  }

  private bundlePath(deploymentId: string): string {
    return join(this.deps.dataDir, 'bundles', deploymentId);
  }

  /**
   * Downloads the revision once per deployment (the version and ETag asked for, when given)
   * and unpacks it once, checked entry by entry; each instance's DownloadBundle copies it.
   */
  bundle(scope: Scope, dep: DeploymentRecord): Promise<{ file: string; dir: string }> {
    let p = this.bundles.get(dep.deploymentId);
    if (!p) {
      const s3 = dep.revision.s3Location!;
      p = (async () => {
        const out = await this.deps.aws.service<S3Operations>('s3', scope).GetObject({ Bucket: s3.bucket!, Key: s3.key!, VersionId: s3.version, IfMatch: s3.eTag });
        mkdirSync(join(this.deps.dataDir, 'bundles'), { recursive: true });
        const file = this.bundlePath(dep.deploymentId);
        await saveBundle(out.Body instanceof Readable || out.Body instanceof Uint8Array ? out.Body : Buffer.alloc(0), file);
        await unpack(file, s3.bundleType!, `${file}.d`);
        return { file, dir: `${file}.d` };
      })();
      p.catch(() => this.bundles.delete(dep.deploymentId));
      this.bundles.set(dep.deploymentId, p);
    }
    return p;
  }
}
