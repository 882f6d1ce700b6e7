import type { ActionTypeId } from '../../aws/models/generated/codepipeline.js';
import { errorMessage } from '../../core/errors.js';
import type { ServiceDeps } from '../service.js';
import { builtinType } from './action-types.js';
import type { ActionJob, Engine } from './engine.js';
import type { ActionContext, ActionOutcome, ActionProvider } from './provider-types.js';
import type { PipelineStore } from './store.js';

/** Providers by `owner/category/provider`; `Custom` actions all go to the job-worker provider. */
export type ProviderTable = Record<string, ActionProvider>;

export function providerKey(id: ActionTypeId): string {
  return id.owner === 'Custom' ? 'Custom' : `${id.owner}/${id.category}/${id.provider}`;
}

/**
 * Runs action jobs from the durable queue: looks the action up, hands it to its provider and
 * records the outcome. A provider that throws fails the action with the error's message.
 */
export class Runner {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: PipelineStore,
    private readonly engine: Engine,
    private readonly providers: ProviderTable,
  ) {
    engine.enqueueAction = deps.jobs.define<ActionJob>('codepipeline-actions', (job) => this.run(job), { concurrency: 16, maxAttempts: 3 });
  }

  context(job: Pick<ActionJob, 'scope' | 'pipeline' | 'execution' | 'stage' | 'action'>): ActionContext | undefined {
    const { scope } = job;
    const pipeline = this.store.pipelines.get(scope, job.pipeline);
    const execution = this.store.execution(scope, job.pipeline, job.execution);
    const run = execution?.stages[job.stage]?.actions[job.action];
    const decl = execution && this.engine.declaration(scope, job.pipeline, execution.pipelineVersion);
    const action = decl?.stages.find((s) => s.name === job.stage)?.actions.find((a) => a.name === job.action);
    if (!pipeline || !execution || !run || !action) return undefined;
    const inputs = run.inputArtifacts.map((i) => ({ name: i.name!, bucket: i.s3location?.bucket ?? '', key: i.s3location?.key ?? '' }));
    const outputs = run.outputArtifacts.map((o) => ({ name: o.name!, bucket: o.s3location!.bucket!, key: o.s3location!.key! }));
    return { deps: this.deps, scope, pipeline, execution, stage: job.stage, action, run, config: run.resolvedConfiguration, inputs, outputs };
  }

  provider(id: ActionTypeId): ActionProvider | undefined {
    return this.providers[providerKey(id)];
  }

  private async run(job: ActionJob): Promise<void> {
    // Jobs enqueued inside a state transaction may start before it commits: read state after it.
    await Promise.resolve();
    const ctx = this.context(job);
    if (!ctx || ctx.run.id !== job.run || ctx.run.status !== 'InProgress') return;
    if (ctx.execution.status !== 'InProgress' && ctx.execution.status !== 'Stopping') return;
    const outcome = await this.outcome(ctx, job.phase);
    this.engine.applyOutcome(job, outcome);
  }

  private async outcome(ctx: ActionContext, phase: ActionJob['phase']): Promise<ActionOutcome> {
    const id = ctx.action.actionTypeId;
    const provider = this.provider(id);
    if (!provider) {
      const known = builtinType(id);
      const what = `${id.owner} ${id.category} action provider ${id.provider}`;
      return { status: 'Failed', code: 'ConfigurationError', message: known ? `Slipway does not run the ${what} yet.` : `No provider runs the ${what}.` };
    }
    try {
      if (phase === 'poll' && provider.poll) return await provider.poll(ctx);
      return await provider.start(ctx);
    } catch (e) {
      return { status: 'Failed', code: 'JobFailed', message: errorMessage(e) };
    }
  }
}
