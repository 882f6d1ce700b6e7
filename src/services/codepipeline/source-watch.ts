import type { ActionDeclaration, PipelineTriggerDeclaration, SourceRevisionOverride } from '../../aws/models/generated/codepipeline.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import type { CodecommitOperations } from '../../aws/models/generated/codecommit.js';
import { errorMessage } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { ServiceDeps } from '../service.js';
import type { Engine } from './engine.js';
import type { PipelineRecord, PipelineStore } from './store.js';
import { pushMatches } from './trigger-filters.js';

/** AWS checks polled sources about once a minute. */
export const POLL_INTERVAL_MS = 60_000;
/** The event-bus topic CodeCommit announces received pushes on. */
const PUSH_RECEIVED = 'codecommit.push-received';

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

function triggerSource(p: PipelineRecord, t: PipelineTriggerDeclaration): ActionDeclaration | undefined {
  const a = p.declaration.stages[0].actions.find((x) => x.name === t.gitConfiguration.sourceActionName);
  return a?.actionTypeId.provider === 'CodeCommit' ? a : undefined;
}

/**
 * Starts pipelines on source changes: polled CodeCommit and S3 sources (PollForSourceChanges
 * true or absent) are checked every AWS minute on the job queue; V2 triggers are checked when
 * CodeCommit receives a push, against their branch and file path filters.
 */
export class SourceWatch {
  private readonly enqueuePoll: (p: PollJob, opts?: { delayMs?: number }) => void;
  private readonly enqueueTriggers: (p: { scope: Scope; pipeline: string }) => void;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: PipelineStore,
    private readonly engine: Engine,
  ) {
    this.enqueuePoll = deps.jobs.define<PollJob>('codepipeline-source-poll', (p) => this.poll(p), { concurrency: 4, maxAttempts: 1 });
    this.enqueueTriggers = deps.jobs.define('codepipeline-triggers', (p) => this.checkTriggers(p.scope, p.pipeline), { concurrency: 2, maxAttempts: 3 });
    deps.bus.on<{ repositoryName: string }>(PUSH_RECEIVED, (push) => this.onPush(push.repositoryName));
  }

  /** Records the sources' current heads and (re)starts polling; called when a pipeline is created or updated. */
  async arm(scope: Scope, p: PipelineRecord): Promise<void> {
    const heads: Record<string, string> = {};
    for (const a of polledSources(p)) {
      const head = await this.sourceHead(scope, a);
      if (head) heads[`poll:${a.name}`] = head.id;
    }
    for (const t of p.declaration.triggers ?? []) {
      const a = triggerSource(p, t);
      if (a) Object.assign(heads, await this.branchHeads(scope, a));
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

  private async branchHeads(scope: Scope, a: ActionDeclaration): Promise<Record<string, string>> {
    const cc = this.deps.aws.service<CodecommitOperations>('codecommit', scope);
    const repositoryName = a.configuration!.RepositoryName;
    const heads: Record<string, string> = {};
    try {
      let nextToken: string | undefined;
      const names: string[] = [];
      do {
        const page = await cc.ListBranches({ repositoryName, nextToken });
        names.push(...(page.branches ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      for (const b of names) {
        const head = await this.head(scope, repositoryName, b);
        if (head) heads[`trigger:${a.name}:${b}`] = head;
      }
    } catch (e) {
      this.deps.log.warn('could not read branches for pipeline triggers', { repository: repositoryName, error: errorMessage(e) });
    }
    return heads;
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

  private onPush(repositoryName: string): void {
    for (const { scope, value: p } of this.store.pipelines.all()) {
      if ((p.declaration.triggers ?? []).some((t) => triggerSource(p, t)?.configuration?.RepositoryName === repositoryName)) this.enqueueTriggers({ scope, pipeline: p.name });
    }
  }

  private async checkTriggers(scope: Scope, pipeline: string): Promise<void> {
    const p = this.store.pipelines.get(scope, pipeline);
    if (!p) return;
    for (const t of p.declaration.triggers ?? []) {
      const a = triggerSource(p, t);
      if (!a) continue;
      const heads = await this.branchHeads(scope, a);
      const before = this.store.runtimeOf(scope, pipeline).heads;
      for (const [key, head] of Object.entries(heads)) {
        if (before[key] === head) continue;
        const branch = key.slice(`trigger:${a.name}:`.length);
        const files = await this.changedFiles(scope, a.configuration!.RepositoryName, before[key], head);
        this.store.atomic(() => {
          const rt = this.store.runtimeOf(scope, pipeline);
          rt.heads[key] = head;
          this.store.runtime.put(scope, pipeline, rt);
        });
        const push = t.gitConfiguration.push ?? [];
        if (!push.some((f) => pushMatches(f, { type: 'branch', name: branch, files }))) continue;
        this.engine.startExecution(scope, p, { triggerType: 'WebhookV2', triggerDetail: `${a.configuration!.RepositoryName}:refs/heads/${branch}` }, {
          overrides: [{ actionName: a.name, revisionType: 'COMMIT_ID', revisionValue: head }],
        });
      }
    }
  }

  private async changedFiles(scope: Scope, repositoryName: string, before: string | undefined, after: string): Promise<string[] | undefined> {
    const cc = this.deps.aws.service<CodecommitOperations>('codecommit', scope);
    try {
      const files: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await cc.GetDifferences({ repositoryName, beforeCommitSpecifier: before, afterCommitSpecifier: after, NextToken });
        for (const d of page.differences ?? []) files.push((d.afterBlob ?? d.beforeBlob)?.path ?? '');
        NextToken = page.NextToken;
      } while (NextToken);
      return files;
    } catch {
      return undefined;
    }
  }
}
