import { randomUUID } from 'node:crypto';
import type { Ec2Operations } from '../../aws/models/generated/ec2.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { ALLOW_EVENTS, BLOCK_EVENTS, IN_PLACE_EVENTS } from './agent.js';
import { adoptTargetGroups, copyGroup, copyName, deleteGroup, inService } from './asg.js';
import { planBatches } from './configs.js';
import { newDeploymentId, startRecord } from './deployment-record.js';
import type { DeploymentEngine, StepJob } from './engine.js';
import { groupKey, targetKey, type DeploymentRecord, type GroupRecord, type TargetRecord } from './store.js';
import { chooseInstances, type ChosenInstance } from './targets.js';

const MINUTE = 60_000;

/**
 * Blue/green for EC2: the replacement (green) instances get the revision without traffic,
 * then, once ready, are registered with the target groups and the original (blue) ones
 * deregistered, batch by batch by the deployment configuration; the originals are then
 * terminated after the wait, or kept. Each phase is a durable step; a wait's step carries a
 * token so that a wait ended early by ContinueDeployment does nothing when it falls due.
 */
export class BlueGreenFlow {
  constructor(private readonly e: DeploymentEngine) {}

  async begin(scope: Scope, dep: DeploymentRecord, group: GroupRecord | undefined): Promise<void> {
    if (dep.creator === 'codeDeployRollback') return this.beginRollback(scope, dep);
    const copied = await this.provision(scope, dep, group);
    if (copied === false) return;
    if (copied) dep = copied.dep;
    const green = copied ? copied.ids.map((id): ChosenInstance => ({ id, kind: 'ec2', localId: id })) : group ? await chooseInstances(this.e.deps.aws, this.e.store, scope, group, dep) : [];
    const greenIds = new Set(green.map((c) => c.id));
    const blue = group ? (await chooseInstances(this.e.deps.aws, this.e.store, scope, group, { ...dep, targetInstances: undefined })).filter((c) => !greenIds.has(c.id)) : [];
    const next: DeploymentRecord = {
      ...startRecord(dep, green.length, this.e.deps.clock.now()),
      greenIds: green.map((c) => c.id), blueIds: blue.map((c) => c.id), instanceIds: [...green, ...blue].map((c) => c.id), phase: 'install',
    };
    this.addTargets(scope, next, green, 'Green', [...IN_PLACE_EVENTS, ...ALLOW_EVENTS]);
    this.addTargets(scope, next, blue, 'Blue', BLOCK_EVENTS);
    this.e.store.deployments.put(scope, dep.deploymentId, next);
    if (green.length) this.e.bundle(scope, next).catch(() => undefined);
    await this.e.notify.deployment(scope, next, group, 'START');
    if (!green.length) {
      const message = 'The deployment failed because no replacement instances were found: the deployment\'s target instances (tag filters or Auto Scaling groups) match no running instance.';
      return this.e.finish(scope, next, 'Failed', { code: 'NO_INSTANCES', message }, 'failure');
    }
    this.e.step({ scope, deploymentId: dep.deploymentId, batch: 0, phase: 'install' });
  }

  /**
   * COPY_AUTO_SCALING_GROUP: a copy of the group's Auto Scaling group, named as AWS names it,
   * whose instances (once in service) are the replacement fleet. False when it failed.
   */
  private async provision(scope: Scope, dep: DeploymentRecord, group: GroupRecord | undefined): Promise<{ dep: DeploymentRecord; ids: string[] } | false | undefined> {
    if (dep.blueGreenDeploymentConfiguration?.greenFleetProvisioningOption?.action !== 'COPY_AUTO_SCALING_GROUP' || !group) return undefined;
    const copy = copyName(dep.deploymentGroupName, dep.deploymentId);
    const next: DeploymentRecord = { ...dep, status: 'InProgress', startTime: dep.startTime ?? this.e.deps.clock.now(), copiedAsg: copy, originalAsgs: group.autoScalingGroups };
    this.e.store.deployments.put(scope, dep.deploymentId, next);
    try {
      return { dep: next, ids: await copyGroup(this.e.deps.aws, this.e.deps.clock, scope, group.autoScalingGroups[0], copy) };
    } catch (e) {
      await this.e.finish(scope, next, 'Failed', { code: 'AUTO_SCALING_CONFIGURATION', message: `The replacement Auto Scaling group could not be created: ${e instanceof Error ? e.message : String(e)}` }, 'failure');
      return false;
    }
  }

