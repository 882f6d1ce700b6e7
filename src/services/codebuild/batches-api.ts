import type { RequestContext } from '../../aws/gateway/context.js';
import type { BuildBatch, BuildGroup, BuildSummary, CodebuildOperations, StartBuildInput } from '../../aws/models/generated/codebuild.js';
import { formatArn } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import type { BatchRunner, BatchDeps } from './batch-runner.js';
import { initiatorOf } from './build-view.js';
import { checkStartable, notFound, settings } from './builds-api.js';
import { invalidInput, pageByOffset, projectName } from './projects.js';
import type { BatchGroupRecord, BatchRecord } from './store.js';

type Ops = Partial<CodebuildOperations<RequestContext>>;

/** A batch id from an id (`project:uuid`) or a build-batch ARN. */
function batchId(idOrArn: string): string {
  const m = /^arn:aws[\w-]*:codebuild:[^:]*:\d*:build-batch\/(.+)$/.exec(idOrArn);
  return m ? m[1] : idOrArn;
}

function missing(id: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Build batch cannot be found: ${id}`, { statusCode: 400 });
}

const seconds = (a: number, b?: number) => (b === undefined ? undefined : Math.round((b - a) / 1000));

function summary(d: BatchDeps, scope: Scope, id: string): BuildSummary | undefined {
  const b = d.store.builds.get(scope, id);
  if (!b) return undefined;
  const location = b.artifactsOut?.location;
  return { arn: b.arn, requestedOn: new Date(b.startTime), buildStatus: b.buildStatus, primaryArtifact: location ? { type: 'S3', location } : undefined };
}

function groupView(d: BatchDeps, scope: Scope, g: BatchGroupRecord): BuildGroup {
  return {
    identifier: g.identifier,
    dependsOn: g.dependsOn,
    ignoreFailure: g.ignoreFailure,
    currentBuildSummary: g.current ? summary(d, scope, g.current) : undefined,
    priorBuildSummaryList: g.prior.map((id) => summary(d, scope, id)).filter((x): x is BuildSummary => x !== undefined),
  };
}

/** The batch as BatchGetBuildBatches returns it. */
function batchView(d: BatchDeps, scope: Scope, b: BatchRecord): BuildBatch {
  const s = b.settings;
  return {
    id: b.id,
    arn: b.arn,
    startTime: new Date(b.startTime),
    endTime: b.endTime === undefined ? undefined : new Date(b.endTime),
    currentPhase: b.currentPhase,
    buildBatchStatus: b.status,
    sourceVersion: s.sourceVersion,
    projectName: b.projectName,
    phases: b.phases.map((p) => ({ phaseType: p.phaseType, phaseStatus: p.phaseStatus, startTime: new Date(p.startTime), endTime: p.endTime === undefined ? undefined : new Date(p.endTime), durationInSeconds: seconds(p.startTime, p.endTime), contexts: p.contexts })),
    source: s.source,
    secondarySources: s.secondarySources,
    secondarySourceVersions: s.secondarySourceVersions,
    artifacts: { location: s.artifacts.location ? `arn:aws:s3:::${s.artifacts.location}` : undefined },
    cache: s.cache,
    environment: s.environment,
    serviceRole: s.serviceRole,
    logConfig: s.logsConfig,
    buildTimeoutInMinutes: s.timeoutInMinutes,
    queuedTimeoutInMinutes: s.queuedTimeoutInMinutes,
    complete: b.complete,
    initiator: b.initiator,
    encryptionKey: s.encryptionKey,
    buildBatchNumber: b.buildBatchNumber,
    buildBatchConfig: b.batchConfig,
    buildGroups: b.groups.map((g) => groupView(d, scope, g)),
  };
}

function sorted(items: BatchRecord[], order: string | undefined): BatchRecord[] {
  const desc = (order ?? 'DESCENDING') === 'DESCENDING';
  return items.sort((a, b) => (desc ? -1 : 1) * (a.startTime - b.startTime || a.buildBatchNumber - b.buildBatchNumber));
}

export function batchOperations(d: BatchDeps, runner: BatchRunner): Ops {
  const list = (ctx: RequestContext, prefix: string | undefined, input: { filter?: { status?: string }; sortOrder?: string; nextToken?: string; maxResults?: number }) => {
    const all = d.store.batches.list(ctx, prefix).filter((b) => !input.filter?.status || b.status === input.filter.status);
    const { page, next } = pageByOffset(sorted(all, input.sortOrder), input.nextToken, input.maxResults ?? 100);
    return { ids: page.map((b) => b.id), nextToken: next };
  };

  return {
    async StartBuildBatch(input, ctx) {
      const name = projectName(input.projectName);
      const p = d.store.projects.get(ctx, name);
      if (!p) throw notFound(ctx, name);
      // The same idempotency token within 5 minutes is the same batch, as StartBuild does it.
      const same = input.idempotencyToken && d.store.batches.list(ctx, `${name}:`).find((b) => b.settings.idempotencyToken === input.idempotencyToken && d.clock.now() - b.startTime < 5 * 60_000);
      if (same) return { buildBatch: batchView(d, ctx, same) };
      const s = settings(p, { ...input, timeoutInMinutesOverride: input.buildTimeoutInMinutesOverride } as StartBuildInput);
      checkStartable(s);
      const id8 = uuid();
      const id = `${name}:${id8}`;
      const now = d.clock.now();
      const record: BatchRecord = {
        id,
        arn: formatArn({ service: 'codebuild', region: ctx.region, accountId: ctx.accountId, resource: `build-batch/${id}` }),
        uuid: id8,
        buildBatchNumber: 0,
        projectName: name,
        startTime: now,
        currentPhase: 'SUBMITTED',
        status: 'IN_PROGRESS',
        complete: false,
        phases: [{ phaseType: 'SUBMITTED', startTime: now }],
        settings: { ...s, autoRetry: undefined },
        batchConfig: input.buildBatchConfigOverride ?? p.buildBatchConfig,
        fastFail: false,
        combineArtifacts: false,
        groups: [],
        initiator: initiatorOf(ctx.principal),
        principal: ctx.principal,
      };
      d.store.takeBatchNumber(ctx, name, (n) => {
        record.buildBatchNumber = n;
        d.store.batches.put(ctx, id, record);
      });
      runner.begin({ accountId: ctx.accountId, region: ctx.region }, id);
      return { buildBatch: batchView(d, ctx, record) };
    },

    async BatchGetBuildBatches(input, ctx) {
      const buildBatches: BuildBatch[] = [];
      const buildBatchesNotFound: string[] = [];
      for (const raw of input.ids) {
        const b = d.store.batches.get(ctx, batchId(raw));
        if (b) buildBatches.push(batchView(d, ctx, b));
        else buildBatchesNotFound.push(raw);
      }
      return { buildBatches, buildBatchesNotFound };
    },

    async ListBuildBatches(input, ctx) {
      return list(ctx, undefined, input);
    },

    async ListBuildBatchesForProject(input, ctx) {
      const name = projectName(input.projectName ?? '');
      if (!d.store.projects.has(ctx, name)) throw notFound(ctx, name);
      return list(ctx, `${name}:`, input);
    },

    async StopBuildBatch(input, ctx) {
      const id = batchId(input.id);
      if (!d.store.batches.has(ctx, id)) throw missing(input.id);
      await runner.stop({ accountId: ctx.accountId, region: ctx.region }, id);
      return { buildBatch: batchView(d, ctx, d.store.batches.get(ctx, id)!) };
    },

    async RetryBuildBatch(input, ctx) {
      const id = batchId(input.id ?? '');
      const b = d.store.batches.get(ctx, id);
      if (!b) throw missing(input.id ?? '');
      if (!b.complete) throw invalidInput(`Build batch ${id} is still in progress; only a completed batch can be retried`);
      if (b.groups.length === 0) throw invalidInput(`Build batch ${id} has no builds to retry`);
      await runner.retry({ accountId: ctx.accountId, region: ctx.region }, id, input.retryType === 'RETRY_ALL_BUILDS');
      return { buildBatch: batchView(d, ctx, d.store.batches.get(ctx, id)!) };
    },

    async DeleteBuildBatch(input, ctx) {
      const id = batchId(input.id);
      const b = d.store.batches.get(ctx, id);
      if (!b) throw missing(input.id);
      if (!b.complete) throw invalidInput(`Build batch ${id} is in progress and cannot be deleted`);
      const ids = b.groups.flatMap((g) => [...g.prior, ...(g.current ? [g.current] : [])]);
      const buildsDeleted = ids.filter((x) => d.store.builds.delete(ctx, x) !== false);
      d.store.batches.delete(ctx, id);
      return { statusCode: 'BATCH_DELETED', buildsDeleted, buildsNotDeleted: [] };
    },
  };
}
