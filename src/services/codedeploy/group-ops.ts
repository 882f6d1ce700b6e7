import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodedeployOperations, CreateDeploymentGroupInput, EC2TagFilter, TagFilter } from '../../aws/models/generated/codedeploy.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import { paginate } from '../common/paging.js';
import { checkAlarmsExist } from './alarm-watch.js';
import { findConfig, mustApp } from './app-ops.js';
import { checkLambdaGroup } from './lambda-ops.js';
import { launchHookName, type LaunchDeployments } from './launch-deploy.js';
import { groupKey, type CodeDeployStore, type GroupRecord } from './store.js';
import { resolveTargetGroups } from './traffic.js';
import { groupInfo } from './views.js';

const err = (code: string, message: string) => new ServiceError(code, message, { statusCode: 400 });

export function mustGroup(store: CodeDeployStore, ctx: RequestContext, app: string, name: string | undefined): GroupRecord {
  if (!name) throw err('DeploymentGroupNameRequiredException', 'The deployment group name was not specified.');
  const g = store.groups.get(ctx, groupKey(app, name));
  if (!g) throw err('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${name}`);
  return g;
}

function checkTags(filters: (TagFilter | EC2TagFilter)[] | undefined, set: unknown[] | undefined, code: string): void {
  if (filters?.length && set?.length) throw err(code, 'A deployment group can use tag filters or a tag set, not both.');
  if ((set?.length ?? 0) > 3) throw err('TagSetListLimitExceededException', 'The number of tag groups included in the tag set list exceeded the maximum allowed limit of 3.');
  for (const f of [...(filters ?? []), ...((set ?? []) as TagFilter[][]).flat()]) {
    if (f.Type === 'KEY_ONLY' && !f.Key) throw err('InvalidTagException', 'A KEY_ONLY tag filter needs a Key.');
    if (f.Type === 'VALUE_ONLY' && !f.Value) throw err('InvalidTagException', 'A VALUE_ONLY tag filter needs a Value.');
  }
}

type GroupFields = Partial<Omit<CreateDeploymentGroupInput, 'applicationName' | 'deploymentGroupName' | 'tags'>>;

/** The stored group from create/update input; what is not given keeps its value. */
function merge(ctx: RequestContext, store: CodeDeployStore, base: GroupRecord, input: GroupFields): GroupRecord {
  checkTags(input.ec2TagFilters ?? base.ec2TagFilters, (input.ec2TagSet ?? base.ec2TagSet)?.ec2TagSetList, 'InvalidEC2TagCombinationException');
  checkTags(input.onPremisesInstanceTagFilters ?? base.onPremisesInstanceTagFilters, (input.onPremisesTagSet ?? base.onPremisesTagSet)?.onPremisesTagSetList, 'InvalidOnPremisesTagCombinationException');
  const configName = input.deploymentConfigName ?? base.deploymentConfigName;
  const config = findConfig(store, ctx, configName);
  if (!config) throw err('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${configName}`);
  if (config.computePlatform !== base.computePlatform) throw err('InvalidDeploymentConfigNameException', `The deployment configuration ${configName} is for the ${config.computePlatform} compute platform, not ${base.computePlatform}.`);
  if ((input.alarmConfiguration?.alarms?.length ?? 0) > 10) throw err('AlarmsLimitExceededException', 'The maximum number of alarms for a deployment group (10) was exceeded.');
  for (const t of input.triggerConfigurations ?? []) {
    if (!t.triggerName || !t.triggerTargetArn?.startsWith('arn:')) throw err('InvalidTriggerConfigException', 'The trigger was specified in an invalid format: each trigger needs a name and an SNS topic ARN.');
  }
  const rb = input.autoRollbackConfiguration;
  if (rb?.enabled && !rb.events?.length) throw err('InvalidAutoRollbackConfigException', 'Automatic rollback is enabled but no events were specified.');
  return {
    ...base,
    deploymentConfigName: configName,
    serviceRoleArn: input.serviceRoleArn ?? base.serviceRoleArn,
    ec2TagFilters: input.ec2TagFilters ?? base.ec2TagFilters,
    ec2TagSet: input.ec2TagSet ?? base.ec2TagSet,
    onPremisesInstanceTagFilters: input.onPremisesInstanceTagFilters ?? base.onPremisesInstanceTagFilters,
    onPremisesTagSet: input.onPremisesTagSet ?? base.onPremisesTagSet,
    autoScalingGroups: input.autoScalingGroups ?? base.autoScalingGroups,
    triggerConfigurations: input.triggerConfigurations ?? base.triggerConfigurations,
    alarmConfiguration: input.alarmConfiguration ?? base.alarmConfiguration,
    autoRollbackConfiguration: rb ?? base.autoRollbackConfiguration,
    deploymentStyle: input.deploymentStyle ?? base.deploymentStyle,
    blueGreenDeploymentConfiguration: input.blueGreenDeploymentConfiguration ?? base.blueGreenDeploymentConfiguration,
    loadBalancerInfo: input.loadBalancerInfo ?? base.loadBalancerInfo,
    outdatedInstancesStrategy: input.outdatedInstancesStrategy ?? base.outdatedInstancesStrategy,
  };
}

/**
 * Traffic settings checked as CodeDeploy checks them: EC2 blue/green needs a load balancer,
 * traffic control needs target groups that exist, alarms must exist in CloudWatch.
 */
async function checkTraffic(aws: AwsClient, ctx: RequestContext, g: GroupRecord, input: GroupFields): Promise<void> {
  const style = g.deploymentStyle;
  if (g.computePlatform === 'Server') {
    if (style.deploymentType === 'BLUE_GREEN' && style.deploymentOption !== 'WITH_TRAFFIC_CONTROL') {
      throw err('InvalidDeploymentStyleException', 'A blue/green deployment on the EC2/On-premises compute platform routes traffic through a load balancer: its deploymentOption must be WITH_TRAFFIC_CONTROL.');
    }
    if (style.deploymentType === 'BLUE_GREEN' && (g.onPremisesInstanceTagFilters.length || g.onPremisesTagSet?.onPremisesTagSetList?.length)) {
      throw err('InvalidDeploymentStyleException', 'Blue/green deployments are not supported for on-premises instances.');
    }
    if (style.deploymentOption === 'WITH_TRAFFIC_CONTROL' && !g.loadBalancerInfo?.targetGroupInfoList?.length && !g.loadBalancerInfo?.elbInfoList?.length) {
      throw err('InvalidLoadBalancerInfoException', 'The deployment group uses traffic control (WITH_TRAFFIC_CONTROL) but specifies no load balancer: give a target group in loadBalancerInfo.targetGroupInfoList.');
    }
    const bg = g.blueGreenDeploymentConfiguration;
    const ready = bg?.deploymentReadyOption;
    if (ready?.actionOnTimeout === 'STOP_DEPLOYMENT' && !(Number(ready.waitTimeInMinutes) > 0)) {
      throw err('InvalidBlueGreenDeploymentConfigurationException', 'The deploymentReadyOption STOP_DEPLOYMENT needs a waitTimeInMinutes greater than 0.');
    }
    const wait = bg?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes;
    if (wait !== undefined && (wait < 0 || wait > 2880)) throw err('InvalidBlueGreenDeploymentConfigurationException', 'terminationWaitTimeInMinutes must be between 0 and 2880.');
    if (input.loadBalancerInfo || input.deploymentStyle) await resolveTargetGroups(aws, ctx, g.loadBalancerInfo);
  }
  if (g.computePlatform === 'Lambda') checkLambdaGroup(g);
  if (input.alarmConfiguration) await checkAlarmsExist(aws, ctx, input.alarmConfiguration);
}

export function groupOperations(store: CodeDeployStore, aws: AwsClient, launch: LaunchDeployments): Partial<CodedeployOperations<RequestContext>> {
  /** Installs the launch hook in the group's Auto Scaling groups; one that cannot take it is refused. */
  const hook = async (ctx: RequestContext, group: GroupRecord, before?: GroupRecord) => {
    try {
      return await launch.sync(ctx, group, before);
    } catch (e) {
      throw err('InvalidAutoScalingGroupException', `The Auto Scaling group was specified in an invalid format or does not exist. ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return {
    async CreateDeploymentGroup(input, ctx) {
      const app = mustApp(store, ctx, input.applicationName);
      if (store.groups.has(ctx, groupKey(app.applicationName, input.deploymentGroupName))) {
        throw err('DeploymentGroupAlreadyExistsException', `The deployment group ${input.deploymentGroupName} already exists for application ${app.applicationName}.`);
      }
      const base: GroupRecord = {
        applicationName: app.applicationName, deploymentGroupId: uuid(), deploymentGroupName: input.deploymentGroupName,
        deploymentConfigName: app.computePlatform === 'Server' ? 'CodeDeployDefault.OneAtATime' : app.computePlatform === 'ECS' ? 'CodeDeployDefault.ECSAllAtOnce' : 'CodeDeployDefault.LambdaAllAtOnce',
        serviceRoleArn: input.serviceRoleArn, ec2TagFilters: [], onPremisesInstanceTagFilters: [], autoScalingGroups: [], triggerConfigurations: [],
        // Lambda and ECS deployments are blue/green with traffic control by nature.
        deploymentStyle: app.computePlatform === 'Server' ? { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' } : { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' }, outdatedInstancesStrategy: 'UPDATE', computePlatform: app.computePlatform,
      };
      const group = merge(ctx, store, base, input);
      if (app.computePlatform === 'Server') group.launchHook = launchHookName(group.deploymentGroupName, group.deploymentGroupId);
      await checkTraffic(aws, ctx, group, input);
      await hook(ctx, group);
      store.groups.put(ctx, groupKey(app.applicationName, group.deploymentGroupName), group);
      return { deploymentGroupId: group.deploymentGroupId };
    },
    async GetDeploymentGroup(input, ctx) {
      mustApp(store, ctx, input.applicationName);
      return { deploymentGroupInfo: groupInfo(mustGroup(store, ctx, input.applicationName, input.deploymentGroupName)) };
    },
    async BatchGetDeploymentGroups(input, ctx) {
      mustApp(store, ctx, input.applicationName);
      const found = input.deploymentGroupNames.map((n) => store.groups.get(ctx, groupKey(input.applicationName, n)));
      const missing = input.deploymentGroupNames.filter((_, i) => !found[i]);
      return { deploymentGroupsInfo: found.filter((g) => g).map((g) => groupInfo(g!)), errorMessage: missing.length ? `Deployment groups not found: ${missing.join(', ')}` : undefined };
    },
    async ListDeploymentGroups(input, ctx) {
      mustApp(store, ctx, input.applicationName);
      const page = paginate(store.groups.list(ctx, `${input.applicationName}\u0000`), (g) => g.deploymentGroupName, input.nextToken, 100, (t) => err('InvalidNextTokenException', `The next token ${t} is not valid.`));
      return { applicationName: input.applicationName, deploymentGroups: page.items.map((g) => g.deploymentGroupName), nextToken: page.next };
    },
    async UpdateDeploymentGroup(input, ctx) {
      mustApp(store, ctx, input.applicationName);
      const group = mustGroup(store, ctx, input.applicationName, input.currentDeploymentGroupName);
      const next = merge(ctx, store, group, input);
      if (next.computePlatform === 'Server') next.launchHook ??= launchHookName(group.deploymentGroupName, group.deploymentGroupId);
      await checkTraffic(aws, ctx, next, input);
      if (input.newDeploymentGroupName && input.newDeploymentGroupName !== group.deploymentGroupName) {
        if (store.groups.has(ctx, groupKey(input.applicationName, input.newDeploymentGroupName))) throw err('DeploymentGroupAlreadyExistsException', `The deployment group ${input.newDeploymentGroupName} already exists.`);
        store.groups.delete(ctx, groupKey(input.applicationName, group.deploymentGroupName));
        next.deploymentGroupName = input.newDeploymentGroupName;
      }
      const hooksNotCleanedUp = await hook(ctx, next, group);
      store.groups.put(ctx, groupKey(input.applicationName, next.deploymentGroupName), next);
      return { hooksNotCleanedUp };
    },
    async DeleteDeploymentGroup(input, ctx) {
      mustApp(store, ctx, input.applicationName);
      const group = store.groups.get(ctx, groupKey(input.applicationName, input.deploymentGroupName));
      store.groups.delete(ctx, groupKey(input.applicationName, input.deploymentGroupName));
      return { hooksNotCleanedUp: group ? await launch.remove(ctx, group.autoScalingGroups, group.launchHook) : [] };
    },
  };
}
