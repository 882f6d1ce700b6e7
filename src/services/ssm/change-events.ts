import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import { publishEvent } from '../common/events.js';
import { parameterArn } from './names.js';

export type ParameterOperation = 'Create' | 'Update' | 'Delete';

/** Sends Parameter Store's "Parameter Store Change" events (source aws.ssm) to EventBridge. Values are never part of them. */
export class ChangeEvents {
  constructor(
    private readonly aws: AwsClient,
    private readonly log: Logger,
  ) {}

  async changed(scope: Scope, operation: ParameterOperation, name: string, type: string, description?: string): Promise<void> {
    await publishEvent(this.aws, this.log, scope, {
      source: 'aws.ssm',
      detailType: 'Parameter Store Change',
      resources: [parameterArn(scope.region, scope.accountId, name)],
      detail: { operation, name, type, description },
    });
  }
}
