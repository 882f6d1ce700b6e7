import {
  BatchGetCommitsCommand, BatchGetRepositoriesCommand, CodeCommitClient, CreateBranchCommand, CreateCommitCommand, CreateRepositoryCommand, DeleteBranchCommand,
  DeleteFileCommand, DeleteRepositoryCommand, GetBlobCommand, GetBranchCommand, GetCommitCommand, GetDifferencesCommand, GetFileCommand, GetFolderCommand,
  GetRepositoryCommand, ListBranchesCommand, ListFileCommitHistoryCommand, ListRepositoriesCommand, ListTagsForResourceCommand, PutFileCommand, TagResourceCommand,
  UntagResourceCommand, UpdateDefaultBranchCommand, UpdateRepositoryDescriptionCommand, UpdateRepositoryNameCommand,
} from '@aws-sdk/client-codecommit';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { gitOk, named, recorders, workdir } from './support.js';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

describe('the CodeCommit API through the SDK v3 client: repositories, branches, files and commits', () => {
  const rec = recorders();
  let sw: TestSlipway;
  let cc: CodeCommitClient;

  beforeAll(async () => {
    sw = await startSlipway({ services: rec.services });
    cc = new CodeCommitClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('creates, finds, lists, renames, tags and deletes repositories', async () => {
    const made = await cc.send(new CreateRepositoryCommand({ repositoryName: 'alpha', repositoryDescription: 'first', tags: { team: 'ops' } }));
    expect(made.repositoryMetadata).toMatchObject({ repositoryName: 'alpha', repositoryDescription: 'first', accountId: '000000000000', cloneUrlHttp: `${sw.url}/v1/repos/alpha` });
    expect(made.repositoryMetadata?.defaultBranch).toBeUndefined();
    await cc.send(new CreateRepositoryCommand({ repositoryName: 'beta' }));
    await cc.send(new CreateRepositoryCommand({ repositoryName: 'gamma' }));
    await expect(cc.send(new CreateRepositoryCommand({ repositoryName: 'alpha' }))).rejects.toMatchObject({ name: 'RepositoryNameExistsException', message: 'Repository named alpha already exists' });
    await expect(cc.send(new CreateRepositoryCommand({ repositoryName: 'app.git' }))).rejects.toMatchObject({ name: 'InvalidRepositoryNameException' });
    await expect(cc.send(new CreateRepositoryCommand({ repositoryName: 'has space' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(cc.send(new CreateRepositoryCommand({ repositoryName: 'x', tags: { 'aws:internal': 'no' } }))).rejects.toMatchObject({ name: 'InvalidSystemTagUsageException' });
    await expect(cc.send(new GetRepositoryCommand({ repositoryName: 'nope' }))).rejects.toMatchObject({ name: 'RepositoryDoesNotExistException', message: 'nope does not exist' });

    const batch = await cc.send(new BatchGetRepositoriesCommand({ repositoryNames: ['alpha', 'missing'] }));
    expect(batch.repositories?.map((r) => r.repositoryName)).toEqual(['alpha']);
    expect(batch.repositoriesNotFound).toEqual(['missing']);

    const names = async (input: object) => (await cc.send(new ListRepositoriesCommand(input))).repositories?.map((r) => r.repositoryName);
    expect(await names({})).toEqual(['alpha', 'beta', 'gamma']);
    expect(await names({ sortBy: 'repositoryName', order: 'descending' })).toEqual(['gamma', 'beta', 'alpha']);
    await cc.send(new UpdateRepositoryDescriptionCommand({ repositoryName: 'alpha', repositoryDescription: 'changed' }));
    expect(await names({ sortBy: 'lastModifiedDate', order: 'descending' })).toEqual(['alpha', 'gamma', 'beta']);
    await expect(cc.send(new ListRepositoriesCommand({ nextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidContinuationTokenException' });

    await cc.send(new UpdateRepositoryNameCommand({ oldName: 'gamma', newName: 'delta' }));
    await expect(cc.send(new UpdateRepositoryNameCommand({ oldName: 'delta', newName: 'beta' }))).rejects.toMatchObject({ name: 'RepositoryNameExistsException' });
    const delta = (await cc.send(new GetRepositoryCommand({ repositoryName: 'delta' }))).repositoryMetadata!;
    expect(delta.Arn).toBe('arn:aws:codecommit:us-east-1:000000000000:delta');

    const arn = made.repositoryMetadata!.Arn!;
    await cc.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'dev', team: 'dev' } }));
    await cc.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env'] }));
    expect((await cc.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ team: 'dev' });
    await expect(cc.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' }))).rejects.toMatchObject({ name: 'InvalidResourceArnException' });

    expect((await cc.send(new DeleteRepositoryCommand({ repositoryName: 'delta' }))).repositoryId).toBe(delta.repositoryId);
    expect((await cc.send(new DeleteRepositoryCommand({ repositoryName: 'delta' }))).repositoryId).toBeUndefined();
  });

  it('writes files and commits, checking parents, content and paths as AWS does', async () => {
    const first = await cc.send(new PutFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: 'src/app.js', fileContent: text('one\n'), commitMessage: 'first', name: 'Ann', email: 'ann@example.com' }));
    expect((await cc.send(new GetRepositoryCommand({ repositoryName: 'beta' }))).repositoryMetadata?.defaultBranch).toBe('main');
    await expect(cc.send(new PutFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: 'b.txt', fileContent: text('x') }))).rejects.toMatchObject({ name: 'ParentCommitIdRequiredException' });
    await expect(cc.send(new PutFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: 'src/app.js', fileContent: text('one\n'), parentCommitId: first.commitId }))).rejects.toMatchObject({ name: 'SameFileContentException' });
    const second = await cc.send(new PutFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: 'run.sh', fileContent: text('echo hi\n'), fileMode: 'EXECUTABLE', parentCommitId: first.commitId }));
    await expect(cc.send(new PutFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: 'c.txt', fileContent: text('c'), parentCommitId: first.commitId }))).rejects.toMatchObject({ name: 'ParentCommitIdOutdatedException' });
    for (const bad of ['../escape.txt', 'a/../../b', '.git/config', 'x/.git/hooks/pre-receive']) {
      await expect(cc.send(new PutFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: bad, fileContent: text('x'), parentCommitId: second.commitId }))).rejects.toMatchObject({ name: 'InvalidPathException' });
    }
    await expect(cc.send(new PutFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: 'src', fileContent: text('x'), parentCommitId: second.commitId }))).rejects.toMatchObject({ name: 'FileNameConflictsWithDirectoryNameException' });
    await expect(cc.send(new PutFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: 'run.sh/inner', fileContent: text('x'), parentCommitId: second.commitId }))).rejects.toMatchObject({ name: 'DirectoryNameConflictsWithFileNameException' });

    const commit = await cc.send(new CreateCommitCommand({
      repositoryName: 'beta', branchName: 'main', parentCommitId: second.commitId, commitMessage: 'reshape', authorName: 'Bob', email: 'bob@example.com', keepEmptyFolders: true,
      putFiles: [{ filePath: 'docs/readme.md', fileContent: text('# beta\n') }, { filePath: 'lib/app.js', sourceFile: { filePath: 'src/app.js', isMove: true } }],
      setFileModes: [{ filePath: 'run.sh', fileMode: 'NORMAL' }],
    }));
    expect(commit.filesAdded?.map((f) => f.absolutePath).sort()).toEqual(['docs/readme.md', 'lib/app.js']);
    expect(commit.filesDeleted?.map((f) => f.absolutePath)).toEqual(['src/app.js']);
    expect(commit.filesUpdated).toEqual([{ absolutePath: 'run.sh', blobId: expect.any(String), fileMode: 'NORMAL' }]);
    await expect(cc.send(new CreateCommitCommand({ repositoryName: 'beta', branchName: 'main', parentCommitId: commit.commitId, setFileModes: [{ filePath: 'run.sh', fileMode: 'NORMAL' }] }))).rejects.toMatchObject({ name: 'NoChangeException' });
    await expect(cc.send(new CreateCommitCommand({ repositoryName: 'beta', branchName: 'main', parentCommitId: commit.commitId, deleteFiles: [{ filePath: 'nope.txt' }] }))).rejects.toMatchObject({ name: 'FileDoesNotExistException' });
    await expect(cc.send(new CreateCommitCommand({ repositoryName: 'beta', branchName: 'main', parentCommitId: commit.commitId, deleteFiles: [{ filePath: 'run.sh' }], setFileModes: [{ filePath: 'run.sh', fileMode: 'EXECUTABLE' }] }))).rejects.toMatchObject({ name: 'SamePathRequestException' });

    const file = await cc.send(new GetFileCommand({ repositoryName: 'beta', filePath: 'lib/app.js' }));
    expect(decode(file.fileContent)).toBe('one\n');
    expect(file).toMatchObject({ commitId: commit.commitId, fileMode: 'NORMAL', fileSize: 4 });
    expect(decode((await cc.send(new GetBlobCommand({ repositoryName: 'beta', blobId: file.blobId }))).content)).toBe('one\n');
    await expect(cc.send(new GetBlobCommand({ repositoryName: 'beta', blobId: commit.treeId }))).rejects.toMatchObject({ name: 'BlobIdDoesNotExistException' });
    await expect(cc.send(new GetFileCommand({ repositoryName: 'beta', filePath: 'src/app.js' }))).rejects.toMatchObject({ name: 'FileDoesNotExistException' });
    const root = await cc.send(new GetFolderCommand({ repositoryName: 'beta', folderPath: '/' }));
    expect(root.subFolders?.map((f) => f.absolutePath)).toEqual(['docs', 'lib', 'src']);
    expect(root.files?.map((f) => [f.relativePath, f.fileMode])).toEqual([['run.sh', 'NORMAL']]);
    const kept = await cc.send(new GetFolderCommand({ repositoryName: 'beta', folderPath: 'src', commitSpecifier: commit.commitId }));
    expect(kept.files?.map((f) => f.relativePath)).toEqual(['.gitkeep']);
    await expect(cc.send(new GetFolderCommand({ repositoryName: 'beta', folderPath: 'nope' }))).rejects.toMatchObject({ name: 'FolderDoesNotExistException' });

    const got = await cc.send(new GetCommitCommand({ repositoryName: 'beta', commitId: commit.commitId }));
    expect(got.commit).toMatchObject({ treeId: commit.treeId, parents: [second.commitId], message: 'reshape\n', author: { name: 'Bob', email: 'bob@example.com' } });
    expect(got.commit?.author?.date).toMatch(/^\d+ \+0000$/);
    const batch = await cc.send(new BatchGetCommitsCommand({ repositoryName: 'beta', commitIds: [first.commitId!, 'f'.repeat(40)] }));
    expect(batch.commits?.map((c) => c.commitId)).toEqual([first.commitId]);
    expect(batch.errors).toEqual([{ commitId: 'f'.repeat(40), errorCode: 'CommitDoesNotExistException', errorMessage: expect.any(String) }]);
    await expect(cc.send(new GetCommitCommand({ repositoryName: 'beta', commitId: 'abc' }))).rejects.toMatchObject({ name: 'InvalidCommitIdException' });

    const diff = await cc.send(new GetDifferencesCommand({ repositoryName: 'beta', beforeCommitSpecifier: second.commitId, afterCommitSpecifier: 'main', MaxResults: 2 }));
    expect(diff.differences).toHaveLength(2);
    const rest = await cc.send(new GetDifferencesCommand({ repositoryName: 'beta', beforeCommitSpecifier: second.commitId, afterCommitSpecifier: 'main', NextToken: diff.NextToken }));
    const all = [...diff.differences!, ...rest.differences!];
    expect(all.map((d) => [d.changeType, (d.afterBlob ?? d.beforeBlob)?.path])).toEqual([['A', 'docs/readme.md'], ['A', 'lib/app.js'], ['M', 'run.sh'], ['A', 'src/.gitkeep'], ['D', 'src/app.js']]);
    const scoped = await cc.send(new GetDifferencesCommand({ repositoryName: 'beta', beforeCommitSpecifier: second.commitId, afterCommitSpecifier: 'main', afterPath: 'docs' }));
    expect(scoped.differences?.map((d) => d.afterBlob?.path)).toEqual(['docs/readme.md']);
    await expect(cc.send(new GetDifferencesCommand({ repositoryName: 'beta', afterCommitSpecifier: 'main', afterPath: 'nope' }))).rejects.toMatchObject({ name: 'PathDoesNotExistException' });

    const history = await cc.send(new ListFileCommitHistoryCommand({ repositoryName: 'beta', filePath: 'run.sh' }));
    expect(history.revisionDag?.map((v) => v.commit?.commitId)).toEqual([commit.commitId, second.commitId]);
    expect(history.revisionDag?.[1].revisionChildren).toEqual([commit.commitId]);

    const deleted = await cc.send(new DeleteFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: 'docs/readme.md', parentCommitId: commit.commitId }));
    expect(deleted.filePath).toBe('docs/readme.md');
    await sw.slipway.settled();
    const updates = named(rec.events, 'referenceUpdated').filter((e) => e.detail.repositoryName === 'beta');
    expect(updates.map((e) => e.detail.commitId)).toEqual([second.commitId, commit.commitId, deleted.commitId]);
  });

  it('shares one repository between the API and git', async () => {
    const url = (await cc.send(new GetRepositoryCommand({ repositoryName: 'beta' }))).repositoryMetadata!.cloneUrlHttp!;
    const dir = workdir(sw.dataDir, 'beta');
    await gitOk(sw.dataDir, ['clone', '-q', url, dir]);
    expect(readFileSync(join(dir, 'lib/app.js'), 'utf8')).toBe('one\n');
    writeFileSync(join(dir, 'tool.sh'), '#!/bin/sh\n', { mode: 0o755 });
    await gitOk(dir, ['add', 'tool.sh']);
    await gitOk(dir, ['commit', '-qm', 'from git']);
    await gitOk(dir, ['push', '-q']);
    const file = await cc.send(new GetFileCommand({ repositoryName: 'beta', filePath: 'tool.sh' }));
    expect(file.fileMode).toBe('EXECUTABLE');
    const put = await cc.send(new PutFileCommand({ repositoryName: 'beta', branchName: 'main', filePath: 'tool.sh', fileContent: text('#!/bin/sh\necho api\n'), parentCommitId: file.commitId }));
    await gitOk(dir, ['pull', '-q']);
    expect(await gitOk(dir, ['rev-parse', 'HEAD'])).toBe(put.commitId);
    expect(readFileSync(join(dir, 'tool.sh'), 'utf8')).toBe('#!/bin/sh\necho api\n');
    expect(statSync(join(dir, 'tool.sh')).mode & 0o111).not.toBe(0);
  });

  it('gives repositories of other regions a clone URL that names the region and account', async () => {
    const eu = new CodeCommitClient(sdkConfig(sw.url, 'eu-west-1'));
    const made = (await eu.send(new CreateRepositoryCommand({ repositoryName: 'abroad' }))).repositoryMetadata!;
    expect(made.cloneUrlHttp).toBe(`${sw.url}/v1/repos/eu-west-1/000000000000/abroad`);
    expect(made.Arn).toBe('arn:aws:codecommit:eu-west-1:000000000000:abroad');
    await expect(cc.send(new GetRepositoryCommand({ repositoryName: 'abroad' }))).rejects.toMatchObject({ name: 'RepositoryDoesNotExistException' });
    await eu.send(new PutFileCommand({ repositoryName: 'abroad', branchName: 'main', filePath: 'where.txt', fileContent: text('eu\n') }));
    for (const [name, url] of [['qualified', made.cloneUrlHttp!], ['short', `${sw.url}/v1/repos/abroad`]]) {
      const dir = workdir(sw.dataDir, `abroad-${name}`);
      await gitOk(sw.dataDir, ['clone', '-q', url, dir]);
      expect(readFileSync(join(dir, 'where.txt'), 'utf8')).toBe('eu\n');
    }
  });

  it('creates, lists, defaults and deletes branches', async () => {
    const main = (await cc.send(new GetBranchCommand({ repositoryName: 'beta', branchName: 'main' }))).branch!.commitId!;
    await cc.send(new CreateBranchCommand({ repositoryName: 'beta', branchName: 'release/1.0', commitId: main }));
    await expect(cc.send(new CreateBranchCommand({ repositoryName: 'beta', branchName: 'release/1.0', commitId: main }))).rejects.toMatchObject({ name: 'BranchNameExistsException' });
    await expect(cc.send(new CreateBranchCommand({ repositoryName: 'beta', branchName: 'bad..name', commitId: main }))).rejects.toMatchObject({ name: 'InvalidBranchNameException' });
    await expect(cc.send(new CreateBranchCommand({ repositoryName: 'beta', branchName: 'x', commitId: 'e'.repeat(40) }))).rejects.toMatchObject({ name: 'CommitDoesNotExistException' });
    expect((await cc.send(new ListBranchesCommand({ repositoryName: 'beta' }))).branches).toEqual(['main', 'release/1.0']);
    await cc.send(new UpdateDefaultBranchCommand({ repositoryName: 'beta', defaultBranchName: 'release/1.0' }));
    await expect(cc.send(new DeleteBranchCommand({ repositoryName: 'beta', branchName: 'release/1.0' }))).rejects.toMatchObject({ name: 'DefaultBranchCannotBeDeletedException' });
    const cloned = workdir(sw.dataDir, 'default-branch');
    await gitOk(sw.dataDir, ['clone', '-q', `${sw.url}/v1/repos/beta`, cloned]);
    expect(await gitOk(cloned, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('release/1.0');
    await cc.send(new UpdateDefaultBranchCommand({ repositoryName: 'beta', defaultBranchName: 'main' }));
    expect((await cc.send(new DeleteBranchCommand({ repositoryName: 'beta', branchName: 'release/1.0' }))).deletedBranch).toEqual({ branchName: 'release/1.0', commitId: main });
    await expect(cc.send(new GetBranchCommand({ repositoryName: 'beta', branchName: 'release/1.0' }))).rejects.toMatchObject({ name: 'BranchDoesNotExistException' });
    await sw.slipway.settled();
    expect(named(rec.events, 'referenceDeleted').map((e) => e.detail)).toEqual([expect.objectContaining({ referenceName: 'release/1.0', oldCommitId: main, repositoryName: 'beta' })]);
  });
});
