import type { RequestContext } from '../../aws/gateway/context.js';
import type { PipelineDeclaration } from '../../aws/models/generated/codepipeline.js';
import { parseArn } from '../../core/arn.js';
import { errorMessage } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { paginate } from '../common/paging.js';
import { err, getPipeline, mergeTags, pipelineArn, type CodePipeline, type Ops } from './common.js';
import { actionTypeKey, versionKey, type PipelineRecord } from './store.js';
import { validatePipeline, type TypeLookup } from './validate.js';

function lookup(cp: CodePipeline, scope: Scope): TypeLookup {
  return {
    region: scope.region,
    custom(id) {
      const t = cp.store.customTypes.get(scope, actionTypeKey(id));
      if (!t || t.deleted) return undefined;
      return {
        required: t.configurationProperties.filter((c) => c.required).map((c) => c.name),
        optional: t.configurationProperties.filter((c) => !c.required).map((c) => c.name),
        inputs: [t.inputArtifactDetails.minimumCount, t.inputArtifactDetails.maximumCount],
        outputs: [t.outputArtifactDetails.minimumCount, t.outputArtifactDetails.maximumCount],
      };
    },
  };
}

/** The declaration as stored and returned: defaults filled in, as AWS echoes them. */
function normalize(d: PipelineDeclaration, version: number): PipelineDeclaration {
  return {
    ...d,
    version,
    executionMode: d.executionMode ?? 'SUPERSEDED',
    pipelineType: d.pipelineType ?? 'V1',
    stages: d.stages.map((s) => ({ ...s, actions: s.actions.map((a) => ({ ...a, runOrder: a.runOrder ?? 1, configuration: a.configuration ?? {}, inputArtifacts: a.inputArtifacts ?? [], outputArtifacts: a.outputArtifacts ?? [] })) })),
  };
}

function save(cp: CodePipeline, scope: Scope, p: PipelineRecord): void {
  cp.store.atomic(() => {
    cp.store.pipelines.put(scope, p.name, p);
    cp.store.versions.put(scope, versionKey(p.name, p.declaration.version!), p.declaration);
  });
}

/** Arms source polling and triggers without failing the request that changed the pipeline. */
function watch(cp: CodePipeline, scope: Scope, p: PipelineRecord): Promise<void> {
  return cp.watch.arm(scope, p).catch((e) => cp.deps.log.warn('could not arm source polling', { pipeline: p.name, error: errorMessage(e) }));
}

function pipelineFromArn(cp: CodePipeline, ctx: RequestContext, resourceArn: string): PipelineRecord {
  const arn = parseArn(resourceArn);
  if (!arn || arn.service !== 'codepipeline') throw err('InvalidArnException', `The ARN ${resourceArn} is not valid.`);
  const p = cp.store.pipelines.get(ctx, arn.resource);
  if (!p) throw err('ResourceNotFoundException', `The resource with the ARN ${resourceArn} was not found.`);
  return p;
}

export function pipelineOperations(cp: CodePipeline): Ops {
  const { store, deps } = cp;
  return {
    async CreatePipeline(input, ctx) {
      const d = input.pipeline;
      if (store.pipelines.has(ctx, d.name)) throw err('PipelineNameInUseException', `A pipeline with the name '${d.name}' already exists in account '${ctx.accountId}'`);
      validatePipeline(d, lookup(cp, ctx));
      const now = deps.clock.now();
      const p: PipelineRecord = {
        name: d.name, arn: pipelineArn(ctx, d.name), declaration: normalize(d, 1), created: now, updated: now,
        tags: mergeTags([], input.tags ?? []), transitions: {}, executions: 0,
      };
      save(cp, ctx, p);
      await watch(cp, ctx, p);
      // AWS runs a new pipeline once as soon as it is created.
      cp.engine.startExecution(ctx, p, { triggerType: 'CreatePipeline', triggerDetail: ctx.principal.arn });
      return { pipeline: p.declaration, tags: p.tags.length ? p.tags : undefined };
    },

    async UpdatePipeline(input, ctx) {
      const p = getPipeline(cp, ctx, input.pipeline.name);
      const current = p.declaration.version!;
      if (input.pipeline.version !== undefined && input.pipeline.version !== current) {
        throw err('InvalidStructureException', `The pipeline version ${input.pipeline.version} does not match the current version ${current} of pipeline ${p.name}.`);
      }
      validatePipeline(input.pipeline, lookup(cp, ctx));
      p.declaration = normalize(input.pipeline, current + 1);
      p.updated = deps.clock.now();
      save(cp, ctx, p);
      await watch(cp, ctx, p);
      return { pipeline: p.declaration };
    },

    async GetPipeline(input, ctx) {
      const p = getPipeline(cp, ctx, input.name);
      let decl = p.declaration;
      if (input.version !== undefined && input.version !== decl.version) {
        const old = store.versions.get(ctx, versionKey(p.name, input.version));
        if (!old) throw err('PipelineVersionNotFoundException', `Pipeline version ${input.version} of pipeline ${p.name} does not exist.`);
        decl = old;
      }
      return { pipeline: decl, metadata: { pipelineArn: p.arn, created: new Date(p.created), updated: new Date(p.updated) } };
    },

    async DeletePipeline(input, ctx) {
      const p = store.pipelines.get(ctx, input.name);
      if (!p) return {};
      store.atomic(() => {
        for (const e of store.listExecutions(ctx, p.name)) {
          if (e.status === 'InProgress' || e.status === 'Stopping') cp.engine.finish(ctx, p, e, 'Stopped', 'STOPPED', 'The pipeline was deleted.');
          store.executions.delete(ctx, `${p.name}/${e.id}`);
        }
        for (const v of store.versions.list(ctx, `${p.name}/`)) store.versions.delete(ctx, versionKey(p.name, v.version!));
        store.runtime.delete(ctx, p.name);
        store.pipelines.delete(ctx, p.name);
      });
      return {};
    },

    async ListPipelines(input, ctx) {
      const page = paginate(store.pipelines.list(ctx), (p) => p.name, input.nextToken, input.maxResults ?? 1000, (t) => err('InvalidNextTokenException', `The next token ${t} is not valid.`));
      return {
        pipelines: page.items.map((p) => ({
          name: p.name, version: p.declaration.version, pipelineType: p.declaration.pipelineType, executionMode: p.declaration.executionMode,
          created: new Date(p.created), updated: new Date(p.updated),
        })),
        nextToken: page.next,
      };
    },

    async TagResource(input, ctx) {
      const p = pipelineFromArn(cp, ctx, input.resourceArn);
      p.tags = mergeTags(p.tags, input.tags);
      store.pipelines.put(ctx, p.name, p);
      return {};
    },

    async UntagResource(input, ctx) {
      const p = pipelineFromArn(cp, ctx, input.resourceArn);
      p.tags = p.tags.filter((t) => !input.tagKeys.includes(t.key));
      store.pipelines.put(ctx, p.name, p);
      return {};
    },

    async ListTagsForResource(input, ctx) {
      return { tags: pipelineFromArn(cp, ctx, input.resourceArn).tags };
    },
  };
}

