import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodeCommit } from './context.js';
import { resolveCommit } from './objects.js';
import type { RepositoryRecord } from './store.js';
import { ccError, commitDoesNotExist } from './validation.js';

/** The repository an operation names, with AWS's errors for a missing or unknown name. */
export function repoFor(cc: CodeCommit, ctx: RequestContext, name: string | undefined): RepositoryRecord {
  if (!name) throw ccError('RepositoryNameRequiredException', 'A repository name is required, but was not specified.');
  return cc.repos.get(ctx, name);
}

/**
 * The commit a specifier names (id, branch, tag or ref); without one, the tip of the
 * default branch, as AWS reads files and folders.
 */
export async function commitFor(cc: CodeCommit, repo: RepositoryRecord, specifier: string | undefined, invalidCode = 'CommitDoesNotExistException'): Promise<string> {
  const dir = cc.repos.dir(repo);
  if (specifier === undefined || specifier === '') {
    const tip = repo.defaultBranch ? await resolveCommit(dir, `refs/heads/${repo.defaultBranch}`) : undefined;
    if (!tip) throw ccError('CommitDoesNotExistException', 'No commit was specified, and the specified repository has no default branch.');
    return tip;
  }
  const commit = await resolveCommit(dir, specifier);
  if (!commit) throw invalidCode === 'CommitDoesNotExistException' ? commitDoesNotExist(specifier) : ccError(invalidCode, `The specified commit is not valid or does not exist: ${specifier}`);
  return commit;
}

/** A full 40-character commit id that exists, for operations that take only ids. */
export async function commitById(cc: CodeCommit, repo: RepositoryRecord, commitId: string | undefined): Promise<string> {
  if (!commitId) throw ccError('CommitIdRequiredException', 'A commit ID is required, but was not specified.');
  if (!/^[0-9a-f]{40}$/.test(commitId)) throw ccError('InvalidCommitIdException', `The specified commit ID is not valid: ${commitId}. It must be a full commit ID.`);
  const commit = await resolveCommit(cc.repos.dir(repo), commitId);
  if (!commit) throw ccError('CommitIdDoesNotExistException', `The specified commit ID does not exist: ${commitId}`);
  return commit;
}

/** The IAM identity that made a request. */
export function callerArn(ctx: RequestContext): string {
  return ctx.principal.arn;
}