  async run(job: StepJob, dep: DeploymentRecord): Promise<void> {
    const { scope } = job;
    if (job.phase === 'install') return this.install(scope, dep);
    if (job.phase === 'reroute') return this.reroute(scope, dep);
    if (job.phase === 'rollback') return this.runRollback(scope, dep);
    if (job.waitToken !== dep.waitToken) return; // a wait already ended
    if (job.phase === 'ready-timeout' && dep.phase === 'ready') {
      const minutes = dep.blueGreenDeploymentConfiguration?.deploymentReadyOption?.waitTimeInMinutes ?? 0;
      const message = `The deployment timed out while waiting for traffic to be rerouted: ContinueDeployment was not called within ${minutes} minutes.`;
      return this.e.finish(scope, dep, 'Stopped', { code: 'TIMEOUT', message }, 'failure');
    }
    if (job.phase === 'terminate' && dep.phase === 'termination-wait') return this.terminate(scope, dep);
  }

  /** ContinueDeployment: READY_WAIT starts the reroute, TERMINATION_WAIT ends the originals' wait now. */
  continue(scope: Scope, dep: DeploymentRecord, waitType: 'READY_WAIT' | 'TERMINATION_WAIT'): void {
    const notReady = (why: string) => new ServiceError('DeploymentIsNotInReadyStateException', `The deployment ${dep.deploymentId} is not ${why}.`, { statusCode: 400 });
    if (waitType === 'READY_WAIT') {
      if (dep.status !== 'Ready' || dep.phase !== 'ready') throw notReady('in the Ready state: only a blue/green deployment waiting to reroute traffic can be continued with READY_WAIT');
      this.save(scope, dep, { status: 'InProgress', phase: 'reroute', waitToken: undefined });
      this.e.step({ scope, deploymentId: dep.deploymentId, batch: 0, phase: 'reroute' });
      return;
    }
    if (dep.phase !== 'termination-wait') throw notReady('waiting to terminate its original instances');
    this.e.step({ scope, deploymentId: dep.deploymentId, batch: 0, phase: 'terminate', waitToken: dep.waitToken });
  }

  private async install(scope: Scope, dep: DeploymentRecord): Promise<void> {
    const ok = await this.onInstances(scope, dep, dep.greenIds ?? [], IN_PLACE_EVENTS, 'InProgress');
    const cur = this.e.store.deployments.get(scope, dep.deploymentId)!;
    if (cur.status !== 'InProgress') return;
    if (!ok) return this.fail(scope, cur, 'The deployment failed because the revision could not be installed on every replacement instance.');
    const ready = cur.blueGreenDeploymentConfiguration?.deploymentReadyOption;
    if (ready?.actionOnTimeout === 'STOP_DEPLOYMENT') {
      const waitToken = randomUUID();
      for (const id of cur.greenIds ?? []) this.setStatus(scope, cur, id, 'Ready');
      this.save(scope, cur, { status: 'Ready', phase: 'ready', waitToken });
      this.e.step({ scope, deploymentId: cur.deploymentId, batch: 0, phase: 'ready-timeout', waitToken }, (ready.waitTimeInMinutes ?? 0) * MINUTE);
      return;
    }
    this.save(scope, cur, { phase: 'reroute' });
    return this.reroute(scope, this.e.store.deployments.get(scope, dep.deploymentId)!);
  }

