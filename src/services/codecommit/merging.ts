import type { RequestContext } from '../../aws/gateway/context.js';
import type { ConflictResolution } from '../../aws/models/generated/codecommit.js';
import { commitFor } from './access.js';
import { checkMessage, commitTree, identityFor } from './commit-writer.js';
import type { CodeCommit } from './context.js';
import { git } from './git.js';
import { manualMergeRequired, planMerge, resolvedTree, type DetailLevel, type MergeOption, type MergePlan, type Strategy } from './merge.js';
import { compareAndSwapRef, resolveCommit, treeOf } from './objects.js';
import { repositoryArn, scope } from './repositories.js';
import type { RepositoryRecord } from './store.js';
import { ccError, checkBranchName, isValidRefName } from './validation.js';
import { tmpDirOf } from './writes.js';

export interface MergeRequest {
  sourceCommitSpecifier: string;
  destinationCommitSpecifier: string;
  option: MergeOption;
  /** The branch the result is written to; none writes no ref (unreferenced merge commit). */
  targetBranch?: string;
  conflictDetailLevel?: DetailLevel;
  conflictResolutionStrategy?: Strategy;
  conflictResolution?: ConflictResolution;
  authorName?: string;
  email?: string;
  commitMessage?: string;
}

export interface MergeResult {
  commitId: string;
  treeId: string;
  plan: MergePlan;
}

/** Resolves both sides of a merge with AWS's errors for each. */
export async function planFor(cc: CodeCommit, repo: RepositoryRecord, sourceSpec: string, destSpec: string, detail?: DetailLevel): Promise<MergePlan> {
  const source = await commitFor(cc, repo, sourceSpec, 'InvalidSourceCommitSpecifierException').catch(rethrowAs('source', sourceSpec));
  const destination = await commitFor(cc, repo, destSpec, 'InvalidDestinationCommitSpecifierException').catch(rethrowAs('destination', destSpec));
  return planMerge(cc.repos.dir(repo), source, destination, detail);
}

function rethrowAs(_side: string, spec: string) {
  return (e: unknown): never => {
    if ((e as { code?: string }).code === 'CommitDoesNotExistException') throw ccError('CommitDoesNotExistException', `Could not find commit: ${spec}`);
    throw e;
  };
}

/** The commit a merge produces (without moving any ref). */
async function mergeCommit(cc: CodeCommit, ctx: RequestContext, repo: RepositoryRecord, plan: MergePlan, m: MergeRequest): Promise<{ commitId: string; treeId: string }> {
  const dir = cc.repos.dir(repo);
  if (m.option === 'FAST_FORWARD_MERGE') {
    if (!plan.fastForward) throw manualMergeRequired();
    return { commitId: plan.source, treeId: await treeOf(dir, plan.source) };
  }
  const treeId = await resolvedTree(dir, tmpDirOf(cc), plan, { detail: m.conflictDetailLevel, strategy: m.conflictResolutionStrategy, resolution: m.conflictResolution });
  const who = identityFor(ctx.principal.arn, cc.deps.clock.now(), m.authorName, m.email);
  const message = checkMessage(m.commitMessage) || `Merged ${m.sourceCommitSpecifier} into ${m.destinationCommitSpecifier}`;
  const parents = m.option === 'THREE_WAY_MERGE' ? [plan.destination, plan.source] : [plan.destination];
  return { commitId: await commitTree(dir, treeId, parents, message, who), treeId };
}

export function mergeEventFields(plan: MergePlan, m: MergeRequest): Record<string, unknown> {
  return {
    baseCommitId: plan.base,
    sourceCommitId: plan.source,
    destinationCommitId: plan.destination,
    mergeOption: m.option,
    conflictDetailsLevel: m.conflictDetailLevel ?? 'LINE_LEVEL',
    conflictResolutionStrategy: m.conflictResolutionStrategy ?? 'NONE',
  };
}

/**
 * Merges source into destination with one of the three strategies and moves the target
 * branch (only if it is still at the destination commit), then reports the ref change.
 */
export async function mergeInto(cc: CodeCommit, ctx: RequestContext, repo: RepositoryRecord, m: MergeRequest): Promise<MergeResult> {
  return cc.refs.withLock(repo.id, async () => {
    const plan = await planFor(cc, repo, m.sourceCommitSpecifier, m.destinationCommitSpecifier, m.conflictDetailLevel);
    const dir = cc.repos.dir(repo);
    const target = m.targetBranch !== undefined ? checkTarget(m.targetBranch) : isValidRefName(m.destinationCommitSpecifier) ? await branchNamed(dir, m.destinationCommitSpecifier) : undefined;
    if (plan.upToDate) return { commitId: plan.destination, treeId: await treeOf(dir, plan.destination), plan };
    const result = await mergeCommit(cc, ctx, repo, plan, m);
    if (target) {
      const tip = await resolveCommit(dir, `refs/heads/${target}`);
      if (!tip) throw ccError('BranchDoesNotExistException', `Branch not found: ${target}`);
      if (tip !== plan.destination || !(await compareAndSwapRef(dir, `refs/heads/${target}`, result.commitId, tip))) {
        throw ccError('ConcurrentReferenceUpdateException', `The branch ${target} is not at the destination commit ${plan.destination}; it was updated while the merge was being made.`);
      }
      await cc.refs.sync(repo, ctx.principal.arn, { [`refs/heads/${target}`]: mergeEventFields(plan, m) });
    }
    return { ...result, plan };
  });
}

function checkTarget(name: string): string {
  try {
    return checkBranchName(name);
  } catch {
    throw ccError('InvalidTargetBranchException', `The specified target branch is not valid: ${name}`);
  }
}

async function branchNamed(dir: string, spec: string): Promise<string | undefined> {
  const short = spec.replace(/^refs\/heads\//, '');
  return (await resolveCommit(dir, `refs/heads/${short}`)) ? short : undefined;
}

/** Creates a merge commit no ref points at (CreateUnreferencedMergeCommit) and reports it. */
export async function unreferencedMerge(cc: CodeCommit, ctx: RequestContext, repo: RepositoryRecord, m: MergeRequest): Promise<{ commitId: string; treeId: string }> {
  const plan = await planFor(cc, repo, m.sourceCommitSpecifier, m.destinationCommitSpecifier, m.conflictDetailLevel);
  const result = await mergeCommit(cc, ctx, repo, plan, m);
  // Keep the commit reachable for git's gc while nothing refers to it yet.
  await git(cc.repos.dir(repo), ['update-ref', `refs/codecommit/unreferenced/${result.commitId}`, result.commitId]);
  cc.notifier.event(scope(repo), {
    source: 'aws.codecommit',
    detailType: 'CodeCommit Repository State Change',
    resources: [repositoryArn(repo)],
    detail: { callerUserArn: ctx.principal.arn, event: 'unreferencedMergeCommitCreated', repositoryName: repo.name, repositoryId: repo.id, commitId: result.commitId, ...mergeEventFields(plan, m) },
  });
  return result;
}
