import type { Conflict } from '../../aws/models/generated/codecommit.js';
import { repoFor } from './access.js';
import { conflictMetadata, mergeHunks } from './conflicts.js';
import type { CodeCommit, Ops } from './context.js';
import { git } from './git.js';
import { openConflicts, type MergePlan } from './merge.js';
import { mergeInto, planFor, unreferencedMerge } from './merging.js';
import { entriesAt } from './merge.js';
import { ccError, normalizePath, pageOf, pageSize } from './validation.js';

/** The conflicts a merge option has: none for a possible fast-forward, git's otherwise. */
function conflictsFor(plan: MergePlan, option: string, detail?: 'FILE_LEVEL' | 'LINE_LEVEL', strategy?: 'NONE' | 'ACCEPT_SOURCE' | 'ACCEPT_DESTINATION' | 'AUTOMERGE'): string[] {
  if (option === 'FAST_FORWARD_MERGE' && (plan.fastForward || plan.upToDate)) return [];
  return openConflicts(plan, detail, strategy);
}

function mergeable(plan: MergePlan, option: string, conflicts: string[]): boolean {
  if (plan.upToDate) return true;
  if (option === 'FAST_FORWARD_MERGE') return plan.fastForward;
  return conflicts.length === 0;
}

export function mergeOperations(cc: CodeCommit): Ops {
  const dirOf = (name: string, ctx: Parameters<typeof repoFor>[1]) => cc.repos.dir(repoFor(cc, ctx, name));

  return {
    async MergeBranchesByFastForward(input, ctx) {
      const { commitId, treeId } = await mergeInto(cc, ctx, repoFor(cc, ctx, input.repositoryName), { ...input, option: 'FAST_FORWARD_MERGE' });
      return { commitId, treeId };
    },

    async MergeBranchesBySquash(input, ctx) {
      const { commitId, treeId } = await mergeInto(cc, ctx, repoFor(cc, ctx, input.repositoryName), { ...input, option: 'SQUASH_MERGE' });
      return { commitId, treeId };
    },

    async MergeBranchesByThreeWay(input, ctx) {
      const { commitId, treeId } = await mergeInto(cc, ctx, repoFor(cc, ctx, input.repositoryName), { ...input, option: 'THREE_WAY_MERGE' });
      return { commitId, treeId };
    },

    async CreateUnreferencedMergeCommit(input, ctx) {
      return unreferencedMerge(cc, ctx, repoFor(cc, ctx, input.repositoryName), { ...input, option: input.mergeOption });
    },

    async GetMergeOptions(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const plan = await planFor(cc, repo, input.sourceCommitSpecifier, input.destinationCommitSpecifier, input.conflictDetailLevel);
      const options: ('FAST_FORWARD_MERGE' | 'SQUASH_MERGE' | 'THREE_WAY_MERGE')[] = [];
      if (plan.fastForward || plan.upToDate) options.push('FAST_FORWARD_MERGE');
      if (!openConflicts(plan, input.conflictDetailLevel, input.conflictResolutionStrategy).length) options.push('SQUASH_MERGE', 'THREE_WAY_MERGE');
      return { mergeOptions: options, sourceCommitId: plan.source, destinationCommitId: plan.destination, baseCommitId: plan.base ?? '' };
    },

    async GetMergeConflicts(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const plan = await planFor(cc, repo, input.sourceCommitSpecifier, input.destinationCommitSpecifier, input.conflictDetailLevel);
      const conflicts = conflictsFor(plan, input.mergeOption, input.conflictDetailLevel, input.conflictResolutionStrategy);
      const page = pageOf(conflicts, input.nextToken, pageSize(input.maxConflictFiles, 100, 100, 'InvalidMaxConflictFilesException'));
      const dir = cc.repos.dir(repo);
      return {
        mergeable: mergeable(plan, input.mergeOption, conflicts),
        destinationCommitId: plan.destination,
        sourceCommitId: plan.source,
        baseCommitId: plan.base,
        conflictMetadataList: await Promise.all(page.items.map((p) => conflictMetadata(dir, plan, p))),
        nextToken: page.next,
      };
    },

    async DescribeMergeConflicts(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const plan = await planFor(cc, repo, input.sourceCommitSpecifier, input.destinationCommitSpecifier, input.conflictDetailLevel);
      const path = normalizePath(input.filePath);
      const dir = cc.repos.dir(repo);
      const present = await Promise.all([plan.source, plan.destination, plan.base].map(async (c) => (await entriesAt(dir, c, [path])).has(path)));
      if (!present.some(Boolean)) throw ccError('FileDoesNotExistException', `The specified file does not exist: ${input.filePath}`);
      const hunks = await mergeHunks(dir, plan, path);
      const page = pageOf(hunks, input.nextToken, pageSize(input.maxMergeHunks, 1000, 1000, 'InvalidMaxMergeHunksException'));
      return {
        conflictMetadata: await conflictMetadata(dir, plan, path),
        mergeHunks: page.items,
        nextToken: page.next,
        destinationCommitId: plan.destination,
        sourceCommitId: plan.source,
        baseCommitId: plan.base,
      };
    },

    async BatchDescribeMergeConflicts(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const plan = await planFor(cc, repo, input.sourceCommitSpecifier, input.destinationCommitSpecifier, input.conflictDetailLevel);
      const wanted = input.filePaths?.length ? new Set(input.filePaths.map((p) => normalizePath(p))) : undefined;
      const all = conflictsFor(plan, input.mergeOption, input.conflictDetailLevel, input.conflictResolutionStrategy).filter((p) => !wanted || wanted.has(p));
      const page = pageOf(all, input.nextToken, pageSize(input.maxConflictFiles, 100, 100, 'InvalidMaxConflictFilesException'));
      const maxHunks = pageSize(input.maxMergeHunks, 1000, 1000, 'InvalidMaxMergeHunksException');
      const dir = cc.repos.dir(repo);
      const conflicts: Conflict[] = [];
      for (const path of page.items) conflicts.push({ conflictMetadata: await conflictMetadata(dir, plan, path), mergeHunks: (await mergeHunks(dir, plan, path)).slice(0, maxHunks) });
      return { conflicts, nextToken: page.next, errors: [], destinationCommitId: plan.destination, sourceCommitId: plan.source, baseCommitId: plan.base };
    },

    async GetMergeCommit(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const plan = await planFor(cc, repo, input.sourceCommitSpecifier, input.destinationCommitSpecifier, input.conflictDetailLevel);
      let mergedCommitId: string | undefined;
      if (plan.upToDate) {
        const dir = dirOf(input.repositoryName, ctx);
        const merges = await git(dir, ['rev-list', '--ancestry-path', '--merges', '--reverse', `${plan.source}..${plan.destination}`]);
        mergedCommitId = merges.split('\n')[0] || plan.source;
      }
      return { sourceCommitId: plan.source, destinationCommitId: plan.destination, baseCommitId: plan.base, mergedCommitId };
    },
  };
}