  /** Green in, then blue out, each in batches of the configuration's size: traffic never lacks a healthy target. */
  private async reroute(scope: Scope, dep: DeploymentRecord): Promise<void> {
    const config = { deploymentConfigName: dep.deploymentConfigName, minimumHealthyHosts: dep.minimumHealthyHosts };
    for (const [ids, events] of [[dep.greenIds ?? [], ALLOW_EVENTS], [dep.blueIds ?? [], BLOCK_EVENTS]] as const) {
      const size = planBatches(config, ids.length).batchSize;
      for (let i = 0; i < ids.length; i += size) {
        const ok = await this.onInstances(scope, dep, ids.slice(i, i + size), events, 'Succeeded');
        const cur = this.e.store.deployments.get(scope, dep.deploymentId)!;
        if (cur.status !== 'InProgress') return;
        if (!ok) return this.fail(scope, cur, 'The deployment failed because traffic could not be rerouted: an instance failed its traffic lifecycle events.');
      }
    }
    const cur = this.e.store.deployments.get(scope, dep.deploymentId)!;
    await this.adoptCopy(scope, cur);
    const terminate = cur.blueGreenDeploymentConfiguration?.terminateBlueInstancesOnDeploymentSuccess;
    if (terminate?.action !== 'TERMINATE' || !cur.blueIds?.length) return this.e.finish(scope, cur, 'Succeeded');
    const waitToken = randomUUID();
    this.save(scope, cur, { phase: 'termination-wait', waitToken, instanceTerminationWaitTimeStarted: true });
    this.e.step({ scope, deploymentId: cur.deploymentId, batch: 0, phase: 'terminate', waitToken }, (terminate.terminationWaitTimeInMinutes ?? 0) * MINUTE);
  }

  /** Traffic is on the copy: the deployment group's Auto Scaling group becomes the copy, as on AWS. */
  private async adoptCopy(scope: Scope, dep: DeploymentRecord): Promise<void> {
    if (!dep.copiedAsg) return;
    await adoptTargetGroups(this.e.deps.aws, scope, dep.originalAsgs?.[0] ?? '', dep.copiedAsg);
    const group = this.e.group(scope, dep);
    if (group) this.e.store.groups.put(scope, groupKey(group.applicationName, group.deploymentGroupName), { ...group, autoScalingGroups: [dep.copiedAsg] });
  }

  /** A rolled-back copy: the deployment group gets its original Auto Scaling groups back, and the copy is deleted. */
  private async dropCopy(scope: Scope, dep: DeploymentRecord): Promise<void> {
    const group = this.e.group(scope, dep);
    if (group && group.autoScalingGroups.includes(dep.copiedAsg!)) {
      this.e.store.groups.put(scope, groupKey(group.applicationName, group.deploymentGroupName), { ...group, autoScalingGroups: dep.originalAsgs ?? [] });
    }
    await deleteGroup(this.e.deps.aws, scope, dep.copiedAsg!);
  }

  /** The original fleet goes: its Auto Scaling groups (copied ones) are deleted with their instances, other instances terminated. */
  private async terminate(scope: Scope, dep: DeploymentRecord): Promise<void> {
    const groups = dep.copiedAsg ? (dep.originalAsgs ?? []) : [];
    const inGroups = new Set(await inService(this.e.deps.aws, scope, groups));
    for (const name of groups) await deleteGroup(this.e.deps.aws, scope, name);
    const ec2 = dep.blueIds?.filter((id) => id.startsWith('i-') && !inGroups.has(id)) ?? [];
    if (ec2.length) await this.e.deps.aws.service<Ec2Operations>('ec2', scope).TerminateInstances({ InstanceIds: ec2 });
    await this.e.finish(scope, this.e.store.deployments.get(scope, dep.deploymentId)!, 'Succeeded');
  }

  /** A rollback deployment: the originals take traffic back at once, then the replacements leave. */
  async rollback(scope: Scope, failed: DeploymentRecord, status: string): Promise<void> {
    const id = newDeploymentId();
    const rb: DeploymentRecord = {
      ...failed, deploymentId: id, revision: failed.previousRevision ?? failed.revision, previousRevision: failed.revision, status: 'Created', creator: 'codeDeployRollback',
      createTime: this.e.deps.clock.now(), startTime: undefined, completeTime: undefined, errorInformation: undefined, instanceIds: [], statusMessages: [],
      phase: undefined, waitToken: undefined, instanceTerminationWaitTimeStarted: undefined,
      rollbackInfo: { rollbackTriggeringDeploymentId: failed.deploymentId, rollbackMessage: `Deployment ${id} is a rollback of deployment ${failed.deploymentId}.` },
    };
    const info = { rollbackDeploymentId: id, rollbackMessage: `Deployment ${failed.deploymentId} ${status === 'Stopped' ? 'was stopped' : 'failed'}; rollback deployment ${id} sends traffic back to the original instances.` };
    this.save(scope, this.e.store.deployments.get(scope, failed.deploymentId)!, { rollbackInfo: info });
    this.e.start(scope, rb);
  }

