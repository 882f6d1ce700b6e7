import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';

/** User data that serves the instance's hostname on port 80, as a web fleet would. */
export const WEB_USER_DATA = Buffer.from(
  '#!/bin/sh\nmkdir -p /var/www/html && echo "hello from $(hostname)" > /var/www/html/index.html\ncd /var/www/html && nohup python3 -m http.server 80 >/dev/null 2>&1 &\necho booted\n',
).toString('base64');

export interface GroupView {
  desired: number;
  states: string[];
  health: string[];
  ids: string[];
  inService: string[];
  /** Instance ids in a lifecycle state. */
  inState(state: string): string[];
}

export async function groupView(asg: AutoScalingClient, name: string): Promise<GroupView> {
  const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  const g = out.AutoScalingGroups![0];
  const instances = g.Instances ?? [];
  return {
    desired: g.DesiredCapacity!,
    states: instances.map((i) => i.LifecycleState!).sort(),
    health: instances.map((i) => i.HealthStatus!),
    ids: instances.map((i) => i.InstanceId!),
    inService: instances.filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId!).sort(),
    inState: (state) => instances.filter((i) => i.LifecycleState === state).map((i) => i.InstanceId!),
  };
}

export async function ec2Instances(ec2: EC2Client, ids: string[]): Promise<Instance[]> {
  if (!ids.length) return [];
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  return out.Reservations!.flatMap((r) => r.Instances!);
}

export async function createTargetGroup(elb: ElasticLoadBalancingV2Client, name: string): Promise<string> {
  const out = await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: 'vpc-0a1b2c3d4e5f60001', TargetType: 'instance' }));
  return out.TargetGroups![0].TargetGroupArn!;
}

export async function registeredTargets(elb: ElasticLoadBalancingV2Client, arn: string): Promise<string[]> {
  const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return out.TargetHealthDescriptions!.map((d) => d.Target!.Id!).sort();
}

export { fetchText } from '../../helpers/fetch-text.js';
