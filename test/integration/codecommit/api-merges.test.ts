import {
  BatchDescribeMergeConflictsCommand, CodeCommitClient, CreateBranchCommand, CreateRepositoryCommand, CreateUnreferencedMergeCommitCommand, DescribeMergeConflictsCommand,
  GetBranchCommand, GetCommitCommand, GetFileCommand, GetMergeCommitCommand, GetMergeConflictsCommand, GetMergeOptionsCommand, MergeBranchesByFastForwardCommand,
  MergeBranchesBySquashCommand, MergeBranchesByThreeWayCommand, PutFileCommand,
} from '@aws-sdk/client-codecommit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { named, recorders } from './support.js';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const repositoryName = 'merges';

describe('merging branches through the API: fast-forward, squash, three-way, conflicts and their resolution', () => {
  const rec = recorders();
  let sw: TestSlipway;
  let cc: CodeCommitClient;
  let base: string;

  const put = async (branchName: string, filePath: string, content: string) => {
    const parentCommitId = (await cc.send(new GetBranchCommand({ repositoryName, branchName }))).branch!.commitId!;
    return (await cc.send(new PutFileCommand({ repositoryName, branchName, filePath, fileContent: text(content), parentCommitId }))).commitId!;
  };
  const branch = (branchName: string, commitId: string) => cc.send(new CreateBranchCommand({ repositoryName, branchName, commitId }));
  const tip = async (branchName: string) => (await cc.send(new GetBranchCommand({ repositoryName, branchName }))).branch!.commitId!;
  const file = async (commitSpecifier: string, filePath: string) => decode((await cc.send(new GetFileCommand({ repositoryName, commitSpecifier, filePath }))).fileContent);

  beforeAll(async () => {
    sw = await startSlipway({ services: rec.services });
    cc = new CodeCommitClient(sdkConfig(sw.url));
    await cc.send(new CreateRepositoryCommand({ repositoryName }));
    base = (await cc.send(new PutFileCommand({ repositoryName, branchName: 'main', filePath: 'app.txt', fileContent: text('one\ntwo\nthree\nfour\nfive\n') }))).commitId!;
  });
  afterAll(() => sw.close());

  it('fast-forwards when the destination is behind, and refuses when the branches diverged', async () => {
    await branch('ff', base);
    const ahead = await put('ff', 'new.txt', 'new\n');
    const options = await cc.send(new GetMergeOptionsCommand({ repositoryName, sourceCommitSpecifier: 'ff', destinationCommitSpecifier: 'main' }));
    expect(options.mergeOptions).toEqual(['FAST_FORWARD_MERGE', 'SQUASH_MERGE', 'THREE_WAY_MERGE']);
    expect(options.baseCommitId).toBe(base);
    const merged = await cc.send(new MergeBranchesByFastForwardCommand({ repositoryName, sourceCommitSpecifier: 'ff', destinationCommitSpecifier: 'main' }));
    expect(merged.commitId).toBe(ahead);
    expect(await tip('main')).toBe(ahead);
    await put('ff', 'ff.txt', 'ff only\n');
    await put('main', 'main.txt', 'main only\n');
    await expect(cc.send(new MergeBranchesByFastForwardCommand({ repositoryName, sourceCommitSpecifier: 'ff', destinationCommitSpecifier: 'main' }))).rejects.toMatchObject({
      name: 'ManualMergeRequiredException',
      message: 'The pull request cannot be merged automatically into the destination branch. You must manually merge the branches and resolve any conflicts.',
    });
  });

  it('merges diverged branches three-way and by squash, with git line merging', async () => {
    const mainBefore = await tip('main');
    const merged = await cc.send(new MergeBranchesByThreeWayCommand({ repositoryName, sourceCommitSpecifier: 'ff', destinationCommitSpecifier: 'main', commitMessage: 'merge ff', authorName: 'Merger', email: 'merge@example.com' }));
    const commit = (await cc.send(new GetCommitCommand({ repositoryName, commitId: merged.commitId }))).commit!;
    expect(commit.parents).toEqual([mainBefore, await tip('ff')]);
    expect(commit.message).toBe('merge ff\n');
    expect(await tip('main')).toBe(merged.commitId);
    expect(await file('main', 'ff.txt')).toBe('ff only\n');

    await branch('lines-a', merged.commitId!);
    await put('lines-a', 'app.txt', 'ONE\ntwo\nthree\nfour\nfive\n');
    await put('main', 'app.txt', 'one\ntwo\nthree\nfour\nFIVE\n');
    const before = await tip('main');
    const squash = await cc.send(new MergeBranchesBySquashCommand({ repositoryName, sourceCommitSpecifier: 'lines-a', destinationCommitSpecifier: 'main', targetBranch: 'main' }));
    expect((await cc.send(new GetCommitCommand({ repositoryName, commitId: squash.commitId }))).commit?.parents).toEqual([before]);
    expect(await file('main', 'app.txt')).toBe('ONE\ntwo\nthree\nfour\nFIVE\n');
    await sw.slipway.settled();
    expect(named(rec.events, 'referenceUpdated').at(-1)?.detail).toMatchObject({ referenceName: 'main', commitId: squash.commitId, mergeOption: 'SQUASH_MERGE', destinationCommitId: before, conflictDetailsLevel: 'LINE_LEVEL' });
  });

  it('finds and describes conflicts, and resolves them by strategy or by explicit content', async () => {
    const start = await tip('main');
    await branch('left', start);
    await branch('right', start);
    await put('left', 'app.txt', 'ONE\ntwo\nleft\nfour\nFIVE\n');
    await put('right', 'app.txt', 'ONE\ntwo\nright\nfour\nFIVE\n');
    const conflicts = await cc.send(new GetMergeConflictsCommand({ repositoryName, sourceCommitSpecifier: 'left', destinationCommitSpecifier: 'right', mergeOption: 'THREE_WAY_MERGE' }));
    expect(conflicts.mergeable).toBe(false);
    expect(conflicts.baseCommitId).toBe(start);
    expect(conflicts.conflictMetadataList).toEqual([expect.objectContaining({
      filePath: 'app.txt', numberOfConflicts: 1, contentConflict: true, fileModeConflict: false, objectTypeConflict: false,
      mergeOperations: { source: 'M', destination: 'M' }, objectTypes: { source: 'FILE', destination: 'FILE', base: 'FILE' }, isBinaryFile: { source: false, destination: false, base: false },
    })]);
    const described = await cc.send(new DescribeMergeConflictsCommand({ repositoryName, sourceCommitSpecifier: 'left', destinationCommitSpecifier: 'right', mergeOption: 'THREE_WAY_MERGE', filePath: 'app.txt' }));
    expect(described.mergeHunks).toEqual([{
      isConflict: true,
      source: { startLine: 3, endLine: 3, hunkContent: 'left\n' },
      destination: { startLine: 3, endLine: 3, hunkContent: 'right\n' },
      base: { startLine: 3, endLine: 3, hunkContent: 'three\n' },
    }]);
    const batch = await cc.send(new BatchDescribeMergeConflictsCommand({ repositoryName, sourceCommitSpecifier: 'left', destinationCommitSpecifier: 'right', mergeOption: 'SQUASH_MERGE' }));
    expect(batch.conflicts?.map((c) => c.conflictMetadata?.filePath)).toEqual(['app.txt']);
    expect((await cc.send(new GetMergeOptionsCommand({ repositoryName, sourceCommitSpecifier: 'left', destinationCommitSpecifier: 'right' }))).mergeOptions).toEqual([]);

    await expect(cc.send(new MergeBranchesByThreeWayCommand({ repositoryName, sourceCommitSpecifier: 'left', destinationCommitSpecifier: 'right' }))).rejects.toMatchObject({ name: 'ManualMergeRequiredException' });
    expect(await file('right', 'app.txt')).toBe('ONE\ntwo\nright\nfour\nFIVE\n');

    await cc.send(new MergeBranchesBySquashCommand({ repositoryName, sourceCommitSpecifier: 'left', destinationCommitSpecifier: 'right', conflictResolutionStrategy: 'ACCEPT_SOURCE' }));
    expect(await file('right', 'app.txt')).toBe('ONE\ntwo\nleft\nfour\nFIVE\n');

    await branch('third', start);
    await put('third', 'app.txt', 'ONE\ntwo\nthird\nfour\nFIVE\n');
    const resolved = await cc.send(new MergeBranchesByThreeWayCommand({
      repositoryName, sourceCommitSpecifier: 'third', destinationCommitSpecifier: 'left',
      conflictResolution: { replaceContents: [{ filePath: 'app.txt', replacementType: 'USE_NEW_CONTENT', content: text('agreed\n') }] },
    }));
    expect(await file(resolved.commitId!, 'app.txt')).toBe('agreed\n');
    await expect(cc.send(new MergeBranchesByThreeWayCommand({
      repositoryName, sourceCommitSpecifier: 'third', destinationCommitSpecifier: 'main',
      conflictResolution: { replaceContents: [{ filePath: 'app.txt', replacementType: 'KEEP_BASE' }, { filePath: 'app.txt', replacementType: 'KEEP_SOURCE' }] },
    }))).rejects.toMatchObject({ name: 'MultipleConflictResolutionEntriesException' });
  });

  it('counts every file changed on both sides as a conflict at FILE_LEVEL detail', async () => {
    const start = await tip('main');
    await branch('fl-a', start);
    await branch('fl-b', start);
    await put('fl-a', 'app.txt', 'ONE\ntwo\nthree\nfour\nFIVE\nsix\n');
    await put('fl-b', 'app.txt', 'zero\nONE\ntwo\nthree\nfour\nFIVE\n');
    const line = await cc.send(new GetMergeConflictsCommand({ repositoryName, sourceCommitSpecifier: 'fl-a', destinationCommitSpecifier: 'fl-b', mergeOption: 'THREE_WAY_MERGE' }));
    expect(line.mergeable).toBe(true);
    const fileLevel = await cc.send(new GetMergeConflictsCommand({ repositoryName, sourceCommitSpecifier: 'fl-a', destinationCommitSpecifier: 'fl-b', mergeOption: 'THREE_WAY_MERGE', conflictDetailLevel: 'FILE_LEVEL' }));
    expect(fileLevel.mergeable).toBe(false);
    expect(fileLevel.conflictMetadataList?.map((c) => c.filePath)).toEqual(['app.txt']);
  });

  it('creates unreferenced merge commits without moving any branch', async () => {
    const left = await tip('fl-a');
    const right = await tip('fl-b');
    const made = await cc.send(new CreateUnreferencedMergeCommitCommand({ repositoryName, sourceCommitSpecifier: 'fl-a', destinationCommitSpecifier: 'fl-b', mergeOption: 'THREE_WAY_MERGE' }));
    expect(await file(made.commitId!, 'app.txt')).toBe('zero\nONE\ntwo\nthree\nfour\nFIVE\nsix\n');
    expect([await tip('fl-a'), await tip('fl-b')]).toEqual([left, right]);
    const mergedInfo = await cc.send(new GetMergeCommitCommand({ repositoryName, sourceCommitSpecifier: 'ff', destinationCommitSpecifier: 'main' }));
    expect(mergedInfo.mergedCommitId).toMatch(/^[0-9a-f]{40}$/);
    await sw.slipway.settled();
    expect(named(rec.events, 'unreferencedMergeCommitCreated')[0].detail).toMatchObject({ commitId: made.commitId, sourceCommitId: left, destinationCommitId: right, mergeOption: 'THREE_WAY_MERGE' });
  });
});
