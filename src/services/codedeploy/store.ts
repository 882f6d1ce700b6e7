import type {
  AlarmConfiguration, AutoRollbackConfiguration, DeploymentStyle, EC2TagFilter, EC2TagSet, ErrorInformation, LoadBalancerInfo,
  MinimumHealthyHosts, OnPremisesTagSet, RevisionLocation, RollbackInfo, Tag, TagFilter, TargetInstances, TrafficRoutingConfig, TriggerConfig,
  BlueGreenDeploymentConfiguration, Diagnostics, LambdaFunctionInfo,
} from '../../aws/models/generated/codedeploy.js';
import { createHash } from 'node:crypto';
import type { LambdaAppSpec } from './lambda-appspec.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';

export interface ApplicationRecord {
  applicationId: string;
  applicationName: string;
  computePlatform: 'Server' | 'Lambda' | 'ECS';
  createTime: number;
  tags: Tag[];
}

export interface RevisionRecord {
  applicationName: string;
  revision: RevisionLocation;
  description?: string;
  registerTime: number;
  firstUsedTime?: number;
  lastUsedTime?: number;
  deploymentGroups: string[];
}

export interface GroupRecord {
  applicationName: string;
  deploymentGroupId: string;
  deploymentGroupName: string;
  deploymentConfigName: string;
  serviceRoleArn: string;
  ec2TagFilters: EC2TagFilter[];
  ec2TagSet?: EC2TagSet;
  onPremisesInstanceTagFilters: TagFilter[];
  onPremisesTagSet?: OnPremisesTagSet;
  autoScalingGroups: string[];
  /** The launch lifecycle hook CodeDeploy keeps in each of the Auto Scaling groups. */
  launchHook?: string;
  triggerConfigurations: TriggerConfig[];
  alarmConfiguration?: AlarmConfiguration;
  autoRollbackConfiguration?: AutoRollbackConfiguration;
  deploymentStyle: DeploymentStyle;
  blueGreenDeploymentConfiguration?: BlueGreenDeploymentConfiguration;
  loadBalancerInfo?: LoadBalancerInfo;
  outdatedInstancesStrategy: 'UPDATE' | 'IGNORE';
  computePlatform: 'Server' | 'Lambda' | 'ECS';
  targetRevision?: RevisionLocation;
  lastSuccessful?: { deploymentId: string; status: string; endTime?: number; createTime: number; revision: RevisionLocation };
  lastAttempted?: { deploymentId: string; status: string; endTime?: number; createTime: number };
}

export interface ConfigRecord {
  deploymentConfigId: string;
  deploymentConfigName: string;
  computePlatform: 'Server' | 'Lambda' | 'ECS';
  minimumHealthyHosts?: MinimumHealthyHosts;
  trafficRoutingConfig?: TrafficRoutingConfig;
  createTime: number;
}

export type DeploymentStatus = 'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Succeeded' | 'Failed' | 'Stopped' | 'Ready';

export interface DeploymentRecord {
  deploymentId: string;
  applicationName: string;
  deploymentGroupName: string;
  deploymentGroupId: string;
  deploymentConfigName: string;
  /** The configuration's minimum healthy hosts, resolved when the deployment was created. */
  minimumHealthyHosts?: MinimumHealthyHosts;
  revision: RevisionLocation;
  previousRevision?: RevisionLocation;
  status: DeploymentStatus;
  errorInformation?: ErrorInformation;
  createTime: number;
  startTime?: number;
  completeTime?: number;
  description?: string;
  creator: 'user' | 'autoscaling' | 'codeDeployRollback' | 'CodeDeploy' | 'CodeDeployAutoUpdate' | 'CloudFormation' | 'CloudFormationRollback' | 'autoscalingTermination';
  ignoreApplicationStopFailures: boolean;
  autoRollbackConfiguration?: AutoRollbackConfiguration;
  fileExistsBehavior: 'DISALLOW' | 'OVERWRITE' | 'RETAIN';
  targetInstances?: TargetInstances;
  rollbackInfo?: RollbackInfo;
  deploymentStyle: DeploymentStyle;
  /** Instances chosen at start, in deployment order (a blue/green deployment's replacements, then its originals). */
  instanceIds: string[];
  /** Traffic control: the load balancer info and blue/green settings taken from the group at creation. */
  loadBalancerInfo?: LoadBalancerInfo;
  blueGreenDeploymentConfiguration?: BlueGreenDeploymentConfiguration;
  alarmConfiguration?: AlarmConfiguration;
  /** The ARNs of the target groups the instances are registered with, resolved at start. */
  targetGroupArns?: string[];
  /** Blue/green: the original (blue) and replacement (green) instances. */
  blueIds?: string[];
  greenIds?: string[];
  /** Blue/green: where the deployment is, and the token of the wait (ready or termination) now running. */
  phase?: 'install' | 'ready' | 'reroute' | 'termination-wait' | 'done';
  waitToken?: string;
  instanceTerminationWaitTimeStarted?: boolean;
  /** COPY_AUTO_SCALING_GROUP: the copy made for the replacement fleet, and the groups it replaces. */
  copiedAsg?: string;
  originalAsgs?: string[];
  /** A deployment to one instance an Auto Scaling group launched, waiting in CodeDeploy's launch hook. */
  launch?: { asg: string; hook: string; instanceId: string };
  /** Instances per batch and successes needed, fixed at start. */
  batchSize: number;
  requiredSuccesses: number;
  lastInstanceForgiven: boolean;
  statusMessages: string[];
  /** The platform of the deployment's application; absent on records from before Lambda deployments. */
  computePlatform?: 'Server' | 'Lambda' | 'ECS';
  /** Lambda: the configuration's traffic routing, resolved at creation. */
  trafficRoutingConfig?: TrafficRoutingConfig;
  lambda?: LambdaState;
}

