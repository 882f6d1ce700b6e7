import { git, ZERO_OID } from './git.js';
import { compareAndSwapRef, resolveCommit } from './objects.js';
import { ccError } from './validation.js';

export interface Identity {
  name: string;
  email: string;
  /** Epoch milliseconds. */
  time: number;
}

/** The author of an API commit: the name and email given, else the caller's IAM name. */
export function identityFor(callerArn: string, time: number, name?: string, email?: string): Identity {
  if (name !== undefined && name.length > 1024) throw ccError('NameLengthExceededException', 'The user name is not valid because it has exceeded the character limit for author names.');
  if (email !== undefined && email !== '' && !/^[^\s<>@]+@[^\s<>@]+$/.test(email)) throw ccError('InvalidEmailException', `The specified email address is not valid: ${email}`);
  const fallback = callerArn.split(/[:/]/).pop() || 'codecommit';
  return { name: name || fallback, email: email ?? '', time };
}

export function checkMessage(message: string | undefined): string {
  const text = message ?? '';
  if (Buffer.byteLength(text) > 100 * 1024) throw ccError('CommitMessageLengthExceededException', 'The commit message is too long. Provide a shorter string.');
  return text;
}

/** Writes a commit object for `tree` with the given parents. */
export async function commitTree(dir: string, tree: string, parents: string[], message: string, who: Identity): Promise<string> {
  const date = `${Math.floor(who.time / 1000)} +0000`;
  const env = {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
    GIT_COMMITTER_DATE: date,
  };
  const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
  return git(dir, args, { env, input: message && !message.endsWith('\n') ? `${message}\n` : message });
}

export interface BranchTip {
  branch: string;
  /** The branch's commit, or undefined when the branch does not exist yet. */
  tip: string | undefined;
  /** Whether the repository has no branches at all. */
  empty: boolean;
}

export async function branchTip(dir: string, branch: string): Promise<BranchTip> {
  const tip = await resolveCommit(dir, `refs/heads/${branch}`);
  const any = tip ? 'x' : await git(dir, ['for-each-ref', '--count=1', '--format=%(refname)', 'refs/heads']);
  if (!tip && (await resolveCommit(dir, `refs/tags/${branch}`))) throw ccError('BranchNameIsTagNameException', `The specified branch name is the name of a tag: ${branch}`);
  return { branch, tip, empty: !any };
}

/**
 * Checks the parent commit a write names against the branch, as AWS does: required unless
 * the repository is empty, a full commit id, existing, and still the tip of the branch.
 * Returns the commit the new one builds on (undefined for the first commit).
 */
export async function checkParent(dir: string, at: BranchTip, parentCommitId: string | undefined): Promise<string | undefined> {
  if (parentCommitId === undefined || parentCommitId === '') {
    if (at.empty) return undefined;
    throw ccError('ParentCommitIdRequiredException', 'A parent commit ID is required. To view the full commit ID of a branch in a repository, use GetBranch or a Git command (for example, git pull or git log).');
  }
  if (!/^[0-9a-f]{40}$/.test(parentCommitId)) throw ccError('InvalidParentCommitIdException', `The parent commit ID is not valid: ${parentCommitId}. The commit ID must be a full commit ID.`);
  if (parentCommitId === at.tip) return at.tip;
  const parent = await resolveCommit(dir, parentCommitId);
  if (!parent) throw ccError('ParentCommitDoesNotExistException', `The parent commit ID ${parentCommitId} does not exist in the repository.`);
  if (at.tip && at.tip !== parent) {
    throw ccError('ParentCommitIdOutdatedException', `The parent commit ID ${parentCommitId} is not the current tip of branch ${at.branch}. To view the full commit ID of the current head of the branch, use GetBranch.`);
  }
  return parent;
}

/** Moves the branch from `expected` to `commit`, or fails as AWS does when it moved meanwhile. */
export async function advanceBranch(dir: string, branch: string, commit: string, expected: string | undefined): Promise<void> {
  if (!(await compareAndSwapRef(dir, `refs/heads/${branch}`, commit, expected ?? ZERO_OID))) {
    throw ccError('ParentCommitIdOutdatedException', `The branch ${branch} moved while the commit was being made; the parent commit ID is no longer the tip of the branch.`);
  }
}
