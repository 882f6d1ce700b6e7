import { CodeDeployClient, GetDeploymentCommand, ListDeploymentTargetsCommand, BatchGetDeploymentTargetsCommand, type DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { expect, vi } from 'vitest';

export { appFiles, uploadBundle } from '../../helpers/traffic-app.js';

const DONE = ['Succeeded', 'Failed', 'Stopped'];

/** Waits (polling the API) until the deployment is in one of `statuses`, or has ended. */
export async function waitForDeployment(cd: CodeDeployClient, deploymentId: string, until: (d: DeploymentInfo) => boolean = (d) => DONE.includes(d.status!), timeout = 60_000): Promise<DeploymentInfo> {
  let info: DeploymentInfo | undefined;
  await vi.waitFor(
    async () => {
      info = (await cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!;
      if (!until(info)) throw new Error(`deployment ${deploymentId} is ${info.status}`);
    },
    { timeout, interval: 25 },
  );
  return info!;
}

export async function deploymentTargets(cd: CodeDeployClient, deploymentId: string) {
  const ids = (await cd.send(new ListDeploymentTargetsCommand({ deploymentId }))).targetIds!;
  const out = await cd.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: ids }));
  return out.deploymentTargets!.map((t) => t.instanceTarget!);
}

/** The target group's registered targets (ids) and their states. */
export async function targetStates(elb: ElasticLoadBalancingV2Client, tgArn: string): Promise<Record<string, string>> {
  const h = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return Object.fromEntries(h.TargetHealthDescriptions!.map((d) => [d.Target!.Id!, d.TargetHealth!.State!]));
}

export async function expectStates(elb: ElasticLoadBalancingV2Client, tgArn: string, expected: Record<string, string>): Promise<void> {
  await vi.waitFor(async () => expect(await targetStates(elb, tgArn)).toEqual(expected), { timeout: 10_000, interval: 25 });
}
