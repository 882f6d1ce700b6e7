import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodepipelineOperations, Tag } from '../../aws/models/generated/codepipeline.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { ServiceDeps } from '../service.js';
import type { Engine } from './engine.js';
import type { Runner } from './runner.js';
import type { ExecutionRecord, PipelineRecord, PipelineStore } from './store.js';
import type { JobTimers } from './job-timers.js';
import type { SourceWatch } from './source-watch.js';

export type Ops = Partial<CodepipelineOperations<RequestContext>>;

/** What the operations share. */
export interface CodePipeline {
  deps: ServiceDeps;
  store: PipelineStore;
  engine: Engine;
  runner: Runner;
  watch: SourceWatch;
  jobTimers: JobTimers;
}

export const err = (code: string, message: string) => new ServiceError(code, message, { statusCode: 400 });

export function pipelineArn(scope: Scope, name: string): string {
  return `arn:aws:codepipeline:${scope.region}:${scope.accountId}:${name}`;
}

export function getPipeline(cp: CodePipeline, scope: Scope, name: string): PipelineRecord {
  const p = cp.store.pipelines.get(scope, name);
  if (!p) throw err('PipelineNotFoundException', `Account '${scope.accountId}' does not have a pipeline with name '${name}'`);
  return p;
}

export function getExecution(cp: CodePipeline, scope: Scope, pipeline: string, id: string): ExecutionRecord {
  const e = cp.store.execution(scope, pipeline, id);
  if (!e) throw err('PipelineExecutionNotFoundException', `Pipeline execution ID ${id} does not belong to pipeline ${pipeline} in account ${scope.accountId}`);
  return e;
}

export function checkStage(p: PipelineRecord, stage: string): void {
  if (!p.declaration.stages.some((s) => s.name === stage)) throw err('StageNotFoundException', `Stage ${stage} does not exist in pipeline ${p.name}`);
}

/** Tags merged by key (later values win), checked against AWS's limit of 50. */
export function mergeTags(current: Tag[], added: Tag[]): Tag[] {
  const map = new Map(current.map((t) => [t.key, t.value]));
  for (const t of added) {
    if (t.key.toLowerCase().startsWith('aws:')) throw err('InvalidTagsException', `Tag keys cannot start with the reserved prefix 'aws:': ${t.key}`);
    map.set(t.key, t.value);
  }
  if (map.size > 50) throw err('TooManyTagsException', 'The number of tags exceeds the limit of 50 tags per resource.');
  return [...map].map(([key, value]) => ({ key, value }));
}

export function principalOf(ctx: RequestContext): string {
  return ctx.principal.arn;
}
