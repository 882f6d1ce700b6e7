import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { SnsOperations } from '../../aws/models/generated/sns.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import { publishEvent } from '../common/events.js';
import type { DeploymentRecord, GroupRecord } from './store.js';

type DeploymentState = 'START' | 'SUCCESS' | 'FAILURE' | 'STOP';
type InstanceState = 'START' | 'SUCCESS' | 'FAILURE';

const TRIGGER_OF: Record<string, string> = {
  'deployment:START': 'DeploymentStart', 'deployment:SUCCESS': 'DeploymentSuccess', 'deployment:FAILURE': 'DeploymentFailure', 'deployment:STOP': 'DeploymentStop',
  'instance:START': 'InstanceStart', 'instance:SUCCESS': 'InstanceSuccess', 'instance:FAILURE': 'InstanceFailure',
};
const WORD: Record<string, string> = { START: 'CREATED', SUCCESS: 'SUCCEEDED', FAILURE: 'FAILED', STOP: 'STOPPED' };

/** CodeDeploy's EventBridge events and its deployment groups' SNS triggers. */
export class Notifier {
  constructor(
    private readonly aws: AwsClient,
    private readonly log: Logger,
  ) {}

  async deployment(scope: Scope, dep: DeploymentRecord, group: GroupRecord | undefined, state: DeploymentState, extra: Record<string, unknown> = {}): Promise<void> {
    const detail = { region: scope.region, deploymentId: dep.deploymentId, instanceGroupId: dep.deploymentGroupId, deploymentGroup: dep.deploymentGroupName, application: dep.applicationName, state };
    await publishEvent(this.aws, this.log, scope, { source: 'aws.codedeploy', detailType: 'CodeDeploy Deployment State-change Notification', detail, resources: arns(scope, dep) });
    await this.triggers(scope, dep, group, `deployment:${state}`, extra);
  }

  async instance(scope: Scope, dep: DeploymentRecord, group: GroupRecord | undefined, instanceId: string, state: InstanceState): Promise<void> {
    const detail = { region: scope.region, deploymentId: dep.deploymentId, instanceGroupId: dep.deploymentGroupId, deploymentGroup: dep.deploymentGroupName, application: dep.applicationName, instanceId, state };
    const resources = [...arns(scope, dep), instanceId.startsWith('i-') ? `arn:aws:ec2:${scope.region}:${scope.accountId}:instance/${instanceId}` : `arn:aws:codedeploy:${scope.region}:${scope.accountId}:instance/${instanceId}`];
    await publishEvent(this.aws, this.log, scope, { source: 'aws.codedeploy', detailType: 'CodeDeploy Instance State-change Notification', detail, resources });
    await this.triggers(scope, dep, group, `instance:${state}`, { instanceId });
  }

  private async triggers(scope: Scope, dep: DeploymentRecord, group: GroupRecord | undefined, key: string, extra: Record<string, unknown>): Promise<void> {
    const event = TRIGGER_OF[key];
    for (const t of group?.triggerConfigurations ?? []) {
      if (!t.triggerTargetArn || !t.triggerEvents?.includes(event as never)) continue;
      const status = WORD[key.split(':')[1]];
      const message = {
        region: scope.region, accountId: scope.accountId, eventTriggerName: t.triggerName, applicationName: dep.applicationName,
        deploymentId: dep.deploymentId, deploymentGroupName: dep.deploymentGroupName, createTime: new Date(dep.createTime).toUTCString(),
        completeTime: dep.completeTime ? new Date(dep.completeTime).toUTCString() : undefined, status, ...extra,
      };
      try {
        await this.aws.service<SnsOperations>('sns', scope).Publish({
          TopicArn: t.triggerTargetArn,
          Subject: `${status}: AWS CodeDeploy ${dep.deploymentId} in ${scope.region} to ${dep.applicationName}`,
          Message: JSON.stringify(message),
        });
      } catch (e) {
        this.log.warn('deployment trigger was not delivered', { trigger: t.triggerName, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
}

function arns(scope: Scope, dep: DeploymentRecord): string[] {
  const base = `arn:aws:codedeploy:${scope.region}:${scope.accountId}`;
  return [`${base}:application:${dep.applicationName}`, `${base}:deploymentgroup:${dep.applicationName}/${dep.deploymentGroupName}`];
}
