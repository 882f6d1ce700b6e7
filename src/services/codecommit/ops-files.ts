import type { File, Folder, SubModule, SymbolicLink } from '../../aws/models/generated/codecommit.js';
import { commitFor, repoFor } from './access.js';
import type { CodeCommit, Ops } from './context.js';
import { entryAt, fileModeOf, listFolder, objectType, readBlob } from './objects.js';
import { ccError, normalizePath } from './validation.js';
import { noChange, writeCommit } from './writes.js';

const MAX_FILE = 6 * 1024 * 1024;

function tooLarge(path: string) {
  return ccError('FileTooLargeException', `The specified file exceeds the file size limit for CodeCommit (6 MB): ${path}`);
}

export function fileOperations(cc: CodeCommit): Ops {
  const { repos } = cc;

  return {
    async GetFile(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const path = normalizePath(input.filePath);
      const commitId = await commitFor(cc, repo, input.commitSpecifier);
      const dir = repos.dir(repo);
      const entry = await entryAt(dir, commitId, path);
      const mode = entry && entry.type === 'blob' ? fileModeOf(entry.mode) : undefined;
      if (!entry || !mode) throw ccError('FileDoesNotExistException', `The specified file does not exist: ${input.filePath}`);
      if ((entry.size ?? 0) > MAX_FILE) throw tooLarge(path);
      return { commitId, blobId: entry.oid, filePath: path, fileMode: mode, fileSize: entry.size ?? 0, fileContent: await readBlob(dir, entry.oid) };
    },

    async GetFolder(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const path = normalizePath(input.folderPath, true);
      const commitId = await commitFor(cc, repo, input.commitSpecifier);
      const dir = repos.dir(repo);
      const entry = await entryAt(dir, commitId, path);
      if (!entry || entry.type !== 'tree') throw ccError('FolderDoesNotExistException', `The specified folder does not exist: ${input.folderPath}`);
      const subFolders: Folder[] = [];
      const files: File[] = [];
      const symbolicLinks: SymbolicLink[] = [];
      const subModules: SubModule[] = [];
      for (const child of await listFolder(dir, entry.oid)) {
        const absolutePath = path ? `${path}/${child.path}` : child.path;
        const relativePath = child.path;
        if (child.type === 'tree') subFolders.push({ treeId: child.oid, absolutePath, relativePath });
        else if (child.type === 'commit') subModules.push({ commitId: child.oid, absolutePath, relativePath });
        else if (child.mode === '120000') symbolicLinks.push({ blobId: child.oid, absolutePath, relativePath, fileMode: 'SYMLINK' });
        else files.push({ blobId: child.oid, absolutePath, relativePath, fileMode: fileModeOf(child.mode) ?? 'NORMAL' });
      }
      return { commitId, folderPath: input.folderPath, treeId: entry.oid, subFolders, files, symbolicLinks, subModules };
    },

    async GetBlob(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      if (!input.blobId) throw ccError('BlobIdRequiredException', 'A blob ID is required, but was not specified.');
      if (!/^[0-9a-f]{40}$/.test(input.blobId)) throw ccError('InvalidBlobIdException', `The specified blob is not valid: ${input.blobId}`);
      const dir = repos.dir(repo);
      if ((await objectType(dir, input.blobId)) !== 'blob') throw ccError('BlobIdDoesNotExistException', `The specified blob does not exist: ${input.blobId}`);
      const content = await readBlob(dir, input.blobId);
      if (content.length > MAX_FILE) throw tooLarge(input.blobId);
      return { content };
    },

    async PutFile(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      if (!input.fileContent?.length) throw ccError('FileContentRequiredException', 'The file cannot be added because it is empty. Empty files cannot be added to the repository with this API.');
      const result = await writeCommit(cc, ctx, repo, {
        branchName: input.branchName,
        parentCommitId: input.parentCommitId,
        changes: { puts: [{ path: input.filePath, content: input.fileContent, mode: input.fileMode }], deletes: [], modes: [], keepEmptyFolders: false },
        name: input.name,
        email: input.email,
        message: input.commitMessage,
        noChange: () =>
          ccError('SameFileContentException', 'The file was not added or updated because the content of the file is exactly the same as the content of that file in the repository and branch that you specified.'),
      });
      const blob = [...result.added, ...result.updated][0];
      return { commitId: result.commitId, blobId: blob.blobId!, treeId: result.treeId };
    },

    async DeleteFile(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      if (!input.parentCommitId) throw ccError('ParentCommitIdRequiredException', 'A parent commit ID is required. To view the full commit ID of a branch in a repository, use GetBranch or a Git command (for example, git pull or git log).');
      const result = await writeCommit(cc, ctx, repo, {
        branchName: input.branchName,
        parentCommitId: input.parentCommitId,
        changes: { puts: [], deletes: [input.filePath], modes: [], keepEmptyFolders: input.keepEmptyFolders ?? false },
        name: input.name,
        email: input.email,
        message: input.commitMessage,
        noChange,
      });
      const removed = result.deleted[0];
      return { commitId: result.commitId, blobId: removed.blobId!, treeId: result.treeId, filePath: removed.absolutePath! };
    },

    async CreateCommit(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const result = await writeCommit(cc, ctx, repo, {
        branchName: input.branchName,
        parentCommitId: input.parentCommitId,
        changes: {
          puts: (input.putFiles ?? []).map((p) => ({ path: p.filePath, content: p.fileContent, mode: p.fileMode, source: p.sourceFile && { path: p.sourceFile.filePath, isMove: p.sourceFile.isMove ?? false } })),
          deletes: (input.deleteFiles ?? []).map((d) => d.filePath),
          modes: (input.setFileModes ?? []).map((m) => ({ path: m.filePath, mode: m.fileMode })),
          keepEmptyFolders: input.keepEmptyFolders ?? false,
        },
        name: input.authorName,
        email: input.email,
        message: input.commitMessage,
        noChange,
      });
      return { commitId: result.commitId, treeId: result.treeId, filesAdded: result.added, filesUpdated: result.updated, filesDeleted: result.deleted };
    },
  };
}
