import type { AwsClient } from '../../../aws/gateway/aws-client.js';
import type { Ec2Operations } from '../../../aws/models/generated/ec2.js';
import type { Scope } from '../../../core/scope.js';

export type Resolution = { address: string } | { invalid: string };

/**
 * Where a target receives traffic: an `ip` target is its own address; an `instance` target
 * is the private IP EC2 reports for it, and only while it is running.
 */
export async function resolveTarget(aws: AwsClient, scope: Scope, targetType: 'instance' | 'ip', id: string): Promise<Resolution> {
  if (targetType === 'ip') return { address: id };
  try {
    const out = await aws.service<Ec2Operations>('ec2', scope).DescribeInstances({ InstanceIds: [id] });
    const instance = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === id);
    if (!instance) return { invalid: `Instance '${id}' is not known to EC2` };
    const state = instance.State?.Name ?? 'unknown';
    if (state !== 'running') return { invalid: `Target is in the ${state} state` };
    if (!instance.PrivateIpAddress) return { invalid: `Instance '${id}' has no private IP address` };
    return { address: instance.PrivateIpAddress };
  } catch (e) {
    return { invalid: `Instance '${id}' could not be found through EC2: ${e instanceof Error ? e.message : String(e)}` };
  }
}
