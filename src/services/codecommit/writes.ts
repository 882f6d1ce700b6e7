import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestContext } from '../../aws/gateway/context.js';
import { advanceBranch, branchTip, checkMessage, checkParent, commitTree, identityFor } from './commit-writer.js';
import type { CodeCommit } from './context.js';
import type { RepositoryRecord } from './store.js';
import { editTree, type TreeChanges, type TreeEdit } from './tree-edit.js';
import { ccError, checkBranchName } from './validation.js';

export interface WriteRequest {
  branchName: string | undefined;
  parentCommitId: string | undefined;
  changes: TreeChanges;
  name?: string;
  email?: string;
  message?: string;
  /** The error when the commit would change nothing (PutFile: SameFileContentException). */
  noChange: () => Error;
}

export interface WriteResult extends TreeEdit {
  commitId: string;
}

export function tmpDirOf(cc: CodeCommit): string {
  const dir = join(cc.deps.dataDir, 'tmp');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Makes one commit on a branch from API changes (CreateCommit, PutFile, DeleteFile): checks
 * the parent against the branch tip, builds the tree, writes the commit and moves the branch
 * only if nobody moved it meanwhile, then reports the ref change.
 */
export async function writeCommit(cc: CodeCommit, ctx: RequestContext, repo: RepositoryRecord, w: WriteRequest): Promise<WriteResult> {
  const branch = checkBranchName(w.branchName);
  const message = checkMessage(w.message);
  const who = identityFor(ctx.principal.arn, cc.deps.clock.now(), w.name, w.email);
  const dir = cc.repos.dir(repo);
  return cc.refs.withLock(repo.id, async () => {
    const at = await branchTip(dir, branch);
    const parent = await checkParent(dir, at, w.parentCommitId);
    if (!at.tip && !at.empty && !parent) throw ccError('BranchDoesNotExistException', `Branch not found: ${branch}`);
    const edit = await editTree(dir, tmpDirOf(cc), parent, w.changes);
    if (!edit.changed) throw w.noChange();
    const commitId = await commitTree(dir, edit.treeId, parent ? [parent] : [], message, who);
    await advanceBranch(dir, branch, commitId, at.tip);
    await cc.refs.sync(repo, ctx.principal.arn);
    return { ...edit, commitId };
  });
}

export function noChange(): Error {
  return ccError('NoChangeException', 'The commit cannot be created because no changes will be made to the repository as a result of this commit. A commit must contain at least one change.');
}