/** Where a Lambda deployment is: the AppSpec, the last shift made, and the hook it waits for. */
export interface LambdaState {
  spec: LambdaAppSpec;
  /** Index of the last shift applied (-1 before AllowTraffic), and the target version's share then. */
  step: number;
  percent: number;
  hook?: { event: 'BeforeAllowTraffic' | 'AfterAllowTraffic'; executionId: string; functionName: string; status?: 'Succeeded' | 'Failed' };
  /** Hook executions already reported, so a second report is refused as AWS refuses it. */
  reported: string[];
}

export type EventStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown';

export interface EventRecord {
  lifecycleEventName: string;
  status: EventStatus;
  startTime?: number;
  endTime?: number;
  diagnostics?: Diagnostics;
}

export interface TargetRecord {
  deploymentId: string;
  instanceId: string;
  /** ec2 instance, on-premises instance name, or a Lambda function alias (`name:alias`). */
  kind: 'ec2' | 'onprem' | 'lambda';
  /** The local instance's id on the instance host. */
  localId: string;
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown' | 'Ready';
  /** Blue/green: an original (Blue) or replacement (Green) instance. */
  label?: 'Blue' | 'Green';
  lastUpdatedAt: number;
  lifecycleEvents: EventRecord[];
  /** Lambda: the alias's versions and the target version's share of traffic. */
  lambda?: LambdaFunctionInfo & { functionArn?: string };
}

export interface OnPremRecord {
  instanceName: string;
  iamSessionArn?: string;
  iamUserArn?: string;
  instanceArn: string;
  registerTime: number;
  deregisterTime?: number;
  tags: Tag[];
  /** The local instance standing for it: network identity and root directory. */
  localId: string;
  root: string;
  network: import('../../runtime/instance-net.js').InstanceNetwork;
}

export class CodeDeployStore {
  readonly applications: Collection<ApplicationRecord>;
  readonly revisions: Collection<RevisionRecord>;
  readonly groups: Collection<GroupRecord>;
  readonly configs: Collection<ConfigRecord>;
  readonly deployments: Collection<DeploymentRecord>;
  readonly targets: Collection<TargetRecord>;
  readonly onPrem: Collection<OnPremRecord>;

  constructor(db: Database) {
    this.applications = new Collection(db, 'codedeploy.applications');
    this.revisions = new Collection(db, 'codedeploy.revisions');
    this.groups = new Collection(db, 'codedeploy.groups');
    this.configs = new Collection(db, 'codedeploy.configs');
    this.deployments = new Collection(db, 'codedeploy.deployments');
    this.targets = new Collection(db, 'codedeploy.targets');
    this.onPrem = new Collection(db, 'codedeploy.on-premises');
  }
}

export const groupKey = (app: string, group: string) => `${app}\u0000${group}`;
export const targetKey = (deploymentId: string, instanceId: string) => `${deploymentId}/${instanceId}`;

/** A revision's identity within its application, for the revisions list. */
export function revisionKey(app: string, r: RevisionLocation): string {
  const inline = r.appSpecContent?.content ?? r.string?.content;
  if (inline !== undefined) return `${app}\u0000${r.revisionType}\u0000${createHash('sha256').update(inline).digest('hex')}`;
  const s = r.s3Location;
  return `${app}\u0000${s?.bucket}\u0000${s?.key}\u0000${s?.bundleType ?? ''}\u0000${s?.version ?? ''}\u0000${s?.eTag ?? ''}`;
}
