import type { Build, CodebuildOperations, EnvironmentVariable, ProjectArtifacts } from '../../aws/models/generated/codebuild.js';
import type { ArtifactRef } from './store.js';
import { failed, pollDelay, type ActionContext, type ActionOutcome, type ActionProvider } from './provider-types.js';

function split(ref: ArtifactRef): { path: string; name: string } {
  const cut = ref.key.lastIndexOf('/');
  return { path: ref.key.slice(0, cut), name: ref.key.slice(cut + 1) };
}

function outputOverride(ref: ArtifactRef): ProjectArtifacts {
  return { type: 'S3', location: ref.bucket, ...split(ref), packaging: 'ZIP', namespaceType: 'NONE' };
}

/** The action's EnvironmentVariables configuration: a JSON list of {name, value, type}. */
export function environmentVariables(text: string | undefined): EnvironmentVariable[] | string {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'EnvironmentVariables must be a JSON array of {"name", "value", "type"} objects.';
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'object' || v === null || typeof (v as EnvironmentVariable).name !== 'string')) {
    return 'EnvironmentVariables must be a JSON array of {"name", "value", "type"} objects.';
  }
  return (parsed as EnvironmentVariable[]).map((v) => ({ name: v.name, value: String(v.value ?? ''), type: v.type ?? 'PLAINTEXT' }));
}

export function buildUrl(region: string, buildId: string): string {
  return `https://console.aws.amazon.com/codebuild/home?region=${region}#/builds/${encodeURIComponent(buildId)}/view/new`;
}

/** AWS's failure text: the failing phase, its status code and message. */
export function buildFailure(b: Build): string {
  const phase = [...(b.phases ?? [])].reverse().find((p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED');
  const context = phase?.contexts?.find((c) => c.message || c.statusCode);
  const parts = [`Build terminated with state: ${b.buildStatus}`];
  if (phase?.phaseType) parts.push(`Phase: ${phase.phaseType}`);
  if (context?.statusCode) parts.push(`Code: ${context.statusCode}`);
  if (context?.message) parts.push(`Message: ${context.message}`);
  return parts.join('. ').replace(/\.\./g, '.');
}

async function check(ctx: ActionContext, buildId: string): Promise<ActionOutcome> {
  const cb = ctx.deps.aws.service<CodebuildOperations>('codebuild', ctx.scope);
  const b = (await cb.BatchGetBuilds({ ids: [buildId] })).builds?.[0];
  const url = buildUrl(ctx.scope.region, buildId);
  if (!b) return failed(`The build ${buildId} no longer exists.`, { externalExecutionId: buildId, externalExecutionUrl: url });
  if (b.buildStatus === 'IN_PROGRESS') return { status: 'InProgress', pollAfterMs: pollDelay(ctx), externalExecutionId: buildId, externalExecutionUrl: url };
  if (b.buildStatus !== 'SUCCEEDED') return failed(buildFailure(b), { externalExecutionId: buildId, externalExecutionUrl: url });
  const outputVariables = Object.fromEntries((b.exportedEnvironmentVariables ?? []).map((v) => [v.name!, v.value ?? '']));
  return { status: 'Succeeded', summary: `Build ${buildId} succeeded`, externalExecutionId: buildId, externalExecutionUrl: url, outputVariables };
}

/** Build and Test actions: StartBuild with the artifacts as S3 sources and outputs, then BatchGetBuilds until it ends. */
export const codeBuildAction: ActionProvider = {
  async start(ctx: ActionContext): Promise<ActionOutcome> {
    if (ctx.run.state.buildId) return check(ctx, ctx.run.state.buildId);
    if (ctx.config.BatchEnabled === 'true') return failed('Slipway does not run batch builds from a pipeline yet; set BatchEnabled to false.', { code: 'ConfigurationError' });
    const env = environmentVariables(ctx.config.EnvironmentVariables);
    if (typeof env === 'string') return failed(env, { code: 'ConfigurationError' });
    const primaryName = ctx.config.PrimarySource ?? ctx.inputs[0]?.name;
    const primary = ctx.inputs.find((i) => i.name === primaryName);
    if (!primary) return failed(`PrimarySource ${primaryName} is not one of the action's input artifacts.`, { code: 'ConfigurationError' });
    const secondary = ctx.inputs.filter((i) => i !== primary);
    const [firstOut, ...otherOuts] = ctx.outputs;
    const cb = ctx.deps.aws.service<CodebuildOperations>('codebuild', ctx.scope);
    const { build } = await cb.StartBuild({
      projectName: ctx.config.ProjectName,
      sourceTypeOverride: 'S3',
      sourceLocationOverride: `${primary.bucket}/${primary.key}`,
      secondarySourcesOverride: secondary.length ? secondary.map((s) => ({ type: 'S3', location: `${s.bucket}/${s.key}`, sourceIdentifier: s.name })) : undefined,
      artifactsOverride: firstOut ? outputOverride(firstOut) : { type: 'NO_ARTIFACTS' },
      secondaryArtifactsOverride: otherOuts.length ? otherOuts.map((o) => ({ ...outputOverride(o), artifactIdentifier: o.name })) : undefined,
      environmentVariablesOverride: env.length ? env : undefined,
    });
    const buildId = build!.id!;
    return { status: 'InProgress', pollAfterMs: pollDelay(ctx), state: { buildId }, externalExecutionId: buildId, externalExecutionUrl: buildUrl(ctx.scope.region, buildId) };
  },
  poll: (ctx) => check(ctx, ctx.run.state.buildId),
  async stop(ctx) {
    if (ctx.run.state.buildId) await ctx.deps.aws.service<CodebuildOperations>('codebuild', ctx.scope).StopBuild({ id: ctx.run.state.buildId });
  },
};
