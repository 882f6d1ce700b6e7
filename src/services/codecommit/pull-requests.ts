import { randomBytes } from 'node:crypto';
import type { Evaluation, PullRequest, PullRequestEvent } from '../../aws/models/generated/codecommit.js';
import type { Scope } from '../../core/scope.js';
import { parseRuleContent, ruleSatisfied } from './approval-rules.js';
import type { CodeCommit } from './context.js';
import { pullRequestEvent, type RefChange } from './events.js';
import type { MergeOption } from './merge.js';
import { isAncestor, mergeBase, resolveCommit } from './objects.js';
import { scope } from './repositories.js';
import { pullRequestKey, type ApprovalRuleRecord, type PullRequestRecord, type RepositoryRecord } from './store.js';
import { ccError } from './validation.js';

export function newRevisionId(): string {
  return randomBytes(32).toString('hex');
}

type EventType = NonNullable<PullRequestEvent['pullRequestEventType']>;

/**
 * Pull requests as an engine: their records, their activity log, the events they send,
 * approval evaluation, and how they follow their branches (a push to the source makes a
 * new revision; the source reaching the destination merges and closes them).
 */
export class PullRequests {
  private readonly expectedMerges = new Map<string, MergeOption>();

  constructor(private readonly cc: CodeCommit) {}

  get(s: Scope, id: string | undefined): PullRequestRecord {
    if (!id) throw ccError('PullRequestIdRequiredException', 'A pull request ID is required, but none was provided.');
    if (!/^\d{1,12}$/.test(id)) throw ccError('InvalidPullRequestIdException', `The pull request ID is not valid: ${id}. Make sure that you have provided the full ID and that the pull request is in the specified repository, and then try again.`);
    const pr = this.cc.store.pullRequests.get(s, pullRequestKey(id));
    if (!pr) throw ccError('PullRequestDoesNotExistException', `The pull request ID could not be found: ${id}. Make sure that you have specified the correct repository name and pull request ID, and then try again.`);
    return pr;
  }

  getOpen(s: Scope, id: string | undefined): PullRequestRecord {
    const pr = this.get(s, id);
    if (pr.status !== 'OPEN') throw ccError('PullRequestAlreadyClosedException', `The pull request status cannot be updated because it is already closed: ${pr.id}`);
    return pr;
  }

  save(s: Scope, pr: PullRequestRecord): void {
    this.cc.store.pullRequests.put(s, pullRequestKey(pr.id), pr);
  }

  repoOf(s: Scope, pr: PullRequestRecord): RepositoryRecord | undefined {
    return this.cc.repos.byId(s, pr.repositoryId);
  }

  checkRepository(s: Scope, pr: PullRequestRecord, repositoryName: string | undefined): RepositoryRecord {
    if (!repositoryName) throw ccError('RepositoryNameRequiredException', 'A repository name is required, but was not specified.');
    const repo = this.cc.repos.get(s, repositoryName);
    if (repo.id !== pr.repositoryId) throw ccError('RepositoryNotAssociatedWithPullRequestException', `The repository ${repositoryName} does not contain a pull request with the ID ${pr.id}.`);
    return repo;
  }

  /** Appends to the activity log (DescribePullRequestEvents) and sends the EventBridge event. */
  log(s: Scope, pr: PullRequestRecord, type: EventType, actorArn: string, metadata: Omit<PullRequestEvent, 'pullRequestId' | 'eventDate' | 'pullRequestEventType' | 'actorArn'>, bridge?: { event: string; extra?: Record<string, unknown> }): void {
    const now = this.cc.deps.clock.now();
    pr.events.push({ pullRequestId: pr.id, eventDate: now, pullRequestEventType: type, actorArn, ...metadata });
    pr.lastActivityDate = now;
    const repo = this.repoOf(s, pr);
    if (bridge && repo) this.cc.notifier.event(s, { ...pullRequestEvent(repo, pr, bridge.event, actorArn, bridge.extra), time: new Date(now) });
  }

  view(s: Scope, pr: PullRequestRecord): PullRequest {
    const repo = this.repoOf(s, pr);
    return {
      pullRequestId: pr.id,
      title: pr.title,
      description: pr.description,
      lastActivityDate: new Date(pr.lastActivityDate),
      creationDate: new Date(pr.creationDate),
      pullRequestStatus: pr.status,
      authorArn: pr.authorArn,
      pullRequestTargets: [
        {
          repositoryName: repo?.name,
          sourceReference: pr.sourceReference,
          destinationReference: pr.destinationReference,
          destinationCommit: pr.destinationCommit,
          sourceCommit: pr.sourceCommit,
          mergeBase: pr.mergeBase,
          mergeMetadata: { ...pr.merge },
        },
      ],
      clientRequestToken: pr.clientRequestToken,
      revisionId: pr.revisionId,
      approvalRules: pr.approvalRules.map((r) => ruleView(r)),
    };
  }

