import type { SnsOperations } from '../../aws/models/generated/sns.js';
import { uuid } from '../../core/ids.js';
import type { ActionJob } from './engine.js';
import type { ActionContext, ActionOutcome, ActionProvider } from './provider-types.js';

/** AWS gives a person seven days to answer an approval. */
export const APPROVAL_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

/** The notification AWS publishes to the approval's SNS topic. */
export function approvalMessage(ctx: ActionContext, token: string, expires: number): { subject: string; message: string } {
  const region = ctx.scope.region;
  const view = `https://console.aws.amazon.com/codepipeline/home?region=${region}#/view/${ctx.pipeline.name}`;
  const approval: Record<string, string> = {
    pipelineName: ctx.pipeline.name,
    stageName: ctx.stage,
    actionName: ctx.action.name,
    token,
    expires: new Date(expires).toISOString().slice(0, 16) + 'Z',
    approvalReviewLink: `${view}/${ctx.stage}/${ctx.action.name}/approve/${token}`,
  };
  if (ctx.config.ExternalEntityLink) approval.externalEntityLink = ctx.config.ExternalEntityLink;
  if (ctx.config.CustomData) approval.customData = ctx.config.CustomData;
  return {
    subject: `APPROVAL NEEDED: AWS CodePipeline ${ctx.pipeline.name} for action ${ctx.action.name}`.slice(0, 100),
    message: JSON.stringify({ region, consoleLink: view, approval }),
  };
}

/**
 * Manual approval: waits (no polling) until PutApprovalResult answers with the token, and
 * fails when nobody answered within seven days of AWS time.
 */
export function manualApproval(scheduleTimeout: (job: Omit<ActionJob, 'phase'>, token: string) => void): ActionProvider {
  return {
    async start(ctx: ActionContext): Promise<ActionOutcome> {
      const token = ctx.run.token ?? uuid();
      const expires = ctx.run.startTime + APPROVAL_TIMEOUT_MS;
      if (ctx.config.NotificationArn) {
        const { subject, message } = approvalMessage(ctx, token, expires);
        await ctx.deps.aws.service<SnsOperations>('sns', ctx.scope).Publish({ TopicArn: ctx.config.NotificationArn, Subject: subject, Message: message });
      }
      scheduleTimeout({ scope: ctx.scope, pipeline: ctx.pipeline.name, execution: ctx.execution.id, stage: ctx.stage, action: ctx.action.name, run: ctx.run.id }, token);
      return { status: 'InProgress', token, state: { approvalToken: token } };
    },
  };
}
