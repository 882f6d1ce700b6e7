import type { RequestContext } from '../../aws/gateway/context.js';
import type { Build, CodebuildOperations, StartBuildInput } from '../../aws/models/generated/codebuild.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { BuildEngine } from './build-engine.js';
import { autoRetry, createBuild, settingsOf, type BuildSettings } from './build-start.js';
import { buildId, buildView } from './build-view.js';
import type { Notifier } from './notify.js';
import { checkArtifacts, checkLogsConfig, checkSource, invalidInput, pageByOffset, projectArn, projectName } from './projects.js';
import type { BuildRecord, CodeBuildStore, ProjectRecord } from './store.js';

type Ops = Partial<CodebuildOperations<RequestContext>>;

export interface BuildsDeps {
  store: CodeBuildStore;
  engine: BuildEngine;
  notify: Notifier;
  clock: Clock;
}

const IDEMPOTENCY_WINDOW_MS = 5 * 60_000;

export function notFound(scope: Scope, name: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Project cannot be found: ${projectArn(scope, name)}`, { statusCode: 400 });
}

/** The build's settings: the project's, with each StartBuild override applied. */
export function settings(p: ProjectRecord, input: StartBuildInput): BuildSettings {
  const source = { ...p.source! };
  if (input.sourceTypeOverride) {
    source.type = input.sourceTypeOverride;
    if (!input.sourceLocationOverride) delete source.location;
  }
  if (input.sourceLocationOverride) source.location = input.sourceLocationOverride;
  if (input.buildspecOverride !== undefined) source.buildspec = input.buildspecOverride;
  if (input.gitCloneDepthOverride !== undefined) source.gitCloneDepth = input.gitCloneDepthOverride;
  const environment = { ...p.environment! };
  if (input.imageOverride) environment.image = input.imageOverride;
  if (input.computeTypeOverride) environment.computeType = input.computeTypeOverride;
  if (input.environmentTypeOverride) environment.type = input.environmentTypeOverride;
  if (input.privilegedModeOverride !== undefined) environment.privilegedMode = input.privilegedModeOverride;
  if (input.certificateOverride) environment.certificate = input.certificateOverride;
  return {
    projectName: p.name,
    source,
    sourceVersion: input.sourceVersion ?? p.sourceVersion,
    secondarySources: input.secondarySourcesOverride ?? p.secondarySources ?? [],
    secondarySourceVersions: input.secondarySourcesVersionOverride ?? p.secondarySourceVersions ?? [],
    artifacts: input.artifactsOverride ?? p.artifacts!,
    secondaryArtifacts: input.secondaryArtifactsOverride ?? p.secondaryArtifacts ?? [],
    cache: input.cacheOverride ?? p.cache ?? { type: 'NO_CACHE' },
    environment,
    envOverride: input.environmentVariablesOverride ?? [],
    serviceRole: input.serviceRoleOverride ?? p.serviceRole!,
    logsConfig: input.logsConfigOverride ?? p.logsConfig ?? { cloudWatchLogs: { status: 'ENABLED' } },
    timeoutInMinutes: input.timeoutInMinutesOverride ?? p.timeoutInMinutes ?? 60,
    queuedTimeoutInMinutes: input.queuedTimeoutInMinutesOverride ?? p.queuedTimeoutInMinutes ?? 480,
    encryptionKey: input.encryptionKeyOverride ?? p.encryptionKey,
    idempotencyToken: input.idempotencyToken,
    autoRetry: limitOf(input.autoRetryLimitOverride ?? p.autoRetryLimit),
  };
}

function limitOf(limit: number | undefined): BuildRecord['autoRetry'] {
  return limit ? { limit, number: 0 } : undefined;
}

/** Refuses what AWS refuses before a build starts (a CODEPIPELINE project started directly). */
export function checkStartable(s: BuildSettings): void {
  if (s.source.type === 'CODEPIPELINE' || s.artifacts.type === 'CODEPIPELINE') {
    throw invalidInput('Invalid input: source and artifacts of type CODEPIPELINE can only be provided by CodePipeline; when starting a build directly, override them with sourceTypeOverride/sourceLocationOverride and artifactsOverride');
  }
  checkSource(s.source, 'source');
  checkArtifacts(s.artifacts, 'artifacts');
  checkLogsConfig(s.logsConfig);
  for (const src of s.secondarySources) {
    if (!src.sourceIdentifier) throw invalidInput('Invalid input: secondary source identifier is required');
    checkSource(src, `secondary source ${src.sourceIdentifier}`);
  }
  for (const a of s.secondaryArtifacts) if (!a.artifactIdentifier) throw invalidInput('Invalid input: secondary artifact identifier is required');
  for (const v of s.envOverride) {
    if (v.name.startsWith('CODEBUILD_')) throw invalidInput(`Invalid input: environment variable name ${v.name} cannot start with CODEBUILD_`);
  }
}

function sortBuilds(builds: BuildRecord[], order: string | undefined): BuildRecord[] {
  const desc = (order ?? 'DESCENDING') === 'DESCENDING';
  return builds.sort((a, b) => {
    const c = a.startTime - b.startTime || a.buildNumber - b.buildNumber || (a.id < b.id ? -1 : 1);
    return desc ? -c : c;
  });
}

export function buildOperations(d: BuildsDeps): Ops {
  const start = async (ctx: RequestContext, p: ProjectRecord, s: BuildSettings): Promise<Build> => {
    const record = createBuild(d, { accountId: ctx.accountId, region: ctx.region }, ctx.principal, p, s);
    return buildView(record, ctx);
  };
  // Failed builds of a project with autoRetryLimit start again, as AWS's automatic retries do.
  d.engine.onFinished = (scope, b) => autoRetry(d, scope, b);

  return {
    async StartBuild(input, ctx) {
      const name = projectName(input.projectName);
      const p = d.store.projects.get(ctx, name);
      if (!p) throw notFound(ctx, name);
      if (input.idempotencyToken) {
        const same = d.store.builds.list(ctx, `${name}:`).find((b) => b.idempotencyToken === input.idempotencyToken && d.clock.now() - b.startTime < IDEMPOTENCY_WINDOW_MS);
        if (same) return { build: buildView(same, ctx) };
      }
      const s = settings(p, input);
      checkStartable(s);
      return { build: await start(ctx, p, s) };
    },

    async RetryBuild(input, ctx) {
      const prev = input.id ? d.store.builds.get(ctx, buildId(input.id)) : undefined;
      if (!prev) throw new ServiceError('ResourceNotFoundException', `Build cannot be found: ${input.id ?? ''}`, { statusCode: 400 });
      const p = d.store.projects.get(ctx, prev.projectName);
      if (!p) throw notFound(ctx, prev.projectName);
      if (input.idempotencyToken) {
        const same = d.store.builds.list(ctx, `${p.name}:`).find((b) => b.idempotencyToken === input.idempotencyToken && d.clock.now() - b.startTime < IDEMPOTENCY_WINDOW_MS);
        if (same) return { build: buildView(same, ctx) };
      }
      const s = { ...settingsOf(prev, input.idempotencyToken), autoRetry: limitOf(prev.autoRetry?.limit) };
      return { build: await start(ctx, p, s) };
    },

    async StopBuild(input, ctx) {
      const id = buildId(input.id);
      const b = d.store.builds.get(ctx, id);
      if (!b) throw new ServiceError('ResourceNotFoundException', `Build cannot be found: ${input.id}`, { statusCode: 400 });
      if (!b.buildComplete) await d.engine.stop({ accountId: ctx.accountId, region: ctx.region }, id);
      return { build: buildView(d.store.builds.get(ctx, id)!, ctx) };
    },

    async BatchGetBuilds(input, ctx) {
      const builds: Build[] = [];
      const buildsNotFound: string[] = [];
      for (const raw of input.ids) {
        const b = d.store.builds.get(ctx, buildId(raw));
        if (b) builds.push(buildView(b, ctx));
        else buildsNotFound.push(raw);
      }
      return { builds, buildsNotFound };
    },

    async ListBuilds(input, ctx) {
      const { page, next } = pageByOffset(sortBuilds(d.store.builds.list(ctx), input.sortOrder), input.nextToken, 100);
      return { ids: page.map((b) => b.id), nextToken: next };
    },

    async ListBuildsForProject(input, ctx) {
      const name = projectName(input.projectName);
      if (!d.store.projects.has(ctx, name)) throw notFound(ctx, name);
      const { page, next } = pageByOffset(sortBuilds(d.store.builds.list(ctx, `${name}:`), input.sortOrder), input.nextToken, 100);
      return { ids: page.map((b) => b.id), nextToken: next };
    },

    async BatchDeleteBuilds(input, ctx) {
      const buildsDeleted: string[] = [];
      const buildsNotDeleted: { id: string; statusCode: string }[] = [];
      for (const raw of input.ids) {
        const id = buildId(raw);
        const b = d.store.builds.get(ctx, id);
        if (!b) buildsNotDeleted.push({ id: raw, statusCode: 'BUILD_NOT_FOUND' });
        else if (!b.buildComplete) buildsNotDeleted.push({ id: raw, statusCode: 'BUILD_IN_PROGRESS' });
        else {
          d.store.builds.delete(ctx, id);
          buildsDeleted.push(raw);
        }
      }
      return { buildsDeleted, buildsNotDeleted };
    },
  };
}
