import type { CodedeployOperations } from '../../aws/models/generated/codedeploy.js';
import { failed, pollDelay, type ActionContext, type ActionOutcome, type ActionProvider } from './provider-types.js';

export function deploymentUrl(region: string, id: string): string {
  return `https://console.aws.amazon.com/codedeploy/home?region=${region}#/deployments/${id}`;
}

async function check(ctx: ActionContext, deploymentId: string): Promise<ActionOutcome> {
  const cd = ctx.deps.aws.service<CodedeployOperations>('codedeploy', ctx.scope);
  const info = (await cd.GetDeployment({ deploymentId })).deploymentInfo;
  const reported = { externalExecutionId: deploymentId, externalExecutionUrl: deploymentUrl(ctx.scope.region, deploymentId) };
  if (info?.status === 'Succeeded') return { status: 'Succeeded', summary: `Deployment ${deploymentId} succeeded`, ...reported };
  if (info?.status === 'Failed' || info?.status === 'Stopped') {
    const why = info.errorInformation?.message ? `: ${info.errorInformation.message}` : '';
    return failed(`Deployment ${deploymentId} ${info.status === 'Failed' ? 'failed' : 'was stopped'}${why}`, reported);
  }
  return { status: 'InProgress', pollAfterMs: pollDelay(ctx), ...reported };
}

/** Deploy action: CreateDeployment with the input artifact as an S3 zip revision, then GetDeployment until it ends. */
export const codeDeployAction: ActionProvider = {
  async start(ctx: ActionContext): Promise<ActionOutcome> {
    if (ctx.run.state.deploymentId) return check(ctx, ctx.run.state.deploymentId);
    const input = ctx.inputs[0];
    const cd = ctx.deps.aws.service<CodedeployOperations>('codedeploy', ctx.scope);
    const { deploymentId } = await cd.CreateDeployment({
      applicationName: ctx.config.ApplicationName,
      deploymentGroupName: ctx.config.DeploymentGroupName,
      revision: { revisionType: 'S3', s3Location: { bucket: input.bucket, key: input.key, bundleType: 'zip' } },
    });
    const id = deploymentId!;
    return { status: 'InProgress', pollAfterMs: pollDelay(ctx), state: { deploymentId: id }, externalExecutionId: id, externalExecutionUrl: deploymentUrl(ctx.scope.region, id) };
  },
  poll: (ctx) => check(ctx, ctx.run.state.deploymentId),
  async stop(ctx) {
    if (ctx.run.state.deploymentId) await ctx.deps.aws.service<CodedeployOperations>('codedeploy', ctx.scope).StopDeployment({ deploymentId: ctx.run.state.deploymentId });
  },
};
