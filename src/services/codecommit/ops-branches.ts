import { ZERO_OID } from './git.js';
import { compareAndSwapRef, deleteRef, listRefs, resolveCommit } from './objects.js';
import { commitById, repoFor } from './access.js';
import type { CodeCommit, Ops } from './context.js';
import { branchDoesNotExist, ccError, checkBranchName, pageOf } from './validation.js';

export function branchOperations(cc: CodeCommit): Ops {
  const { repos, refs, deps } = cc;

  return {
    async CreateBranch(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const branch = checkBranchName(input.branchName);
      const commit = await commitById(cc, repo, input.commitId).catch((e: { code?: string }) => {
        if (e.code === 'CommitIdDoesNotExistException' || e.code === 'InvalidCommitIdException') throw ccError('CommitDoesNotExistException', `The specified commit does not exist: ${input.commitId}`);
        throw e;
      });
      await refs.withLock(repo.id, async () => {
        const created = await compareAndSwapRef(repos.dir(repo), `refs/heads/${branch}`, commit, ZERO_OID);
        if (!created) throw ccError('BranchNameExistsException', `Cannot create branch: A branch with the name ${branch} already exists.`);
        await refs.sync(repo, ctx.principal.arn);
      });
      return {};
    },

    async GetBranch(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const branch = checkBranchName(input.branchName);
      const commitId = await resolveCommit(repos.dir(repo), `refs/heads/${branch}`);
      if (!commitId) throw branchDoesNotExist(branch);
      return { branch: { branchName: branch, commitId } };
    },

    async ListBranches(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const all = [...(await listRefs(repos.dir(repo))).keys()].filter((r) => r.startsWith('refs/heads/')).map((r) => r.slice(11));
      const page = pageOf(all, input.nextToken, 1000);
      return { branches: page.items, nextToken: page.next };
    },

    async DeleteBranch(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const branch = checkBranchName(input.branchName);
      if (repo.defaultBranch === branch) throw ccError('DefaultBranchCannotBeDeletedException', `The default branch ${branch} cannot be deleted. Change the default branch first.`);
      return refs.withLock(repo.id, async () => {
        const dir = repos.dir(repo);
        const commitId = await resolveCommit(dir, `refs/heads/${branch}`);
        if (!commitId) return {};
        if (!(await deleteRef(dir, `refs/heads/${branch}`, commitId))) {
          throw ccError('ConcurrentReferenceUpdateException', `The branch ${branch} changed while it was being deleted. Try again.`);
        }
        await refs.sync(repo, ctx.principal.arn);
        return { deletedBranch: { branchName: branch, commitId } };
      });
    },

    async UpdateDefaultBranch(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const branch = checkBranchName(input.defaultBranchName);
      if (!(await resolveCommit(repos.dir(repo), `refs/heads/${branch}`))) throw branchDoesNotExist(branch);
      await refs.withLock(repo.id, async () => {
        const fresh = repos.get(ctx, repo.name);
        repos.save({ ...fresh, defaultBranch: branch, lastModifiedDate: deps.clock.now() });
        await repos.pointHead(fresh, branch);
      });
      return {};
    },
  };
}