  private async beginRollback(scope: Scope, dep: DeploymentRecord): Promise<void> {
    const alive = (dep.blueIds ?? []).filter((id) => this.e.host.isRunning(id));
    const chosen = (ids: string[]): ChosenInstance[] => ids.map((id) => ({ id, kind: 'ec2', localId: id }));
    const next: DeploymentRecord = { ...startRecord(dep, alive.length, this.e.deps.clock.now()), blueIds: alive, instanceIds: [...alive, ...(dep.greenIds ?? [])], phase: 'reroute' };
    this.addTargets(scope, next, chosen(alive), 'Blue', ALLOW_EVENTS);
    this.addTargets(scope, next, chosen(dep.greenIds ?? []), 'Green', BLOCK_EVENTS);
    this.e.store.deployments.put(scope, dep.deploymentId, next);
    if (!alive.length) return this.e.finish(scope, next, 'Failed', { code: 'NO_INSTANCES', message: 'The rollback could not send traffic back: the original instances no longer run.' });
    this.e.step({ scope, deploymentId: dep.deploymentId, batch: 0, phase: 'rollback' });
  }

  private async runRollback(scope: Scope, dep: DeploymentRecord): Promise<void> {
    const allowed = await this.onInstances(scope, dep, dep.blueIds ?? [], ALLOW_EVENTS, 'Succeeded');
    if (!allowed) return this.e.finish(scope, dep, 'Failed', { code: 'HEALTH_CONSTRAINTS', message: 'The original instances could not take traffic back.' });
    const blocked = await this.onInstances(scope, dep, dep.greenIds ?? [], BLOCK_EVENTS, 'Succeeded');
    const cur = this.e.store.deployments.get(scope, dep.deploymentId)!;
    if (!blocked) return this.e.finish(scope, cur, 'Failed', { code: 'HEALTH_CONSTRAINTS', message: 'The replacement instances could not be removed from the load balancer.' });
    if (cur.copiedAsg) await this.dropCopy(scope, cur);
    return this.e.finish(scope, cur, 'Succeeded');
  }

  /** Runs `events` on these instances at once; each ends in `okStatus` or Failed. */
  private async onInstances(scope: Scope, dep: DeploymentRecord, ids: string[], events: readonly string[], okStatus: TargetRecord['status']): Promise<boolean> {
    const controller = new AbortController();
    this.e.running.set(dep.deploymentId, controller);
    try {
      const results = await Promise.all(ids.map(async (id) => {
        this.setStatus(scope, dep, id, 'InProgress');
        const ok = await this.e.runOn(scope, dep, id, controller.signal, [...events]);
        this.setStatus(scope, dep, id, ok ? okStatus : 'Failed');
        return ok;
      }));
      return results.every(Boolean);
    } finally {
      this.e.running.delete(dep.deploymentId);
    }
  }

  private fail(scope: Scope, dep: DeploymentRecord, message: string): Promise<void> {
    return this.e.finish(scope, dep, 'Failed', { code: 'HEALTH_CONSTRAINTS', message }, 'failure');
  }

  private addTargets(scope: Scope, dep: DeploymentRecord, list: ChosenInstance[], label: 'Blue' | 'Green', events: readonly string[]): void {
    for (const c of list) {
      const lifecycleEvents = events.map((name) => ({ lifecycleEventName: name, status: 'Pending' as const }));
      this.e.store.targets.put(scope, targetKey(dep.deploymentId, c.id), { deploymentId: dep.deploymentId, instanceId: c.id, kind: c.kind, localId: c.localId, status: 'Pending', label, lastUpdatedAt: this.e.deps.clock.now(), lifecycleEvents });
    }
  }

  private setStatus(scope: Scope, dep: DeploymentRecord, id: string, status: TargetRecord['status']): void {
    const key = targetKey(dep.deploymentId, id);
    const cur = this.e.store.targets.get(scope, key);
    if (cur) this.e.store.targets.put(scope, key, { ...cur, status, lastUpdatedAt: this.e.deps.clock.now() });
  }

  private save(scope: Scope, dep: DeploymentRecord, patch: Partial<DeploymentRecord>): void {
    const cur = this.e.store.deployments.get(scope, dep.deploymentId) ?? dep;
    this.e.store.deployments.put(scope, dep.deploymentId, { ...cur, ...patch });
  }
}
