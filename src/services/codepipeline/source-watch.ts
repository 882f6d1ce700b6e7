import type { ActionDeclaration, SourceRevisionOverride } from '../../aws/models/generated/codepipeline.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import type { CodecommitOperations } from '../../aws/models/generated/codecommit.js';
import type { Scope } from '../../core/scope.js';
import type { ServiceDeps } from '../service.js';
import type { Engine } from './engine.js';
import type { PipelineRecord, PipelineStore } from './store.js';

/** AWS checks polled sources about once a minute. */
export const POLL_INTERVAL_MS = 60_000;

interface PollJob {
  scope: Scope;
  pipeline: string;
  generation: number;
}

function polledSources(p: PipelineRecord): ActionDeclaration[] {
  const triggered = new Set((p.declaration.triggers ?? []).map((t) => t.gitConfiguration.sourceActionName));
  return p.declaration.stages[0].actions.filter(
    (a) => ['CodeCommit', 'S3'].includes(a.actionTypeId.provider) && a.actionTypeId.owner === 'AWS' && a.configuration?.PollForSourceChanges !== 'false' && !triggered.has(a.name),
  );
}

/**
 * Starts pipelines on polled source changes: CodeCommit and S3 sources with PollForSourceChanges
 * true or absent (and no V2 trigger) are checked every AWS minute on the job queue.
 */
export class SourceWatch {
  private readonly enqueuePoll: (p: PollJob, opts?: { delayMs?: number }) => void;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: PipelineStore,
    private readonly engine: Engine,
  ) {
    this.enqueuePoll = deps.jobs.define<PollJob>('codepipeline-source-poll', (p) => this.poll(p), { concurrency: 4, maxAttempts: 1 });
  }

  /** Records the sources' current heads and (re)starts polling; called when a pipeline is created or updated. */
  async arm(scope: Scope, p: PipelineRecord): Promise<void> {
    const heads: Record<string, string> = {};
    for (const a of polledSources(p)) {
      const head = await this.sourceHead(scope, a);
      if (head) heads[`poll:${a.name}`] = head.id;
    }
    const generation = this.store.atomic(() => {
      const rt = this.store.runtimeOf(scope, p.name);
      rt.heads = heads;
      rt.pollGeneration += 1;
      this.store.runtime.put(scope, p.name, rt);
      return rt.pollGeneration;
    });
    if (polledSources(p).length) this.enqueuePoll({ scope, pipeline: p.name, generation }, { delayMs: POLL_INTERVAL_MS });
  }

  /** A polled source's current revision: the branch head, or the S3 object's version (else ETag). */
  private async sourceHead(scope: Scope, a: ActionDeclaration): Promise<{ id: string; override?: SourceRevisionOverride } | undefined> {
    const c = a.configuration!;
    if (a.actionTypeId.provider === 'CodeCommit') {
      const head = await this.head(scope, c.RepositoryName, c.BranchName);
      return head ? { id: head, override: { actionName: a.name, revisionType: 'COMMIT_ID', revisionValue: head } } : undefined;
    }
    try {
      const o = await this.deps.aws.service<S3Operations>('s3', scope).HeadObject({ Bucket: c.S3Bucket, Key: c.S3ObjectKey });
      const version = o.VersionId && o.VersionId !== 'null' ? o.VersionId : undefined;
      return { id: version ?? o.ETag ?? '', override: version ? { actionName: a.name, revisionType: 'S3_OBJECT_VERSION_ID', revisionValue: version } : undefined };
    } catch {
      return undefined;
    }
  }

  private async head(scope: Scope, repositoryName: string, branchName: string): Promise<string | undefined> {
    try {
      return (await this.deps.aws.service<CodecommitOperations>('codecommit', scope).GetBranch({ repositoryName, branchName })).branch?.commitId;
    } catch {
      return undefined;
    }
  }

  private async poll(job: PollJob): Promise<void> {
    const p = this.store.pipelines.get(job.scope, job.pipeline);
    if (!p || this.store.runtimeOf(job.scope, job.pipeline).pollGeneration !== job.generation) return;
    for (const a of polledSources(p)) {
      const head = await this.sourceHead(job.scope, a);
      const changed = this.store.atomic(() => {
        const rt = this.store.runtimeOf(job.scope, job.pipeline);
        if (!head || rt.heads[`poll:${a.name}`] === head.id) return false;
        rt.heads[`poll:${a.name}`] = head.id;
        this.store.runtime.put(job.scope, job.pipeline, rt);
        return true;
      });
      if (changed) this.engine.startExecution(job.scope, p, { triggerType: 'PollForSourceChanges', triggerDetail: a.name }, { overrides: head!.override ? [head!.override] : [] });
    }
    this.enqueuePoll(job, { delayMs: POLL_INTERVAL_MS });
  }
}
