import { createHash } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { Target } from '../../aws/models/generated/codecommit.js';
import { uuid } from '../../core/ids.js';
import { parseRuleContent, templateApplies } from './approval-rules.js';
import { repoFor } from './access.js';
import type { CodeCommit, Ops } from './context.js';
import type { MergeOption } from './merge.js';
import { mergeInto, type MergeRequest } from './merging.js';
import { mergeBase, resolveCommit } from './objects.js';
import { newRevisionId, type PullRequests } from './pull-requests.js';
import type { ApprovalRuleRecord, PullRequestRecord, RepositoryRecord } from './store.js';
import { ccError, isValidRefName, pageOf, pageSize } from './validation.js';

const MAX_OPEN = 1000;

/** A branch reference of a pull request target: "main" or "refs/heads/main". */
async function branchRef(dir: string, name: string | undefined): Promise<{ ref: string; commit: string }> {
  if (!name) throw ccError('ReferenceNameRequiredException', 'A reference name is required, but none was provided.');
  if (name.startsWith('refs/') && !name.startsWith('refs/heads/')) throw ccError('ReferenceTypeNotSupportedException', `The specified reference is not a supported type: ${name}. Pull requests are between branches.`);
  const short = name.replace(/^refs\/heads\//, '');
  if (!isValidRefName(short)) throw ccError('InvalidReferenceNameException', `The specified reference name format is not valid: ${name}`);
  const commit = await resolveCommit(dir, `refs/heads/${short}`);
  if (!commit) throw ccError('ReferenceDoesNotExistException', `The specified reference does not exist: ${name}`);
  return { ref: `refs/heads/${short}`, commit };
}

function sameRequest(pr: PullRequestRecord, title: string, description: string | undefined, repo: RepositoryRecord, source: string, destination: string): boolean {
  return pr.title === title && pr.description === description && pr.repositoryId === repo.id && pr.sourceReference === source && pr.destinationReference === destination;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The approval rules templates associated with the repository add to a new pull request. */
function templateRules(cc: CodeCommit, ctx: RequestContext, repo: RepositoryRecord, destinationRef: string, caller: string): ApprovalRuleRecord[] {
  const now = cc.deps.clock.now();
  return cc.store.templates
    .list(ctx)
    .filter((t) => t.repositoryIds.includes(repo.id))
    .filter((t) => {
      const content = parseRuleContent(t.content);
      return content !== undefined && templateApplies(content, destinationRef);
    })
    .map((t) => ({ id: uuid(), name: t.name, content: t.content, sha256: t.sha256, creationDate: now, lastModifiedDate: now, lastModifiedUser: caller, template: { id: t.id, name: t.name } }));
}

export function pullRequestOperations(cc: CodeCommit, prs: PullRequests): Ops {
  const mergePullRequest = async (ctx: RequestContext, input: { pullRequestId: string; repositoryName: string; sourceCommitId?: string } & Partial<MergeRequest>, option: MergeOption) => {
    const pr = prs.getOpen(ctx, input.pullRequestId);
    const repo = prs.checkRepository(ctx, pr, input.repositoryName);
    const dir = cc.repos.dir(repo);
    const tip = await resolveCommit(dir, pr.sourceReference);
    if (!tip) throw ccError('ReferenceDoesNotExistException', `The source reference ${pr.sourceReference} of pull request ${pr.id} no longer exists.`);
    if (input.sourceCommitId && input.sourceCommitId !== tip) throw ccError('TipOfSourceReferenceIsDifferentException', `The tip of the source branch ${pr.sourceReference} is ${tip}, not ${input.sourceCommitId}. The pull request might have been updated.`);
    if (!prs.evaluate(pr).approved) throw ccError('PullRequestApprovalRulesNotSatisfiedException', `The pull request ${pr.id} cannot be merged because one or more approval rules applied to the pull request have conditions that have not been met.`);
    prs.expectMerge(ctx, pr.id, option);
    try {
      await mergeInto(cc, ctx, repo, { ...input, sourceCommitSpecifier: tip, destinationCommitSpecifier: pr.destinationReference, targetBranch: pr.destinationReference.slice(11), option });
    } finally {
      prs.forgetMerge(ctx, pr.id);
    }
    return { pullRequest: prs.view(ctx, prs.get(ctx, pr.id)) };
  };

  return {
    async CreatePullRequest(input, ctx) {
      if (!input.title) throw ccError('TitleRequiredException', 'A pull request title is required. It cannot be empty or null.');
      if (!input.targets?.length) throw ccError('TargetsRequiredException', 'An array of target objects is required. It cannot be empty or null.');
      if (input.targets.length > 1) throw ccError('MultipleRepositoriesInPullRequestException', 'You cannot include more than one repository in a pull request. Make sure you have specified only one repository name in your request, and then try again.');
      const target: Target = input.targets[0];
      const repo = repoFor(cc, ctx, target.repositoryName);
      const dir = cc.repos.dir(repo);
      const source = await branchRef(dir, target.sourceReference);
      if (!target.destinationReference && !repo.defaultBranch) throw ccError('ReferenceNameRequiredException', 'A destination reference is required: the repository has no default branch.');
      const destination = await branchRef(dir, target.destinationReference ?? repo.defaultBranch);
      if (source.ref === destination.ref) throw ccError('SourceAndDestinationAreSameException', 'The source branch and destination branch for the pull request are the same. You must specify different branches for the source and destination.');
      const all = cc.store.pullRequests.list(ctx);
      if (input.clientRequestToken) {
        const earlier = all.find((p) => p.clientRequestToken === input.clientRequestToken);
        if (earlier && sameRequest(earlier, input.title, input.description, repo, source.ref, destination.ref)) return { pullRequest: prs.view(ctx, earlier) };
        if (earlier) throw ccError('IdempotencyParameterMismatchException', 'The client request token is not valid. The token has been used in a previous request with different parameters and cannot be reused.');
      }
      if (all.filter((p) => p.repositoryId === repo.id && p.status === 'OPEN').length >= MAX_OPEN) throw ccError('MaximumOpenPullRequestsExceededException', `You cannot create the pull request because the repository has too many open pull requests (${MAX_OPEN}).`);
      const now = cc.deps.clock.now();
      const pr: PullRequestRecord = {
        id: String(cc.store.nextNumber(ctx, 'pull-request')),
        title: input.title,
        description: input.description,
        authorArn: ctx.principal.arn,
        clientRequestToken: input.clientRequestToken,
        status: 'OPEN',
        creationDate: now,
        lastActivityDate: now,
        revisionId: newRevisionId(),
        repositoryId: repo.id,
        sourceReference: source.ref,
        destinationReference: destination.ref,
        sourceCommit: source.commit,
        destinationCommit: destination.commit,
        mergeBase: await mergeBase(dir, source.commit, destination.commit),
        merge: { isMerged: false },
        approvalRules: templateRules(cc, ctx, repo, destination.ref, ctx.principal.arn),
        approvals: [],
        events: [],
      };
      prs.log(ctx, pr, 'PULL_REQUEST_CREATED', ctx.principal.arn, {
        pullRequestCreatedEventMetadata: { repositoryName: repo.name, sourceCommitId: pr.sourceCommit, destinationCommitId: pr.destinationCommit, mergeBase: pr.mergeBase },
      }, { event: 'pullRequestCreated' });
      prs.save(ctx, pr);
      return { pullRequest: prs.view(ctx, pr) };
    },

    async GetPullRequest(input, ctx) {
      return { pullRequest: prs.view(ctx, prs.get(ctx, input.pullRequestId)) };
    },

    async ListPullRequests(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      if (input.authorArn !== undefined && !/^arn:aws[\w-]*:(iam|sts)::\d{12}:.+$/.test(input.authorArn)) throw ccError('InvalidAuthorArnException', `The Amazon Resource Name (ARN) is not valid: ${input.authorArn}`);
      const matching = prs.listFor(ctx, repo).filter((p) => (!input.authorArn || p.authorArn === input.authorArn) && (!input.pullRequestStatus || p.status === input.pullRequestStatus));
      const page = pageOf(matching.map((p) => p.id), input.nextToken, pageSize(input.maxResults, 100, 100));
      return { pullRequestIds: page.items, nextToken: page.next };
    },

    async DescribePullRequestEvents(input, ctx) {
      const pr = prs.get(ctx, input.pullRequestId);
      const events = prs.events(pr).filter((e) => (!input.pullRequestEventType || e.pullRequestEventType === input.pullRequestEventType) && (!input.actorArn || e.actorArn === input.actorArn));
      const page = pageOf(events, input.nextToken, pageSize(input.maxResults, 100, 100));
      return { pullRequestEvents: page.items, nextToken: page.next };
    },

    async UpdatePullRequestTitle(input, ctx) {
      if (!input.title) throw ccError('TitleRequiredException', 'A pull request title is required. It cannot be empty or null.');
      const pr = prs.getOpen(ctx, input.pullRequestId);
      pr.title = input.title;
      pr.lastActivityDate = cc.deps.clock.now();
      prs.save(ctx, pr);
      return { pullRequest: prs.view(ctx, pr) };
    },

    async UpdatePullRequestDescription(input, ctx) {
      const pr = prs.getOpen(ctx, input.pullRequestId);
      pr.description = input.description;
      pr.lastActivityDate = cc.deps.clock.now();
      prs.save(ctx, pr);
      return { pullRequest: prs.view(ctx, pr) };
    },

    async UpdatePullRequestStatus(input, ctx) {
      const pr = prs.get(ctx, input.pullRequestId);
      if (pr.status === 'CLOSED' && input.pullRequestStatus === 'OPEN') throw ccError('InvalidPullRequestStatusUpdateException', 'The pull request status update is not valid. The only valid update is from OPEN to CLOSED.');
      if (pr.status !== input.pullRequestStatus) {
        pr.status = input.pullRequestStatus;
        prs.log(ctx, pr, 'PULL_REQUEST_STATUS_CHANGED', ctx.principal.arn, { pullRequestStatusChangedEventMetadata: { pullRequestStatus: pr.status } }, { event: 'pullRequestStatusChanged' });
        prs.save(ctx, pr);
      }
      return { pullRequest: prs.view(ctx, pr) };
    },

    MergePullRequestByFastForward: (input, ctx) => mergePullRequest(ctx, input, 'FAST_FORWARD_MERGE'),
    MergePullRequestBySquash: (input, ctx) => mergePullRequest(ctx, input, 'SQUASH_MERGE'),
    MergePullRequestByThreeWay: (input, ctx) => mergePullRequest(ctx, input, 'THREE_WAY_MERGE'),
  };
}
