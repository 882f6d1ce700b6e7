import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { LoadBalancerInfo } from '../../aws/models/generated/codedeploy.js';
import type { Elbv2Operations } from '../../aws/models/generated/elbv2.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';

/** Real milliseconds between two looks at a target's state: short, since each look is an in-process call. */
export const POLL_REAL_MS = 10;
/** How long AllowTraffic waits for a registered instance to pass its health checks (AWS time). */
export const ALLOW_TIMEOUT_MS = 60 * 60_000;

/** A traffic event's failure: the agent shows it as the event's diagnostics. */
export class TrafficError extends Error {}

/** The target group names a deployment group routes through; classic load balancers do not exist here. */
export function targetGroupNames(info: LoadBalancerInfo | undefined): string[] {
  return (info?.targetGroupInfoList ?? []).map((t) => t.name ?? '').filter(Boolean);
}

/** Checks a group's load balancer info against ELB: every target group must exist. Returns their ARNs. */
export async function resolveTargetGroups(aws: AwsClient, scope: Scope, info: LoadBalancerInfo | undefined): Promise<string[]> {
  if (info?.elbInfoList?.length) {
    throw new ServiceError('InvalidLoadBalancerInfoException', 'Classic Load Balancers are not available in Slipway: use an Application Load Balancer target group (targetGroupInfoList) instead of elbInfoList.', { statusCode: 400 });
  }
  if (info?.targetGroupPairInfoList?.length) {
    throw new ServiceError('InvalidLoadBalancerInfoException', 'Target group pairs are used by ECS blue/green deployments only; an EC2/On-premises deployment group takes targetGroupInfoList.', { statusCode: 400 });
  }
  const names = targetGroupNames(info);
  if (!names.length) return [];
  const elb = aws.service<Elbv2Operations>('elbv2', scope);
  const arns: string[] = [];
  for (const name of names) {
    try {
      const out = await elb.DescribeTargetGroups({ Names: [name] });
      arns.push(out.TargetGroups![0].TargetGroupArn!);
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'TargetGroupNotFoundException') {
        throw new ServiceError('InvalidLoadBalancerInfoException', `The target group ${name} does not exist. Specify an existing Elastic Load Balancing target group.`, { statusCode: 400 });
      }
      throw e;
    }
  }
  return arns;
}

/**
 * BlockTraffic and AllowTraffic for instances behind ELB target groups: deregistration waits
 * until the target has left the group (draining done, bounded by the group's deregistration
 * delay in AWS time); registration waits until the target is healthy.
 */
export class TrafficControl {
  constructor(
    private readonly aws: AwsClient,
    private readonly clock: Clock,
  ) {}

  private elb(scope: Scope) {
    return this.aws.service<Elbv2Operations>('elbv2', scope);
  }

  async block(scope: Scope, groupArns: string[], instanceIds: string[], signal?: AbortSignal): Promise<void> {
    const elb = this.elb(scope);
    const wanted = new Set(instanceIds);
    for (const arn of groupArns) {
      const health = await elb.DescribeTargetHealth({ TargetGroupArn: arn });
      const mine = (health.TargetHealthDescriptions ?? []).filter((d) => wanted.has(d.Target?.Id ?? '') && d.TargetHealth?.State !== 'draining');
      if (mine.length) await elb.DeregisterTargets({ TargetGroupArn: arn, Targets: mine.map((d) => ({ Id: d.Target!.Id, Port: d.Target!.Port })) });
    }
    await this.until(signal, async () => {
      for (const arn of groupArns) {
        const health = await elb.DescribeTargetHealth({ TargetGroupArn: arn });
        if ((health.TargetHealthDescriptions ?? []).some((d) => wanted.has(d.Target?.Id ?? ''))) return false;
      }
      return true;
    });
  }

  async allow(scope: Scope, groupArns: string[], instanceIds: string[], signal?: AbortSignal): Promise<void> {
    const elb = this.elb(scope);
    for (const arn of groupArns) await elb.RegisterTargets({ TargetGroupArn: arn, Targets: instanceIds.map((Id) => ({ Id })) });
    const started = this.clock.now();
    await this.until(signal, async () => {
      let healthy = true;
      for (const arn of groupArns) {
        const health = await elb.DescribeTargetHealth({ TargetGroupArn: arn, Targets: instanceIds.map((Id) => ({ Id })) });
        if (!(health.TargetHealthDescriptions ?? []).every((d) => d.TargetHealth?.State === 'healthy')) healthy = false;
      }
      if (healthy) return true;
      if (this.clock.now() - started >= ALLOW_TIMEOUT_MS) {
        throw new TrafficError(`The instances ${instanceIds.join(', ')} did not pass the load balancer's health checks within ${ALLOW_TIMEOUT_MS / 60_000} minutes.`);
      }
      return false;
    });
  }

  /** Looks again every POLL_REAL_MS of real time (AWS time scaled) until `done` says so. */
  private async until(signal: AbortSignal | undefined, done: () => Promise<boolean>): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw new TrafficError('The deployment was stopped.');
      if (await done()) return;
      await this.clock.sleep(POLL_REAL_MS * this.clock.timeScale, signal).catch(() => undefined);
    }
  }
}
