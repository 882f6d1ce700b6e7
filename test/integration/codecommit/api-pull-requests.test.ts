import {
  AssociateApprovalRuleTemplateWithRepositoryCommand, BatchAssociateApprovalRuleTemplateWithRepositoriesCommand, CodeCommitClient, CreateApprovalRuleTemplateCommand,
  CreateBranchCommand, CreatePullRequestCommand, CreateRepositoryCommand, DeleteApprovalRuleTemplateCommand, DeleteCommentContentCommand,
  DeletePullRequestApprovalRuleCommand, DescribePullRequestEventsCommand, DisassociateApprovalRuleTemplateFromRepositoryCommand, EvaluatePullRequestApprovalRulesCommand,
  GetApprovalRuleTemplateCommand, GetBranchCommand, GetCommentCommand, GetCommentReactionsCommand, GetCommentsForComparedCommitCommand, GetCommentsForPullRequestCommand,
  GetPullRequestApprovalStatesCommand, GetPullRequestCommand, GetPullRequestOverrideStateCommand, ListApprovalRuleTemplatesCommand,
  ListAssociatedApprovalRuleTemplatesForRepositoryCommand, ListPullRequestsCommand, ListRepositoriesForApprovalRuleTemplateCommand, MergePullRequestByThreeWayCommand,
  OverridePullRequestApprovalRulesCommand, PostCommentForComparedCommitCommand, PostCommentForPullRequestCommand, PostCommentReplyCommand, PutCommentReactionCommand,
  PutFileCommand, UpdateApprovalRuleTemplateContentCommand, UpdateCommentCommand, UpdatePullRequestApprovalStateCommand, UpdatePullRequestDescriptionCommand,
  UpdatePullRequestStatusCommand, UpdatePullRequestTitleCommand,
} from '@aws-sdk/client-codecommit';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { gitOk, named, recorders, workdir } from './support.js';

const text = (s: string) => new TextEncoder().encode(s);
const repositoryName = 'reviews';
const rule = (n: number, pool?: string[]) => JSON.stringify({ Version: '2018-11-08', Statements: [{ Type: 'Approvers', NumberOfApprovalsNeeded: n, ...(pool ? { ApprovalPoolMembers: pool } : {}) }] });

