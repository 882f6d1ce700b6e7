import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodedeployOperations, CreateDeploymentInput } from '../../aws/models/generated/codedeploy.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import { checkAlarmsExist } from './alarm-watch.js';
import { checkRevision, findConfig, mustApp } from './app-ops.js';
import { newDeploymentId } from './deployment-record.js';
import type { DeploymentEngine } from './engine.js';
import { mustGroup } from './group-ops.js';
import { lambdaRevision } from './lambda-ops.js';
import { revisionKey, targetKey, type CodeDeployStore, type DeploymentRecord, type GroupRecord, type TargetRecord } from './store.js';
import { deploymentInfo, deploymentTarget, instanceSummary } from './views.js';

const err = (code: string, message: string) => new ServiceError(code, message, { statusCode: 400 });

function mustDeployment(store: CodeDeployStore, ctx: RequestContext, id: string | undefined): DeploymentRecord {
  if (!id) throw err('DeploymentIdRequiredException', 'At least one deployment ID must be specified.');
  if (!/^d-[A-Z0-9]{9}$/.test(id)) throw err('InvalidDeploymentIdException', `The deployment ID ${id} is not valid.`);
  const d = store.deployments.get(ctx, id);
  if (!d) throw err('DeploymentDoesNotExistException', `The deployment ${id} does not exist.`);
  return d;
}

function mustTarget(store: CodeDeployStore, ctx: RequestContext, dep: DeploymentRecord, id: string | undefined, code: string): TargetRecord {
  if (!id) throw err(code === 'InstanceDoesNotExistException' ? 'InstanceIdRequiredException' : 'DeploymentTargetIdRequiredException', 'The instance or target ID was not specified.');
  const t = store.targets.get(ctx, targetKey(dep.deploymentId, id));
  if (!t) throw err(code, `The instance or target ${id} is not part of deployment ${dep.deploymentId}.`);
  return t;
}

/** Pages of a plain list by position: tokens are the next offset. */
function offsetPage<T>(items: T[], token: string | undefined, size = 100): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw err('InvalidNextTokenException', `The next token ${token} is not valid.`);
  return { items: items.slice(start, start + size), next: start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined };
}

/** What CreateDeployment refuses for the group's traffic settings, before anything is recorded. */
function checkDeploymentTraffic(group: GroupRecord, input: CreateDeploymentInput, platform: string | undefined): void {
  if (platform && platform !== group.computePlatform) {
    throw err('InvalidDeploymentConfigNameException', `The deployment configuration ${input.deploymentConfigName} is for the ${platform} compute platform; deployment group ${group.deploymentGroupName} is ${group.computePlatform}.`);
  }
  if (group.computePlatform !== 'Server') {
    if (input.targetInstances) throw err('InvalidTargetInstancesException', `Target instances apply to the EC2/On-premises compute platform only; deployment group ${group.deploymentGroupName} is ${group.computePlatform}.`);
    return;
  }
  if (group.deploymentStyle.deploymentType !== 'BLUE_GREEN') {
    if (input.targetInstances?.autoScalingGroups?.length) throw err('InvalidTargetInstancesException', 'Auto Scaling groups can be given as target instances only in a blue/green deployment.');
    return;
  }
  const provisioning = group.blueGreenDeploymentConfiguration?.greenFleetProvisioningOption?.action ?? 'DISCOVER_EXISTING';
  if (provisioning === 'COPY_AUTO_SCALING_GROUP') {
    if (group.autoScalingGroups.length !== 1) throw err('InvalidAutoScalingGroupException', 'COPY_AUTO_SCALING_GROUP copies the deployment group\'s Auto Scaling group: the group must have exactly one.');
    if (input.targetInstances) throw err('InvalidTargetInstancesException', 'Target instances cannot be given when the replacement fleet is a copy of the Auto Scaling group.');
    return;
  }
  const t = input.targetInstances;
  if (!t?.tagFilters?.length && !t?.ec2TagSet?.ec2TagSetList?.length && !t?.autoScalingGroups?.length) {
    throw err('InvalidTargetInstancesException', 'A blue/green deployment that discovers existing instances needs target instances: give targetInstances with tag filters, an EC2 tag set or Auto Scaling groups.');
  }
}

