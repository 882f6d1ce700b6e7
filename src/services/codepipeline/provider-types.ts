import type { ActionDeclaration } from '../../aws/models/generated/codepipeline.js';
import type { Scope } from '../../core/scope.js';
import type { ServiceDeps } from '../service.js';
import type { ActionRun, ArtifactRef, ExecutionRecord, PipelineRecord } from './store.js';

/** Everything an action provider needs to run one action execution. */
export interface ActionContext {
  deps: ServiceDeps;
  scope: Scope;
  pipeline: PipelineRecord;
  execution: ExecutionRecord;
  stage: string;
  action: ActionDeclaration;
  run: ActionRun;
  /** The configuration with variables resolved. */
  config: Record<string, string>;
  inputs: ArtifactRef[];
  outputs: ArtifactRef[];
}

export interface SourceRevision {
  revisionId: string;
  revisionSummary?: string;
  revisionUrl?: string;
  created?: number;
}

interface Reported {
  summary?: string;
  /** Who completed the action (the approver, the job worker). */
  updatedBy?: string;
  externalExecutionId?: string;
  externalExecutionUrl?: string;
}

/** How an action ended, or that it is still running (poll again, or wait for a person or worker). */
export type ActionOutcome =
  | (Reported & { status: 'Succeeded'; outputVariables?: Record<string, string>; revision?: SourceRevision })
  | (Reported & { status: 'Failed'; message: string; code?: string })
  | (Reported & { status: 'InProgress'; pollAfterMs?: number; state?: Record<string, string>; token?: string; percentComplete?: number });

export interface ActionProvider {
  start(ctx: ActionContext): Promise<ActionOutcome>;
  /** Checks a running action again (builds, deployments); called after `pollAfterMs`. */
  poll?(ctx: ActionContext): Promise<ActionOutcome>;
  /** Stops the external work when the execution is stopped and abandoned. */
  stop?(ctx: ActionContext): Promise<void>;
}

/**
 * When to look at a running build or deployment again: often at first (a short build is
 * noticed within tens of milliseconds), then every 5% of its running time, at most every second.
 */
export function pollDelay(ctx: ActionContext): number {
  const elapsed = ctx.deps.clock.now() - ctx.run.startTime;
  return Math.min(1000, Math.max(20, Math.round(elapsed / 20)));
}

export function failed(message: string, extra: Reported & { code?: string } = {}): ActionOutcome {
  return { status: 'Failed', message, code: 'JobFailed', ...extra };
}
