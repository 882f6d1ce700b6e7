import type { CodedeployOperations, DeploymentTarget } from '../../aws/models/generated/codedeploy.js';
import type { DeployActionExecutionTarget } from '../../aws/models/generated/codepipeline.js';
import { paginate } from '../common/paging.js';
import { err, getPipeline, type CodePipeline, type Ops } from './common.js';

function targetView(t: DeploymentTarget): DeployActionExecutionTarget | undefined {
  const i = t.instanceTarget;
  if (!i) return undefined;
  const events = i.lifecycleEvents ?? [];
  return {
    targetId: i.targetId,
    targetType: 'Instance',
    status: i.status,
    startTime: events.find((e) => e.startTime)?.startTime,
    endTime: [...events].reverse().find((e) => e.endTime)?.endTime ?? i.lastUpdatedAt,
    events: events.map((e) => ({ name: e.lifecycleEventName, status: e.status, startTime: e.startTime, endTime: e.endTime, context: e.diagnostics?.message ? { message: e.diagnostics.message } : undefined })),
  };
}

/** ListDeployActionExecutionTargets for CodeDeploy actions: the deployment's instances and their lifecycle events, read from CodeDeploy. */
export function targetOperations(cp: CodePipeline): Ops {
  return {
    async ListDeployActionExecutionTargets(input, ctx) {
      const executions = input.pipelineName ? cp.store.listExecutions(ctx, getPipeline(cp, ctx, input.pipelineName).name) : cp.store.executions.list(ctx);
      const run = executions.flatMap((e) => [...Object.values(e.stages).flatMap((s) => Object.values(s.actions)), ...e.history]).find((r) => r.id === input.actionExecutionId);
      if (!run) throw err('ActionExecutionNotFoundException', `Action execution ${input.actionExecutionId} was not found.`);
      const deploymentId = run.state.deploymentId;
      if (!deploymentId) throw err('ValidationException', `Action execution ${input.actionExecutionId} is not a CodeDeploy deployment.`);
      const cd = cp.deps.aws.service<CodedeployOperations>('codedeploy', ctx);
      const targetIds: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await cd.ListDeploymentTargets({ deploymentId, nextToken });
        targetIds.push(...(page.targetIds ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      const found = targetIds.length ? ((await cd.BatchGetDeploymentTargets({ deploymentId, targetIds })).deploymentTargets ?? []) : [];
      const wanted = input.filters?.find((f) => f.name === 'TARGET_STATUS')?.values;
      const targets = found.map(targetView).filter((t): t is DeployActionExecutionTarget => t !== undefined && (!wanted || wanted.includes(t.status ?? '')));
      targets.sort((a, b) => ((a.targetId ?? '') < (b.targetId ?? '') ? -1 : 1));
      const page = paginate(targets, (t) => t.targetId ?? '', input.nextToken, input.maxResults ?? 100, (t) => err('InvalidNextTokenException', `The next token ${t} is not valid.`));
      return { targets: page.items, nextToken: page.next };
    },
  };
}
