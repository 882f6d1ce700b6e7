import { CodeCommitClient, CreatePullRequestApprovalRuleCommand, MergePullRequestByFastForwardCommand, UpdatePullRequestApprovalStateCommand } from '@aws-sdk/client-codecommit';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { awsEnv, sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { git, gitOk, helperOnPath, named, recorders, workdir } from './support.js';

/** The seed's CodeCommit flow, unchanged but for the endpoint: the aws CLI and the real git client. */
describe('the seed flow: create, clone, branch, push, pull request, approve, merge', () => {
  const rec = recorders();
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let reviewer: ReturnType<typeof awsCli>;
  let reviewerArn: string;
  let sdk: CodeCommitClient;

  beforeAll(async () => {
    sw = await startSlipway({ services: rec.services });
    cli = awsCli(sw.env);
    sdk = new CodeCommitClient(sdkConfig(sw.url));
    const iam = new IAMClient(sdkConfig(sw.url));
    reviewerArn = (await iam.send(new CreateUserCommand({ UserName: 'reviewer' }))).User!.Arn!;
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'reviewer' }))).AccessKey!;
    reviewer = awsCli(awsEnv(sw.url, { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey }));
  });
  afterAll(() => sw.close());

  it('runs end to end over HTTP, with AWS events for every step', async () => {
    const created = await cli('codecommit', 'create-repository', '--repository-name', 'my-repo', '--repository-description', 'seed');
    expect(created.code, created.stderr).toBe(0);
    const meta = created.json<{ repositoryMetadata: { cloneUrlHttp: string; repositoryId: string; Arn: string } }>().repositoryMetadata;
    expect(meta.cloneUrlHttp).toBe(`${sw.url}/v1/repos/my-repo`);
    expect(meta.Arn).toBe('arn:aws:codecommit:us-east-1:000000000000:my-repo');

    const root = workdir(sw.dataDir, 'client');
    const clone = await git(root, ['clone', meta.cloneUrlHttp]);
    expect(clone.stderr).toContain('You appear to have cloned an empty repository.');
    const work = join(root, 'my-repo');
    await gitOk(work, ['checkout', '-b', 'main']);
    writeFileSync(join(work, 'README.md'), '# my-repo\n');
    await gitOk(work, ['add', '.']);
    await gitOk(work, ['commit', '-m', 'Initial commit']);
    await gitOk(work, ['push', '-u', 'origin', 'main']);
    const mainTip = await gitOk(work, ['rev-parse', 'HEAD']);

    // The seed's commands.
    await gitOk(work, ['checkout', '-b', 'feature/new-feature']);
    writeFileSync(join(work, 'feature.txt'), 'a new feature\n');
    await gitOk(work, ['add', 'feature.txt']);
    await gitOk(work, ['commit', '-m', 'Add feature']);
    const push = await git(work, ['push', '-u', 'origin', 'feature/new-feature']);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain('* [new branch]      feature/new-feature -> feature/new-feature');
    const featureTip = await gitOk(work, ['rev-parse', 'HEAD']);

    const branch = await cli('codecommit', 'get-branch', '--repository-name', 'my-repo', '--branch-name', 'feature/new-feature');
    expect(branch.json()).toEqual({ branch: { branchName: 'feature/new-feature', commitId: featureTip } });

    const pr = await cli('codecommit', 'create-pull-request', '--title', 'Add feature', '--targets', 'repositoryName=my-repo,sourceReference=feature/new-feature,destinationReference=main');
    expect(pr.code, pr.stderr).toBe(0);
    const pull = pr.json<{ pullRequest: { pullRequestId: string; revisionId: string; pullRequestStatus: string; pullRequestTargets: Record<string, unknown>[] } }>().pullRequest;
    expect(pull.pullRequestId).toBe('1');
    expect(pull.pullRequestStatus).toBe('OPEN');
    expect(pull.pullRequestTargets[0]).toMatchObject({ sourceReference: 'refs/heads/feature/new-feature', destinationReference: 'refs/heads/main', sourceCommit: featureTip, destinationCommit: mainTip, mergeBase: mainTip });

    // An approval rule makes the approval count: merging before it is refused.
    const rule = JSON.stringify({ Version: '2018-11-08', Statements: [{ Type: 'Approvers', NumberOfApprovalsNeeded: 1, ApprovalPoolMembers: ['CodeCommitApprovers:000000000000:reviewer'] }] });
    await sdk.send(new CreatePullRequestApprovalRuleCommand({ pullRequestId: '1', approvalRuleName: 'one-reviewer', approvalRuleContent: rule }));
    await expect(sdk.send(new MergePullRequestByFastForwardCommand({ pullRequestId: '1', repositoryName: 'my-repo' }))).rejects.toMatchObject({ name: 'PullRequestApprovalRulesNotSatisfiedException' });
    await expect(sdk.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId: '1', revisionId: pull.revisionId, approvalState: 'APPROVE' }))).rejects.toMatchObject({
      name: 'PullRequestCannotBeApprovedByAuthorException',
    });

    const approve = await reviewer('codecommit', 'update-pull-request-approval-state', '--pull-request-id', '1', '--revision-id', pull.revisionId, '--approval-state', 'APPROVE');
    expect(approve.code, approve.stderr).toBe(0);

    const merged = await cli('codecommit', 'merge-pull-request-by-fast-forward', '--pull-request-id', '1', '--repository-name', 'my-repo');
    expect(merged.code, merged.stderr).toBe(0);
    const after = merged.json<{ pullRequest: { pullRequestStatus: string; pullRequestTargets: { mergeMetadata: Record<string, unknown> }[] } }>().pullRequest;
    expect(after.pullRequestStatus).toBe('CLOSED');
    expect(after.pullRequestTargets[0].mergeMetadata).toEqual({ isMerged: true, mergedBy: 'arn:aws:iam::000000000000:root', mergeCommitId: featureTip, mergeOption: 'FAST_FORWARD_MERGE' });

    // main moved on the server: a fresh fetch sees the feature on main.
    await gitOk(work, ['fetch', 'origin']);
    expect(await gitOk(work, ['rev-parse', 'origin/main'])).toBe(featureTip);

    await sw.slipway.settled();
    const repoEvents = rec.events.filter((e) => e.detailType === 'CodeCommit Repository State Change');
    expect(repoEvents.every((e) => e.source === 'aws.codecommit' && e.resources[0] === meta.Arn)).toBe(true);
    expect(named(rec.events, 'referenceCreated').map((e) => e.detail)).toEqual([
      expect.objectContaining({ referenceName: 'main', referenceFullName: 'refs/heads/main', referenceType: 'branch', commitId: mainTip, repositoryName: 'my-repo', repositoryId: meta.repositoryId, callerUserArn: 'arn:aws:iam::000000000000:root' }),
      expect.objectContaining({ referenceName: 'feature/new-feature', referenceFullName: 'refs/heads/feature/new-feature', commitId: featureTip }),
    ]);
    expect(named(rec.events, 'referenceUpdated').map((e) => e.detail)).toEqual([
      expect.objectContaining({ referenceName: 'main', commitId: featureTip, oldCommitId: mainTip, mergeOption: 'FAST_FORWARD_MERGE', sourceCommitId: featureTip, destinationCommitId: mainTip, baseCommitId: mainTip }),
    ]);
    const prEvents = rec.events.filter((e) => e.detailType === 'CodeCommit Pull Request State Change').map((e) => e.detail.event);
    expect(prEvents).toEqual(['pullRequestCreated', 'pullRequestApprovalRuleCreated', 'pullRequestApprovalStateChanged', 'pullRequestMergeStatusUpdated']);
    expect(named(rec.events, 'pullRequestApprovalStateChanged')[0].detail).toMatchObject({ approvalStatus: 'APPROVE', callerUserArn: reviewerArn, pullRequestId: '1' });
    expect(named(rec.events, 'pullRequestMergeStatusUpdated')[0].detail).toMatchObject({ isMerged: 'True', pullRequestStatus: 'Closed', mergeOption: 'FAST_FORWARD_MERGE', sourceReference: 'refs/heads/feature/new-feature', destinationReference: 'refs/heads/main', repositoryNames: ['my-repo'] });
  });

  it('clones and pushes through codecommit:// URLs with the git-remote-codecommit helper on PATH', async () => {
    const env = { ...sw.env, PATH: `${helperOnPath(sw.dataDir)}:${process.env.PATH}` };
    const root = workdir(sw.dataDir, 'helper');
    await gitOk(root, ['clone', 'codecommit://my-repo'], env);
    expect(readFileSync(join(root, 'my-repo', 'feature.txt'), 'utf8')).toBe('a new feature\n');
    await gitOk(root, ['clone', 'codecommit::us-east-1://my-repo', 'regional'], env);
    const work = join(root, 'regional');
    expect(await gitOk(work, ['remote', 'get-url', 'origin'], env)).toBe('codecommit::us-east-1://my-repo');
    writeFileSync(join(work, 'more.txt'), 'more\n');
    await gitOk(work, ['add', 'more.txt'], env);
    await gitOk(work, ['commit', '-m', 'More'], env);
    const before = rec.events.length;
    await gitOk(work, ['push'], env);
    const tip = await gitOk(work, ['rev-parse', 'HEAD'], env);
    await sw.slipway.settled();
    expect(rec.events.slice(before).map((e) => e.detail)).toEqual([expect.objectContaining({ event: 'referenceUpdated', referenceName: 'main', commitId: tip })]);

    // A profile named in the URL is read from the AWS config files.
    const config = join(root, 'aws-config');
    writeFileSync(config, '[profile dev]\nregion = us-east-1\n');
    await gitOk(root, ['clone', 'codecommit://dev@my-repo', 'profiled'], { ...env, AWS_CONFIG_FILE: config });
    expect(existsSync(join(root, 'profiled', 'more.txt'))).toBe(true);

    const missing = await git(root, ['clone', 'codecommit://no-such-repo'], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('RepositoryDoesNotExistException: no-such-repo does not exist');
  });
});
