import type { Difference, FileVersion } from '../../aws/models/generated/codecommit.js';
import { commitById, commitFor, repoFor } from './access.js';
import type { CodeCommit, Ops } from './context.js';
import { git, runGit, splitZ } from './git.js';
import { entryAt, readCommit, resolveCommit } from './objects.js';
import { ccError, normalizePath, pageOf, pageSize } from './validation.js';

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Parses `git diff-tree -r -z --raw` output into the API's differences. */
export function parseRawDiff(out: Buffer): Difference[] {
  const parts = splitZ(out);
  const diffs: Difference[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [oldMode, newMode, oldOid, newOid, status] = parts[i].slice(1).split(' ');
    const path = parts[i + 1];
    const changeType = status === 'A' ? 'A' : status === 'D' ? 'D' : 'M';
    const d: Difference = { changeType };
    if (changeType !== 'A') d.beforeBlob = { blobId: oldOid, path, mode: oldMode };
    if (changeType !== 'D') d.afterBlob = { blobId: newOid, path, mode: newMode };
    diffs.push(d);
  }
  return diffs;
}

export function commitOperations(cc: CodeCommit): Ops {
  const { repos } = cc;

  const pathExists = async (dir: string, commit: string, path: string) => (await entryAt(dir, commit, path)) !== undefined;

  return {
    async GetCommit(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const commitId = await commitById(cc, repo, input.commitId);
      return { commit: await readCommit(repos.dir(repo), commitId) };
    },

    async BatchGetCommits(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      if (!input.commitIds.length) throw ccError('CommitIdsListRequiredException', 'A list of commit IDs is required, but was either not specified or the list was empty.');
      if (input.commitIds.length > 100) throw ccError('CommitIdsLimitExceededException', 'The maximum number of allowed commit IDs in a batch request is 100.');
      const dir = repos.dir(repo);
      const commits = [];
      const errors = [];
      for (const id of input.commitIds) {
        const found = /^[0-9a-f]{40}$/.test(id) ? await resolveCommit(dir, id) : undefined;
        if (found) commits.push(await readCommit(dir, found));
        else errors.push({ commitId: id, errorCode: 'CommitDoesNotExistException', errorMessage: `Could not find commit: ${id}` });
      }
      return { commits, errors };
    },

    async GetDifferences(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      if (!input.afterCommitSpecifier) throw ccError('CommitRequiredException', 'A commit was not specified.');
      const size = pageSize(input.MaxResults, 100, 100);
      const after = await commitFor(cc, repo, input.afterCommitSpecifier);
      const before = input.beforeCommitSpecifier ? await commitFor(cc, repo, input.beforeCommitSpecifier) : undefined;
      const dir = repos.dir(repo);
      const paths: string[] = [];
      for (const [given, commit] of [[input.beforePath, before], [input.afterPath, after]] as const) {
        if (given === undefined) continue;
        const path = normalizePath(given, true);
        if (path && !(await pathExists(dir, commit ?? after, path))) throw ccError('PathDoesNotExistException', `The specified path does not exist: ${given}`);
        if (path) paths.push(path);
      }
      const args = ['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-abbrev', before ?? EMPTY_TREE, after];
      const { stdout } = await runGit(dir, paths.length ? [...args, '--', ...new Set(paths)] : args);
      const page = pageOf(parseRawDiff(stdout), input.NextToken, size);
      return { differences: page.items, NextToken: page.next };
    },

    async ListFileCommitHistory(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const path = normalizePath(input.filePath);
      const start = await commitFor(cc, repo, input.commitSpecifier);
      const dir = repos.dir(repo);
      const log = await git(dir, ['log', '--parents', '--format=%H %P', start, '--', path]);
      const lines = log ? log.split('\n').map((l) => l.split(' ')) : [];
      const size = pageSize(input.maxResults, 100, 100);
      const page = pageOf(lines, input.nextToken, size);
      const blobs = await git(dir, ['cat-file', '--batch-check=%(objectname)'], { input: page.items.map((l) => `${l[0]}:${path}\n`).join('') });
      const blobIds = blobs.split('\n');
      const revisionDag: FileVersion[] = [];
      for (const [i, [commitId]] of page.items.entries()) {
        const children = lines.filter((l) => l.slice(1).includes(commitId)).map((l) => l[0]);
        const blobId = /^[0-9a-f]{40}$/.test(blobIds[i] ?? '') ? blobIds[i] : undefined;
        revisionDag.push({ commit: await readCommit(dir, commitId), blobId, path, revisionChildren: children });
      }
      return { revisionDag, nextToken: page.next };
    },
  };
}
