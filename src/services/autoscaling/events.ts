import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { Activity } from '../../aws/models/generated/autoscaling.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import { publishEvent } from '../common/events.js';
import type { GroupRecord, MemberRecord } from './store.js';

export type SuccessEvent = 'EC2 Instance Launch Successful' | 'EC2 Instance Terminate Successful' | 'EC2 Instance Launch Unsuccessful';

/** Auto Scaling's events on the default bus, with the detail AWS sends. */
export class AsgEvents {
  constructor(
    private readonly aws: AwsClient,
    private readonly log: Logger,
  ) {}

  activity(scope: Scope, g: GroupRecord, m: MemberRecord, type: SuccessEvent, a: Activity | undefined): void {
    const instanceArn = `arn:aws:ec2:${scope.region}:${scope.accountId}:instance/${m.instanceId}`;
    void publishEvent(this.aws, this.log, scope, {
      source: 'aws.autoscaling',
      detailType: type,
      resources: [g.arn, instanceArn],
      detail: {
        Origin: type.includes('Terminate') ? 'AutoScalingGroup' : 'EC2',
        Destination: type.includes('Terminate') ? 'EC2' : 'AutoScalingGroup',
        StatusCode: a?.StatusCode ?? 'InProgress',
        Description: a?.Description ?? '',
        AutoScalingGroupName: g.name,
        ActivityId: a?.ActivityId ?? '',
        Details: safeParse(a?.Details),
        RequestId: a?.ActivityId ?? '',
        StatusMessage: a?.StatusMessage ?? '',
        EndTime: a?.EndTime ? new Date(a.EndTime).toISOString() : undefined,
        EC2InstanceId: m.instanceId,
        StartTime: a ? new Date(a.StartTime).toISOString() : undefined,
        Cause: a?.Cause ?? '',
      },
    });
  }

  lifecycleAction(scope: Scope, g: GroupRecord, detail: Record<string, unknown>, launching: boolean): void {
    void publishEvent(this.aws, this.log, scope, {
      source: 'aws.autoscaling',
      detailType: launching ? 'EC2 Instance-launch Lifecycle Action' : 'EC2 Instance-terminate Lifecycle Action',
      resources: [g.arn],
      detail,
    });
  }
}

function safeParse(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}