export function deploymentOperations(store: CodeDeployStore, engine: DeploymentEngine, clock: Clock, aws: AwsClient): Partial<CodedeployOperations<RequestContext>> {
  const targetsOf = (ctx: RequestContext, dep: DeploymentRecord) => dep.instanceIds.map((id) => store.targets.get(ctx, targetKey(dep.deploymentId, id))!).filter(Boolean);
  return {
    async CreateDeployment(input, ctx) {
      const app = mustApp(store, ctx, input.applicationName);
      const group = mustGroup(store, ctx, app.applicationName, input.deploymentGroupName);
      if (app.computePlatform === 'ECS') throw err('OperationNotSupportedException', 'Deployments on the ECS compute platform are not available in Slipway: only EC2/On-premises (Server) and Lambda applications can be deployed.');
      const lambda = app.computePlatform === 'Lambda' ? await lambdaRevision(aws, ctx, input.revision ?? group.targetRevision) : undefined;
      // One alias cannot be shifted by two deployments at once.
      const active = lambda && store.deployments.list(ctx).find((d) => d.deploymentGroupId === group.deploymentGroupId && !['Succeeded', 'Failed', 'Stopped'].includes(d.status));
      if (active) throw err('DeploymentLimitExceededException', `The Deployment Group '${group.deploymentGroupName}' already has an active Deployment '${active.deploymentId}'`);
      const revision = lambda ? lambda.revision : checkRevision(input.revision ?? group.targetRevision);
      const configName = input.deploymentConfigName ?? group.deploymentConfigName;
      const config = findConfig(store, ctx, configName);
      if (!config) throw err('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${configName}`);
      checkDeploymentTraffic(group, input, config.computePlatform);
      if (input.overrideAlarmConfiguration) await checkAlarmsExist(aws, ctx, input.overrideAlarmConfiguration);
      if (input.description && input.description.length > 100) throw err('DescriptionTooLongException', 'The description is too long.');
      const now = clock.now();
      const dep: DeploymentRecord = {
        deploymentId: newDeploymentId(), applicationName: app.applicationName, deploymentGroupName: group.deploymentGroupName, deploymentGroupId: group.deploymentGroupId,
        deploymentConfigName: configName, minimumHealthyHosts: config.minimumHealthyHosts, revision, previousRevision: group.lastSuccessful?.revision,
        status: 'Created', createTime: now, description: input.description, creator: 'user', ignoreApplicationStopFailures: input.ignoreApplicationStopFailures ?? false,
        autoRollbackConfiguration: input.autoRollbackConfiguration ?? group.autoRollbackConfiguration, fileExistsBehavior: input.fileExistsBehavior ?? 'DISALLOW',
        targetInstances: input.targetInstances, deploymentStyle: group.deploymentStyle, instanceIds: [],
        loadBalancerInfo: group.loadBalancerInfo, blueGreenDeploymentConfiguration: group.deploymentStyle.deploymentType === 'BLUE_GREEN' ? group.blueGreenDeploymentConfiguration : undefined,
        alarmConfiguration: input.overrideAlarmConfiguration ?? group.alarmConfiguration, batchSize: 1, requiredSuccesses: 1, lastInstanceForgiven: false, statusMessages: [],
        computePlatform: app.computePlatform, trafficRoutingConfig: lambda ? config.trafficRoutingConfig : undefined,
        lambda: lambda && { spec: lambda.spec, step: -1, percent: 0, reported: [] },
      };
      const key = revisionKey(app.applicationName, revision);
      const rev = store.revisions.get(ctx, key) ?? { applicationName: app.applicationName, revision, registerTime: now, deploymentGroups: [] };
      store.revisions.put(ctx, key, { ...rev, firstUsedTime: rev.firstUsedTime ?? now, lastUsedTime: now, deploymentGroups: [...new Set([...rev.deploymentGroups, group.deploymentGroupName])] });
      engine.start(ctx, dep);
      return { deploymentId: dep.deploymentId };
    },
    async GetDeployment(input, ctx) {
      return { deploymentInfo: deploymentInfo(store, ctx, mustDeployment(store, ctx, input.deploymentId)) };
    },
    async BatchGetDeployments(input, ctx) {
      if (input.deploymentIds.length > 25) throw err('BatchLimitExceededException', 'The maximum number of names or IDs allowed for this request (25) was exceeded.');
      const found = input.deploymentIds.map((id) => store.deployments.get(ctx, id)).filter((d): d is DeploymentRecord => !!d);
      return { deploymentsInfo: found.map((d) => deploymentInfo(store, ctx, d)) };
    },
    async ListDeployments(input, ctx) {
      if (input.deploymentGroupName && !input.applicationName) throw err('ApplicationNameRequiredException', 'The application name is required when a deployment group is given.');
      if (input.applicationName) mustApp(store, ctx, input.applicationName);
      // By the group's id: a renamed group keeps its deployments.
      const groupId = input.applicationName && input.deploymentGroupName ? mustGroup(store, ctx, input.applicationName, input.deploymentGroupName).deploymentGroupId : undefined;
      const range = input.createTimeRange;
      const list = store.deployments
        .list(ctx)
        .filter((d) => (!input.applicationName || d.applicationName === input.applicationName) && (!groupId || d.deploymentGroupId === groupId))
        .filter((d) => !input.includeOnlyStatuses?.length || input.includeOnlyStatuses.includes(d.status))
        .filter((d) => (!range?.start || d.createTime >= range.start.getTime()) && (!range?.end || d.createTime <= range.end.getTime()))
        .sort((a, b) => b.createTime - a.createTime || (a.deploymentId < b.deploymentId ? 1 : -1));
      const page = offsetPage(list, input.nextToken);
      return { deployments: page.items.map((d) => d.deploymentId), nextToken: page.next };
    },
    async StopDeployment(input, ctx) {
      const dep = mustDeployment(store, ctx, input.deploymentId);
      if (['Succeeded', 'Failed', 'Stopped'].includes(dep.status)) throw err('DeploymentAlreadyCompletedException', `The deployment ${dep.deploymentId} has already completed.`);
      await engine.stop(ctx, dep, input.autoRollbackEnabled ?? false);
      return { status: 'Succeeded', statusMessage: 'Deployment stopped' };
    },
    async ContinueDeployment(input, ctx) {
      const dep = mustDeployment(store, ctx, input.deploymentId);
      if (dep.deploymentStyle.deploymentType !== 'BLUE_GREEN') throw err('DeploymentIsNotInReadyStateException', `The deployment ${dep.deploymentId} is not in the Ready state: only blue/green deployments wait to reroute traffic or to terminate their original instances.`);
      if (['Succeeded', 'Failed', 'Stopped'].includes(dep.status)) throw err('DeploymentAlreadyCompletedException', `The deployment ${dep.deploymentId} has already completed.`);
      engine.continue(ctx, dep, input.deploymentWaitType ?? 'READY_WAIT');
      return {};
    },

    async ListDeploymentInstances(input, ctx) {
      const dep = mustDeployment(store, ctx, input.deploymentId);
      const list = targetsOf(ctx, dep)
        .filter((t) => !input.instanceStatusFilter?.length || input.instanceStatusFilter.includes(t.status as never))
        .filter((t) => !input.instanceTypeFilter?.length || (t.label && input.instanceTypeFilter.includes(t.label)));
      const page = offsetPage(list, input.nextToken);
      return { instancesList: page.items.map((t) => t.instanceId), nextToken: page.next };
    },
    async GetDeploymentInstance(input, ctx) {
      const dep = mustDeployment(store, ctx, input.deploymentId);
      return { instanceSummary: instanceSummary(mustTarget(store, ctx, dep, input.instanceId, 'InstanceDoesNotExistException')) };
    },
    async BatchGetDeploymentInstances(input, ctx) {
      const dep = mustDeployment(store, ctx, input.deploymentId);
      if (input.instanceIds.length > 25) throw err('BatchLimitExceededException', 'The maximum number of names or IDs allowed for this request (25) was exceeded.');
      const found = input.instanceIds.map((id) => store.targets.get(ctx, targetKey(dep.deploymentId, id)));
      const missing = input.instanceIds.filter((_, i) => !found[i]);
      return { instancesSummary: found.filter((t): t is TargetRecord => !!t).map(instanceSummary), errorMessage: missing.length ? `Instances not found in ${dep.deploymentId}: ${missing.join(', ')}` : undefined };
    },
    async ListDeploymentTargets(input, ctx) {
      const dep = mustDeployment(store, ctx, input.deploymentId);
      const statuses = input.targetFilters?.TargetStatus;
      const labels = input.targetFilters?.ServerInstanceLabel;
      const list = targetsOf(ctx, dep).filter((t) => (!statuses?.length || statuses.includes(t.status)) && (!labels?.length || (t.label && labels.includes(t.label))));
      const page = offsetPage(list, input.nextToken);
      return { targetIds: page.items.map((t) => t.instanceId), nextToken: page.next };
    },
    async GetDeploymentTarget(input, ctx) {
      const dep = mustDeployment(store, ctx, input.deploymentId);
      return { deploymentTarget: deploymentTarget(ctx, mustTarget(store, ctx, dep, input.targetId, 'DeploymentTargetDoesNotExistException')) };
    },
    async BatchGetDeploymentTargets(input, ctx) {
      const dep = mustDeployment(store, ctx, input.deploymentId);
      if (input.targetIds.length > 25) throw err('DeploymentTargetListSizeExceededException', 'The maximum number of targets that can be associated with a deployment (25) was exceeded.');
      return { deploymentTargets: input.targetIds.map((id) => deploymentTarget(ctx, mustTarget(store, ctx, dep, id, 'DeploymentTargetDoesNotExistException'))) };
    },
  };
}