describe('pull requests through the API: approval rules and templates, approvals, overrides, merges and comments', () => {
  const rec = recorders();
  let sw: TestSlipway;
  let author: CodeCommitClient;
  let alice: CodeCommitClient;
  let bob: CodeCommitClient;
  let aliceArn: string;

  const tip = async (branchName: string) => (await author.send(new GetBranchCommand({ repositoryName, branchName }))).branch!.commitId!;
  const put = async (branchName: string, filePath: string, content: string) =>
    (await author.send(new PutFileCommand({ repositoryName, branchName, filePath, fileContent: text(content), parentCommitId: await tip(branchName) }))).commitId!;
  const open = async (source: string, title = `from ${source}`) =>
    (await author.send(new CreatePullRequestCommand({ title, targets: [{ repositoryName, sourceReference: source, destinationReference: 'main' }] }))).pullRequest!;

  beforeAll(async () => {
    sw = await startSlipway({ services: rec.services });
    author = new CodeCommitClient(sdkConfig(sw.url));
    const iam = new IAMClient(sdkConfig(sw.url));
    const user = async (name: string) => {
      const arn = (await iam.send(new CreateUserCommand({ UserName: name }))).User!.Arn!;
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      return { arn, client: new CodeCommitClient({ ...sdkConfig(sw.url), credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } }) };
    };
    const a = await user('alice');
    aliceArn = a.arn;
    alice = a.client;
    bob = (await user('bob')).client;
    await author.send(new CreateRepositoryCommand({ repositoryName }));
    await author.send(new PutFileCommand({ repositoryName, branchName: 'main', filePath: 'README.md', fileContent: text('# reviews\n') }));
  });
  afterAll(() => sw.close());

  it('applies associated templates, counts approvals per revision, and merges only when the rules are met', async () => {
    const template = await author.send(new CreateApprovalRuleTemplateCommand({ approvalRuleTemplateName: 'two-for-main', approvalRuleTemplateContent: rule(2), approvalRuleTemplateDescription: 'two approvals' }));
    const withRefs = JSON.stringify({ Version: '2018-11-08', DestinationReferences: ['refs/heads/main'], Statements: [{ Type: 'Approvers', NumberOfApprovalsNeeded: 2, ApprovalPoolMembers: ['CodeCommitApprovers:000000000000:*'] }] });
    await author.send(new UpdateApprovalRuleTemplateContentCommand({ approvalRuleTemplateName: 'two-for-main', newRuleContent: withRefs, existingRuleContentSha256: template.approvalRuleTemplate!.ruleContentSha256 }));
    await expect(author.send(new CreateApprovalRuleTemplateCommand({ approvalRuleTemplateName: 'bad', approvalRuleTemplateContent: '{"Version":"2018-11-08"}' }))).rejects.toMatchObject({ name: 'InvalidApprovalRuleTemplateContentException' });
    await author.send(new AssociateApprovalRuleTemplateWithRepositoryCommand({ approvalRuleTemplateName: 'two-for-main', repositoryName }));
    expect((await author.send(new ListAssociatedApprovalRuleTemplatesForRepositoryCommand({ repositoryName }))).approvalRuleTemplateNames).toEqual(['two-for-main']);
    expect((await author.send(new ListRepositoriesForApprovalRuleTemplateCommand({ approvalRuleTemplateName: 'two-for-main' }))).repositoryNames).toEqual([repositoryName]);
    await expect(author.send(new DeleteApprovalRuleTemplateCommand({ approvalRuleTemplateName: 'two-for-main' }))).rejects.toMatchObject({ name: 'ApprovalRuleTemplateInUseException' });

    await author.send(new CreateBranchCommand({ repositoryName, branchName: 'feature', commitId: await tip('main') }));
    await put('feature', 'feature.txt', 'v1\n');
    const pr = await open('feature', 'Feature');
    expect(pr.approvalRules).toEqual([expect.objectContaining({ approvalRuleName: 'two-for-main', originApprovalRuleTemplate: { approvalRuleTemplateId: template.approvalRuleTemplate!.approvalRuleTemplateId, approvalRuleTemplateName: 'two-for-main' } })]);
    await expect(author.send(new DeletePullRequestApprovalRuleCommand({ pullRequestId: pr.pullRequestId, approvalRuleName: 'two-for-main' }))).rejects.toMatchObject({ name: 'CannotDeleteApprovalRuleFromTemplateException' });

    await alice.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId: pr.pullRequestId, revisionId: pr.revisionId, approvalState: 'APPROVE' }));
    const evaluate = async (revisionId: string) => (await author.send(new EvaluatePullRequestApprovalRulesCommand({ pullRequestId: pr.pullRequestId, revisionId }))).evaluation;
    expect(await evaluate(pr.revisionId!)).toEqual({ approved: false, overridden: false, approvalRulesSatisfied: [], approvalRulesNotSatisfied: ['two-for-main'] });

    // A push to the source branch is a new revision: earlier approvals no longer count.
    await put('feature', 'feature.txt', 'v2\n');
    const updated = (await author.send(new GetPullRequestCommand({ pullRequestId: pr.pullRequestId }))).pullRequest!;
    expect(updated.revisionId).not.toBe(pr.revisionId);
    await expect(bob.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId: pr.pullRequestId, revisionId: pr.revisionId, approvalState: 'APPROVE' }))).rejects.toMatchObject({ name: 'RevisionNotCurrentException' });
    await alice.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId: pr.pullRequestId, revisionId: updated.revisionId, approvalState: 'APPROVE' }));
    await expect(author.send(new MergePullRequestByThreeWayCommand({ pullRequestId: pr.pullRequestId, repositoryName }))).rejects.toMatchObject({ name: 'PullRequestApprovalRulesNotSatisfiedException' });
    await bob.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId: pr.pullRequestId, revisionId: updated.revisionId, approvalState: 'APPROVE' }));
    expect((await evaluate(updated.revisionId!))?.approved).toBe(true);
    const states = await author.send(new GetPullRequestApprovalStatesCommand({ pullRequestId: pr.pullRequestId, revisionId: updated.revisionId }));
    expect(states.approvals?.map((a) => a.approvalState)).toEqual(['APPROVE', 'APPROVE']);

    await expect(author.send(new MergePullRequestByThreeWayCommand({ pullRequestId: pr.pullRequestId, repositoryName, sourceCommitId: pr.pullRequestTargets![0].sourceCommit }))).rejects.toMatchObject({ name: 'TipOfSourceReferenceIsDifferentException' });
    await put('main', 'other.txt', 'main moved\n');
    const merged = (await author.send(new MergePullRequestByThreeWayCommand({ pullRequestId: pr.pullRequestId, repositoryName, commitMessage: 'Merge feature' }))).pullRequest!;
    expect(merged.pullRequestStatus).toBe('CLOSED');
    expect(merged.pullRequestTargets![0].mergeMetadata).toMatchObject({ isMerged: true, mergeOption: 'THREE_WAY_MERGE', mergeCommitId: await tip('main') });

    const history = (await author.send(new DescribePullRequestEventsCommand({ pullRequestId: pr.pullRequestId }))).pullRequestEvents!;
    expect(history.map((e) => e.pullRequestEventType)).toEqual([
      'PULL_REQUEST_CREATED', 'PULL_REQUEST_APPROVAL_STATE_CHANGED', 'PULL_REQUEST_SOURCE_REFERENCE_UPDATED',
      'PULL_REQUEST_APPROVAL_STATE_CHANGED', 'PULL_REQUEST_APPROVAL_STATE_CHANGED', 'PULL_REQUEST_MERGE_STATE_CHANGED',
    ]);
    expect(history[1].actorArn).toBe(aliceArn);
    await author.send(new DisassociateApprovalRuleTemplateFromRepositoryCommand({ approvalRuleTemplateName: 'two-for-main', repositoryName }));
    expect((await author.send(new DeleteApprovalRuleTemplateCommand({ approvalRuleTemplateName: 'two-for-main' }))).approvalRuleTemplateId).toBe(template.approvalRuleTemplate!.approvalRuleTemplateId);
  });

  it('overrides approval rules, updates and closes pull requests, and follows merges made with git', async () => {
    await author.send(new CreateApprovalRuleTemplateCommand({ approvalRuleTemplateName: 'one', approvalRuleTemplateContent: rule(1) }));
    const batch = await author.send(new BatchAssociateApprovalRuleTemplateWithRepositoriesCommand({ approvalRuleTemplateName: 'one', repositoryNames: [repositoryName, 'nope'] }));
    expect(batch.associatedRepositoryNames).toEqual([repositoryName]);
    expect(batch.errors).toEqual([{ repositoryName: 'nope', errorCode: 'RepositoryDoesNotExistException', errorMessage: 'nope does not exist' }]);
    expect((await author.send(new ListApprovalRuleTemplatesCommand({}))).approvalRuleTemplateNames).toEqual(['one']);
    expect((await author.send(new GetApprovalRuleTemplateCommand({ approvalRuleTemplateName: 'one' }))).approvalRuleTemplate?.approvalRuleTemplateContent).toBe(rule(1));

    await author.send(new CreateBranchCommand({ repositoryName, branchName: 'fix', commitId: await tip('main') }));
    await put('fix', 'fix.txt', 'fix\n');
    const pr = await open('fix');
    await author.send(new UpdatePullRequestTitleCommand({ pullRequestId: pr.pullRequestId, title: 'Fix it' }));
    await author.send(new UpdatePullRequestDescriptionCommand({ pullRequestId: pr.pullRequestId, description: 'details' }));
    await author.send(new OverridePullRequestApprovalRulesCommand({ pullRequestId: pr.pullRequestId, revisionId: pr.revisionId, overrideStatus: 'OVERRIDE' }));
    await expect(author.send(new OverridePullRequestApprovalRulesCommand({ pullRequestId: pr.pullRequestId, revisionId: pr.revisionId, overrideStatus: 'OVERRIDE' }))).rejects.toMatchObject({ name: 'OverrideAlreadySetException' });
    expect(await author.send(new GetPullRequestOverrideStateCommand({ pullRequestId: pr.pullRequestId, revisionId: pr.revisionId }))).toMatchObject({ overridden: true, overrider: 'arn:aws:iam::000000000000:root' });
    expect((await author.send(new EvaluatePullRequestApprovalRulesCommand({ pullRequestId: pr.pullRequestId, revisionId: pr.revisionId }))).evaluation).toMatchObject({ approved: true, overridden: true });

    // The source merged into main with plain git: the pull request is merged and closed.
    const dir = workdir(sw.dataDir, 'git-merge');
    await gitOk(sw.dataDir, ['clone', '-q', `${sw.url}/v1/repos/${repositoryName}`, dir]);
    await gitOk(dir, ['merge', '-q', '--no-ff', '-m', 'merge fix', 'origin/fix']);
    await gitOk(dir, ['push', '-q', 'origin', 'main']);
    const got = (await author.send(new GetPullRequestCommand({ pullRequestId: pr.pullRequestId }))).pullRequest!;
    expect(got).toMatchObject({ title: 'Fix it', description: 'details', pullRequestStatus: 'CLOSED' });
    expect(got.pullRequestTargets![0].mergeMetadata).toMatchObject({ isMerged: true, mergeCommitId: await tip('main') });

    await author.send(new CreateBranchCommand({ repositoryName, branchName: 'abandoned', commitId: await tip('main') }));
    await put('abandoned', 'x.txt', 'x\n');
    const closing = await open('abandoned');
    await author.send(new UpdatePullRequestStatusCommand({ pullRequestId: closing.pullRequestId, pullRequestStatus: 'CLOSED' }));
    await expect(author.send(new UpdatePullRequestStatusCommand({ pullRequestId: closing.pullRequestId, pullRequestStatus: 'OPEN' }))).rejects.toMatchObject({ name: 'InvalidPullRequestStatusUpdateException' });
    await expect(author.send(new UpdatePullRequestTitleCommand({ pullRequestId: closing.pullRequestId, title: 'late' }))).rejects.toMatchObject({ name: 'PullRequestAlreadyClosedException' });
    const ids = async (input: object) => (await author.send(new ListPullRequestsCommand({ repositoryName, ...input }))).pullRequestIds;
    expect(await ids({})).toEqual([closing.pullRequestId, pr.pullRequestId, '1']);
    expect(await ids({ pullRequestStatus: 'OPEN' })).toEqual([]);
    expect(await ids({ authorArn: aliceArn })).toEqual([]);

    await expect(open('main')).rejects.toMatchObject({ name: 'SourceAndDestinationAreSameException' });
    await expect(open('no-such-branch')).rejects.toMatchObject({ name: 'ReferenceDoesNotExistException' });
    await expect(author.send(new GetPullRequestCommand({ pullRequestId: '999' }))).rejects.toMatchObject({ name: 'PullRequestDoesNotExistException' });
    await expect(author.send(new GetPullRequestCommand({ pullRequestId: 'abc' }))).rejects.toMatchObject({ name: 'InvalidPullRequestIdException' });
    const first = await author.send(new CreatePullRequestCommand({ title: 'same', clientRequestToken: 'tok-1', targets: [{ repositoryName, sourceReference: 'abandoned' }] }));
    const again = await author.send(new CreatePullRequestCommand({ title: 'same', clientRequestToken: 'tok-1', targets: [{ repositoryName, sourceReference: 'abandoned' }] }));
    expect(again.pullRequest?.pullRequestId).toBe(first.pullRequest?.pullRequestId);
    await expect(author.send(new CreatePullRequestCommand({ title: 'other', clientRequestToken: 'tok-1', targets: [{ repositoryName, sourceReference: 'abandoned' }] }))).rejects.toMatchObject({ name: 'IdempotencyParameterMismatchException' });
  });

  it('keeps comments on pull requests and commits, with replies, edits and reactions', async () => {
    const pr = (await author.send(new GetPullRequestCommand({ pullRequestId: '1' }))).pullRequest!;
    const target = pr.pullRequestTargets![0];
    const posted = await alice.send(new PostCommentForPullRequestCommand({
      pullRequestId: '1', repositoryName, beforeCommitId: target.mergeBase, afterCommitId: target.sourceCommit, content: 'Looks good',
      location: { filePath: 'feature.txt', filePosition: 1, relativeFileVersion: 'AFTER' },
    }));
    expect(posted.afterBlobId).toMatch(/^[0-9a-f]{40}$/);
    expect(posted.beforeBlobId).toBeUndefined();
    const commentId = posted.comment!.commentId!;
    await author.send(new PostCommentReplyCommand({ inReplyTo: commentId, content: 'Thanks' }));
    await expect(author.send(new UpdateCommentCommand({ commentId, content: 'hijack' }))).rejects.toMatchObject({ name: 'CommentNotCreatedByCallerException' });
    await alice.send(new UpdateCommentCommand({ commentId, content: 'Looks great' }));
    await author.send(new PutCommentReactionCommand({ commentId, reactionValue: ':thumbsup:' }));
    await bob.send(new PutCommentReactionCommand({ commentId, reactionValue: '👍' }));
    await expect(bob.send(new PutCommentReactionCommand({ commentId, reactionValue: ':not-a-reaction:' }))).rejects.toMatchObject({ name: 'InvalidReactionValueException' });
    const reactions = await author.send(new GetCommentReactionsCommand({ commentId }));
    expect(reactions.reactionsForComment).toEqual([{ reaction: { emoji: '👍', shortCode: ':thumbsup:', unicode: 'U+1F44D' }, reactionUsers: ['arn:aws:iam::000000000000:root', expect.stringContaining(':user/bob')], reactionsFromDeletedUsersCount: 0 }]);
    const threads = (await author.send(new GetCommentsForPullRequestCommand({ pullRequestId: '1' }))).commentsForPullRequestData!;
    expect(threads).toHaveLength(1);
    expect(threads[0].comments?.map((c) => c.content)).toEqual(['Looks great', 'Thanks']);
    expect(threads[0].location).toEqual({ filePath: 'feature.txt', filePosition: 1, relativeFileVersion: 'AFTER' });
    await alice.send(new DeleteCommentContentCommand({ commentId }));
    await expect(author.send(new GetCommentCommand({ commentId }))).rejects.toMatchObject({ name: 'CommentDeletedException' });
    await expect(alice.send(new PostCommentForPullRequestCommand({ pullRequestId: '1', repositoryName, beforeCommitId: target.mergeBase, afterCommitId: target.sourceCommit, content: 'x', location: { filePath: 'nope.txt' } }))).rejects.toMatchObject({ name: 'PathDoesNotExistException' });

    const main = await tip('main');
    await author.send(new PostCommentForComparedCommitCommand({ repositoryName, afterCommitId: main, content: 'nice commit' }));
    const onCommit = await author.send(new GetCommentsForComparedCommitCommand({ repositoryName, afterCommitId: main }));
    expect(onCommit.commentsForComparedCommitData?.[0].comments?.[0].content).toBe('nice commit');

    await sw.slipway.settled();
    expect(named(rec.events, 'commentOnPullRequestCreated').map((e) => e.detail)).toEqual([
      expect.objectContaining({ pullRequestId: '1', commentId, callerUserArn: aliceArn, repositoryName }),
      expect.objectContaining({ inReplyTo: commentId, callerUserArn: 'arn:aws:iam::000000000000:root' }),
    ]);
    expect(named(rec.events, 'commentOnPullRequestUpdated')).toHaveLength(1);
    expect(named(rec.events, 'commentOnCommitCreated')[0].detailType).toBe('CodeCommit Comment on Commit');
  });

  it('writes through git to a pull request\'s source branch', async () => {
    await author.send(new CreateBranchCommand({ repositoryName, branchName: 'via-git', commitId: await tip('main') }));
    const pr = await open('via-git');
    const dir = workdir(sw.dataDir, 'via-git');
    await gitOk(sw.dataDir, ['clone', '-q', '-b', 'via-git', `${sw.url}/v1/repos/${repositoryName}`, dir]);
    writeFileSync(join(dir, 'g.txt'), 'g\n');
    await gitOk(dir, ['add', '.']);
    await gitOk(dir, ['commit', '-qm', 'g']);
    await gitOk(dir, ['push', '-q']);
    const now = (await author.send(new GetPullRequestCommand({ pullRequestId: pr.pullRequestId }))).pullRequest!;
    expect(now.pullRequestTargets![0].sourceCommit).toBe(await tip('via-git'));
    expect(now.revisionId).not.toBe(pr.revisionId);
    await sw.slipway.settled();
    expect(named(rec.events, 'pullRequestSourceBranchUpdated').at(-1)?.detail).toMatchObject({ pullRequestId: pr.pullRequestId, sourceCommit: await tip('via-git') });
  });
});
