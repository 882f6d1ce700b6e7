import type { CodecommitOperations } from '../../aws/models/generated/codecommit.js';
import type { ActionDeclaration, PipelineTriggerDeclaration } from '../../aws/models/generated/codepipeline.js';
import type { Scope } from '../../core/scope.js';
import { CODECOMMIT_EVENT, type CodecommitEventAnnounced } from '../common/codecommit-events.js';
import type { AwsEvent } from '../common/events.js';
import type { ServiceDeps } from '../service.js';
import type { Engine } from './engine.js';
import type { PipelineRecord, PipelineStore } from './store.js';
import { pullRequestMatches, pushMatches, type PullRequestEventType } from './trigger-filters.js';

/** A change in a CodeCommit repository that a V2 trigger may start a pipeline for. */
export type GitChange =
  | { kind: 'push'; repositoryName: string; refType: 'branch' | 'tag'; refName: string; commit: string; oldCommit?: string }
  | { kind: 'pullRequest'; repositoryName: string; event: PullRequestEventType; pullRequestId: string; destinationBranch: string; sourceCommit: string; destinationCommit: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function pullRequestEventType(d: Record<string, unknown>): PullRequestEventType | undefined {
  switch (d.event) {
    case 'pullRequestCreated':
      return 'OPEN';
    case 'pullRequestSourceBranchUpdated':
      return 'UPDATED';
    case 'pullRequestStatusChanged':
      return d.pullRequestStatus === 'Closed' ? 'CLOSED' : 'OPEN';
    case 'pullRequestMergeStatusUpdated':
      return d.isMerged === 'True' ? 'CLOSED' : undefined;
    default:
      return undefined;
  }
}

/** What a CodeCommit EventBridge event means for triggers: a created or moved branch or tag, or a pull request opened, updated or closed (merged or not). */
export function gitChangeOf(e: Pick<AwsEvent, 'detailType' | 'detail'>): GitChange | undefined {
  const d = e.detail;
  if (e.detailType === 'CodeCommit Repository State Change') {
    const commit = str(d.commitId);
    const refType = d.referenceType;
    if (!commit || (d.event !== 'referenceCreated' && d.event !== 'referenceUpdated') || (refType !== 'branch' && refType !== 'tag')) return undefined;
    return { kind: 'push', repositoryName: str(d.repositoryName) ?? '', refType, refName: str(d.referenceName) ?? '', commit, oldCommit: str(d.oldCommitId) };
  }
  if (e.detailType !== 'CodeCommit Pull Request State Change') return undefined;
  const event = pullRequestEventType(d);
  const destination = str(d.destinationReference) ?? '';
  const repositoryName = Array.isArray(d.repositoryNames) ? str(d.repositoryNames[0]) : undefined;
  const sourceCommit = str(d.sourceCommit);
  const destinationCommit = str(d.destinationCommit);
  if (!event || !repositoryName || !sourceCommit || !destinationCommit) return undefined;
  const destinationBranch = destination.startsWith('refs/heads/') ? destination.slice(11) : destination;
  return { kind: 'pullRequest', repositoryName, event, pullRequestId: str(d.pullRequestId) ?? '', destinationBranch, sourceCommit, destinationCommit };
}

interface TriggerJob {
  scope: Scope;
  pipeline: string;
  change: GitChange;
}

function triggerSource(p: PipelineRecord, t: PipelineTriggerDeclaration): ActionDeclaration | undefined {
  const a = p.declaration.stages[0].actions.find((x) => x.name === t.gitConfiguration.sourceActionName);
  return a?.actionTypeId.provider === 'CodeCommit' ? a : undefined;
}

/** The execution's triggerDetail: the repository and the ref (or pull request) that fired. */
export function triggerDetail(c: GitChange): string {
  if (c.kind === 'push') return `${c.repositoryName}:refs/${c.refType === 'branch' ? 'heads' : 'tags'}/${c.refName}`;
  return `${c.repositoryName}:pull-request/${c.pullRequestId}:${c.event}`;
}

/**
 * V2 triggers on CodeCommit sources. CodeCommit announces each of its events as it commits the
 * change that caused it; a trigger job is queued in the same transaction (one at a time, so
 * executions start in the order the changes happened), and a push accepted
 * before a crash still starts its pipeline after the restart.
 */
export class GitTriggers {
  private readonly enqueue: (job: TriggerJob) => void;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: PipelineStore,
    private readonly engine: Engine,
  ) {
    this.enqueue = deps.jobs.define<TriggerJob>('codepipeline-git-trigger', (job) => this.run(job), { concurrency: 1, maxAttempts: 3 });
    deps.bus.on<CodecommitEventAnnounced>(CODECOMMIT_EVENT, ({ scope, event }) => this.onEvent(scope, event));
  }

  private onEvent(scope: Scope, event: AwsEvent): void {
    const change = gitChangeOf(event);
    if (!change) return;
    for (const p of this.store.pipelines.list(scope)) {
      const watched = (p.declaration.triggers ?? []).some((t) => triggerSource(p, t)?.configuration?.RepositoryName === change.repositoryName);
      if (watched) this.enqueue({ scope, pipeline: p.name, change });
    }
  }

  private async run({ scope, pipeline, change }: TriggerJob): Promise<void> {
    const p = this.store.pipelines.get(scope, pipeline);
    if (!p) return;
    for (const t of p.declaration.triggers ?? []) {
      const a = triggerSource(p, t);
      if (a?.configuration?.RepositoryName !== change.repositoryName || !(await this.fires(scope, t, change))) continue;
      const commit = change.kind === 'push' ? change.commit : change.sourceCommit;
      this.engine.startExecution(scope, p, { triggerType: 'WebhookV2', triggerDetail: triggerDetail(change) }, {
        overrides: [{ actionName: a.name, revisionType: 'COMMIT_ID', revisionValue: commit }],
      });
    }
  }

  private async fires(scope: Scope, t: PipelineTriggerDeclaration, c: GitChange): Promise<boolean> {
    const git = t.gitConfiguration;
    if (c.kind === 'push') {
      const filters = git.push ?? [];
      const needFiles = c.refType === 'branch' && filters.some((f) => f.filePaths);
      const files = needFiles ? await this.changedFiles(scope, c.repositoryName, c.oldCommit, c.commit) : undefined;
      return filters.some((f) => pushMatches(f, { type: c.refType, name: c.refName, files }));
    }
    const filters = git.pullRequest ?? [];
    if (!filters.length) return false;
    const files = filters.some((f) => f.filePaths) ? await this.pullRequestFiles(scope, c) : undefined;
    return filters.some((f) => pullRequestMatches(f, { event: c.event, destinationBranch: c.destinationBranch, files }));
  }

  /**
   * The files a pull request changes: from the merge base with its destination to its source
   * commit. The pull request's own merge base is used when it can be read (after a merge the
   * source is part of the destination); a pull request created a moment ago may not be
   * readable yet, and is not merged, so its merge base is computed.
   */
  private async pullRequestFiles(scope: Scope, c: Extract<GitChange, { kind: 'pullRequest' }>): Promise<string[] | undefined> {
    const cc = this.cc(scope);
    const recorded = await cc.GetPullRequest({ pullRequestId: c.pullRequestId }).then((o) => o.pullRequest.pullRequestTargets?.[0]?.mergeBase, () => undefined);
    try {
      const base = recorded ?? (await cc.GetMergeConflicts({
        repositoryName: c.repositoryName, destinationCommitSpecifier: c.destinationCommit, sourceCommitSpecifier: c.sourceCommit, mergeOption: 'THREE_WAY_MERGE',
      })).baseCommitId;
      return await this.changedFiles(scope, c.repositoryName, base, c.sourceCommit);
    } catch {
      return undefined;
    }
  }

  private cc(scope: Scope) {
    return this.deps.aws.service<CodecommitOperations>('codecommit', scope);
  }

  private async changedFiles(scope: Scope, repositoryName: string, before: string | undefined, after: string): Promise<string[] | undefined> {
    try {
      const files: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await this.cc(scope).GetDifferences({ repositoryName, beforeCommitSpecifier: before, afterCommitSpecifier: after, NextToken });
        for (const d of page.differences ?? []) files.push((d.afterBlob ?? d.beforeBlob)?.path ?? '');
        NextToken = page.NextToken;
      } while (NextToken);
      return files;
    } catch {
      return undefined;
    }
  }
}
