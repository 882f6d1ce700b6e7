import type { GitPullRequestFilter } from '../../../src/aws/models/generated/codepipeline.js';
import { describe, expect, it } from 'vitest';
import { gitChangeOf, triggerDetail } from '../../../src/services/codepipeline/git-triggers.js';
import { pullRequestMatches, pushMatches, type PullRequestEventType } from '../../../src/services/codepipeline/trigger-filters.js';

const repoEvent = (detail: Record<string, unknown>) => ({ detailType: 'CodeCommit Repository State Change', detail: { repositoryName: 'app', ...detail } });
const prEvent = (detail: Record<string, unknown>) => ({
  detailType: 'CodeCommit Pull Request State Change',
  detail: { repositoryNames: ['app'], pullRequestId: '7', destinationReference: 'refs/heads/main', sourceCommit: 'src1', destinationCommit: 'dst1', ...detail },
});

describe('gitChangeOf: CodeCommit events as trigger changes', () => {
  it.each([
    [repoEvent({ event: 'referenceCreated', referenceType: 'tag', referenceName: 'v1', commitId: 'c1' }), { kind: 'push', refType: 'tag', refName: 'v1', commit: 'c1' }],
    [repoEvent({ event: 'referenceUpdated', referenceType: 'branch', referenceName: 'main', commitId: 'c2', oldCommitId: 'c1' }), { kind: 'push', refType: 'branch', commit: 'c2', oldCommit: 'c1' }],
    [prEvent({ event: 'pullRequestCreated' }), { kind: 'pullRequest', event: 'OPEN', destinationBranch: 'main', sourceCommit: 'src1', pullRequestId: '7' }],
    [prEvent({ event: 'pullRequestSourceBranchUpdated' }), { event: 'UPDATED' }],
    [prEvent({ event: 'pullRequestStatusChanged', pullRequestStatus: 'Closed' }), { event: 'CLOSED' }],
    [prEvent({ event: 'pullRequestMergeStatusUpdated', isMerged: 'True' }), { event: 'CLOSED' }],
  ])('%# maps to a change', (event, expected) => {
    expect(gitChangeOf(event)).toMatchObject(expected);
  });

  it.each([
    repoEvent({ event: 'referenceDeleted', referenceType: 'tag', referenceName: 'v1', oldCommitId: 'c1' }),
    repoEvent({ event: 'unreferencedMergeCommitCreated', commitId: 'c1' }),
    prEvent({ event: 'pullRequestApprovalStateChanged' }),
    prEvent({ event: 'pullRequestMergeStatusUpdated', isMerged: 'False' }),
    { detailType: 'CodeCommit Comment on Pull Request', detail: { event: 'commentOnPullRequestCreated' } },
  ])('%# starts nothing', (event) => {
    expect(gitChangeOf(event)).toBeUndefined();
  });

  it('names the ref or pull request that fired', () => {
    expect(triggerDetail({ kind: 'push', repositoryName: 'app', refType: 'tag', refName: 'v1', commit: 'c' })).toBe('app:refs/tags/v1');
    expect(triggerDetail({ kind: 'pullRequest', repositoryName: 'app', event: 'OPEN', pullRequestId: '3', destinationBranch: 'main', sourceCommit: 's', destinationCommit: 'd' })).toBe('app:pull-request/3:OPEN');
  });
});

describe('trigger filters for tags and pull requests', () => {
  it.each([
    [{ tags: { includes: ['v*'] } }, 'v1.0', true],
    [{ tags: { includes: ['v*'], excludes: ['v*-rc*'] } }, 'v2.0-rc1', false],
    [{ tags: { includes: ['release/**'] } }, 'release/2026/11', true],
    [{ branches: { includes: ['main'] } }, 'v1.0', false],
  ])('push filter %j on tag %s: %s', (filter, tag, expected) => {
    expect(pushMatches(filter, { type: 'tag', name: tag })).toBe(expected);
  });

  it.each<[GitPullRequestFilter, PullRequestEventType, string, string[] | undefined, boolean]>([
    [{ events: ['OPEN'] }, 'OPEN', 'main', undefined, true],
    [{ events: ['OPEN'] }, 'CLOSED', 'main', undefined, false],
    [{}, 'UPDATED', 'dev', undefined, true],
    [{ branches: { includes: ['main', 'release/*'] } }, 'OPEN', 'release/1', undefined, true],
    [{ branches: { includes: ['main'] } }, 'OPEN', 'dev', undefined, false],
    [{ filePaths: { includes: ['src/**'] } }, 'OPEN', 'main', ['README.md'], false],
    [{ filePaths: { includes: ['src/**'] } }, 'OPEN', 'main', ['README.md', 'src/a/b.ts'], true],
    [{ filePaths: { excludes: ['**/*.md'] } }, 'OPEN', 'main', ['docs/x.md'], false],
  ])('pull request filter %j, %s into %s, files %j: %s', (filter, event, branch, files, expected) => {
    expect(pullRequestMatches(filter, { event, destinationBranch: branch, files })).toBe(expected);
  });
});