  /** The users whose latest state for the revision is APPROVE. */
  approvers(pr: PullRequestRecord, revisionId = pr.revisionId): string[] {
    return pr.approvals.filter((a) => a.revisionId === revisionId && a.state === 'APPROVE').map((a) => a.userArn);
  }

  evaluate(pr: PullRequestRecord, revisionId = pr.revisionId): Evaluation {
    const approvers = this.approvers(pr, revisionId);
    const satisfied: string[] = [];
    const notSatisfied: string[] = [];
    for (const rule of pr.approvalRules) {
      const content = parseRuleContent(rule.content);
      (content && ruleSatisfied(content, approvers) ? satisfied : notSatisfied).push(rule.name);
    }
    const overridden = pr.override?.revisionId === revisionId;
    return { approved: overridden || notSatisfied.length === 0, overridden, approvalRulesSatisfied: satisfied, approvalRulesNotSatisfied: notSatisfied };
  }

  /** The next ref sync that merges this pull request was an API merge with this option. */
  expectMerge(s: Scope, id: string, option: MergeOption): void {
    this.expectedMerges.set(`${s.accountId}/${s.region}/${id}`, option);
  }

  forgetMerge(s: Scope, id: string): void {
    this.expectedMerges.delete(`${s.accountId}/${s.region}/${id}`);
  }

  /** Follows a repository's ref changes: new source revisions, and merges however they happened. */
  async onRefsChanged(repo: RepositoryRecord, changes: RefChange[], callerArn: string): Promise<void> {
    const s = scope(repo);
    const moved = new Map(changes.map((c) => [c.ref, c]));
    for (const pr of this.cc.store.pullRequests.list(s)) {
      if (pr.repositoryId !== repo.id || pr.status !== 'OPEN') continue;
      const source = moved.get(pr.sourceReference);
      const destination = moved.get(pr.destinationReference);
      if (!source && !destination) continue;
      await this.follow(s, repo, pr, source, destination, callerArn);
      this.save(s, pr);
    }
  }

  private async follow(s: Scope, repo: RepositoryRecord, pr: PullRequestRecord, source: RefChange | undefined, destination: RefChange | undefined, callerArn: string): Promise<void> {
    const dir = this.cc.repos.dir(repo);
    if (destination?.newCommit) pr.destinationCommit = destination.newCommit;
    if (source?.newCommit) {
      const before = pr.sourceCommit;
      pr.sourceCommit = source.newCommit;
      pr.revisionId = newRevisionId();
      pr.mergeBase = await mergeBase(dir, pr.sourceCommit, pr.destinationCommit);
      this.log(s, pr, 'PULL_REQUEST_SOURCE_REFERENCE_UPDATED', callerArn, {
        pullRequestSourceReferenceUpdatedEventMetadata: { repositoryName: repo.name, beforeCommitId: before, afterCommitId: pr.sourceCommit, mergeBase: pr.mergeBase },
      }, { event: 'pullRequestSourceBranchUpdated' });
    }
    const destTip = await resolveCommit(dir, pr.destinationReference);
    if (!destTip || !(await isAncestor(dir, pr.sourceCommit, destTip))) return;
    const key = `${s.accountId}/${s.region}/${pr.id}`;
    const option = this.expectedMerges.get(key);
    this.expectedMerges.delete(key);
    pr.status = 'CLOSED';
    pr.destinationCommit = destTip;
    pr.merge = { isMerged: true, mergedBy: callerArn, mergeCommitId: destTip, mergeOption: option };
    this.log(s, pr, 'PULL_REQUEST_MERGE_STATE_CHANGED', callerArn, {
      pullRequestMergedStateChangedEventMetadata: { repositoryName: repo.name, destinationReference: pr.destinationReference, mergeMetadata: { ...pr.merge } },
    }, { event: 'pullRequestMergeStatusUpdated' });
  }

  /** The pull request's stored events as the API returns them. */
  events(pr: PullRequestRecord): PullRequestEvent[] {
    return pr.events.map((e) => ({ ...e, eventDate: new Date(e.eventDate) }));
  }

  /** Pull requests of a repository, newest first. */
  listFor(s: Scope, repo: RepositoryRecord): PullRequestRecord[] {
    return this.cc.store.pullRequests.list(s).filter((p) => p.repositoryId === repo.id).reverse();
  }
}

export function ruleView(r: ApprovalRuleRecord) {
  return {
    approvalRuleId: r.id,
    approvalRuleName: r.name,
    approvalRuleContent: r.content,
    ruleContentSha256: r.sha256,
    lastModifiedDate: new Date(r.lastModifiedDate),
    creationDate: new Date(r.creationDate),
    lastModifiedUser: r.lastModifiedUser,
    originApprovalRuleTemplate: r.template ? { approvalRuleTemplateId: r.template.id, approvalRuleTemplateName: r.template.name } : undefined,
  };
}
