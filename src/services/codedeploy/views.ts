import type { DeploymentInfo, DeploymentTarget, InstanceSummary, LifecycleEvent, DeploymentGroupInfo, ApplicationInfo } from '../../aws/models/generated/codedeploy.js';
import type { Scope } from '../../core/scope.js';
import type { ApplicationRecord, CodeDeployStore, DeploymentRecord, EventRecord, GroupRecord, TargetRecord } from './store.js';
import { targetKey } from './store.js';

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

export function applicationInfo(a: ApplicationRecord): ApplicationInfo {
  return { applicationId: a.applicationId, applicationName: a.applicationName, createTime: date(a.createTime), linkedToGitHub: false, computePlatform: a.computePlatform };
}

export function groupInfo(g: GroupRecord): DeploymentGroupInfo {
  const last = (d: GroupRecord['lastAttempted']) => d && { deploymentId: d.deploymentId, status: d.status as never, endTime: date(d.endTime), createTime: date(d.createTime) };
  return {
    applicationName: g.applicationName, deploymentGroupId: g.deploymentGroupId, deploymentGroupName: g.deploymentGroupName, deploymentConfigName: g.deploymentConfigName,
    ec2TagFilters: g.ec2TagFilters, onPremisesInstanceTagFilters: g.onPremisesInstanceTagFilters, autoScalingGroups: g.autoScalingGroups.map((name) => ({ name, hook: g.launchHook })),
    serviceRoleArn: g.serviceRoleArn, targetRevision: g.targetRevision, triggerConfigurations: g.triggerConfigurations, alarmConfiguration: g.alarmConfiguration ?? { enabled: false, ignorePollAlarmFailure: false, alarms: [] },
    autoRollbackConfiguration: g.autoRollbackConfiguration, deploymentStyle: g.deploymentStyle, outdatedInstancesStrategy: g.outdatedInstancesStrategy,
    blueGreenDeploymentConfiguration: g.blueGreenDeploymentConfiguration, loadBalancerInfo: g.loadBalancerInfo, lastSuccessfulDeployment: last(g.lastSuccessful), lastAttemptedDeployment: last(g.lastAttempted),
    ec2TagSet: g.ec2TagSet, onPremisesTagSet: g.onPremisesTagSet, computePlatform: g.computePlatform, terminationHookEnabled: false,
  };
}

export function deploymentInfo(store: CodeDeployStore, scope: Scope, d: DeploymentRecord): DeploymentInfo {
  const overview = { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 };
  for (const id of d.instanceIds) {
    const t = store.targets.get(scope, targetKey(d.deploymentId, id));
    if (t && t.status in overview) overview[t.status as keyof typeof overview]++;
  }
  return {
    applicationName: d.applicationName, deploymentGroupName: d.deploymentGroupName, deploymentConfigName: d.deploymentConfigName, deploymentId: d.deploymentId,
    previousRevision: d.previousRevision, revision: d.revision, status: d.status, errorInformation: d.errorInformation, createTime: date(d.createTime),
    startTime: date(d.startTime), completeTime: date(d.completeTime), deploymentOverview: overview, description: d.description, creator: d.creator,
    ignoreApplicationStopFailures: d.ignoreApplicationStopFailures, autoRollbackConfiguration: d.autoRollbackConfiguration, updateOutdatedInstancesOnly: false,
    rollbackInfo: d.rollbackInfo, deploymentStyle: d.deploymentStyle, targetInstances: d.targetInstances, instanceTerminationWaitTimeStarted: d.instanceTerminationWaitTimeStarted ?? false,
    blueGreenDeploymentConfiguration: d.blueGreenDeploymentConfiguration, loadBalancerInfo: d.loadBalancerInfo,
    fileExistsBehavior: d.fileExistsBehavior, deploymentStatusMessages: d.statusMessages, computePlatform: d.computePlatform ?? 'Server',
  };
}

function events(list: EventRecord[]): LifecycleEvent[] {
  return list.map((e) => ({ lifecycleEventName: e.lifecycleEventName, status: e.status, startTime: date(e.startTime), endTime: date(e.endTime), diagnostics: e.diagnostics }));
}

export function instanceSummary(t: TargetRecord): InstanceSummary {
  return { deploymentId: t.deploymentId, instanceId: t.instanceId, status: t.status, lastUpdatedAt: date(t.lastUpdatedAt), lifecycleEvents: events(t.lifecycleEvents), instanceType: t.label };
}

export function deploymentTarget(scope: Scope, t: TargetRecord): DeploymentTarget {
  if (t.kind === 'lambda') {
    const { functionArn, ...lambdaFunctionInfo } = t.lambda ?? {};
    const targetArn = functionArn ? `${functionArn}:${lambdaFunctionInfo.functionAlias}` : `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${t.instanceId}`;
    return {
      deploymentTargetType: 'LambdaTarget',
      lambdaTarget: { deploymentId: t.deploymentId, targetId: t.instanceId, targetArn, status: t.status, lastUpdatedAt: date(t.lastUpdatedAt), lifecycleEvents: events(t.lifecycleEvents), lambdaFunctionInfo },
    };
  }
  const targetArn = t.kind === 'ec2' ? `arn:aws:ec2:${scope.region}:${scope.accountId}:instance/${t.instanceId}` : `arn:aws:codedeploy:${scope.region}:${scope.accountId}:instance/${t.instanceId}`;
  return {
    deploymentTargetType: 'InstanceTarget',
    instanceTarget: { deploymentId: t.deploymentId, targetId: t.instanceId, targetArn, status: t.status, lastUpdatedAt: date(t.lastUpdatedAt), lifecycleEvents: events(t.lifecycleEvents), instanceLabel: t.label },
  };
}
