import type { RepositoryTrigger } from '../../aws/models/generated/codecommit.js';
import type { AwsEvent } from '../common/events.js';
import { repositoryArn } from './repositories.js';
import type { PullRequestRecord, RepositoryRecord } from './store.js';

/** One branch or tag that moved: created (no old), deleted (no new) or updated. */
export interface RefChange {
  ref: string;
  oldCommit?: string;
  newCommit?: string;
}

export type RefEventName = 'referenceCreated' | 'referenceUpdated' | 'referenceDeleted';

export function refEventName(c: RefChange): RefEventName {
  if (!c.oldCommit) return 'referenceCreated';
  if (!c.newCommit) return 'referenceDeleted';
  return 'referenceUpdated';
}

export function refKind(ref: string): { type: 'branch' | 'tag' | 'other'; name: string } {
  if (ref.startsWith('refs/heads/')) return { type: 'branch', name: ref.slice(11) };
  if (ref.startsWith('refs/tags/')) return { type: 'tag', name: ref.slice(10) };
  return { type: 'other', name: ref };
}

/** "CodeCommit Repository State Change" for one reference, as AWS sends it to EventBridge. */
export function referenceEvent(repo: RepositoryRecord, change: RefChange, callerUserArn: string, extra: Record<string, unknown> = {}): AwsEvent {
  const kind = refKind(change.ref);
  const detail: Record<string, unknown> = {
    callerUserArn,
    event: refEventName(change),
    repositoryName: repo.name,
    repositoryId: repo.id,
    referenceType: kind.type,
    referenceName: kind.name,
    referenceFullName: change.ref,
  };
  if (change.newCommit) detail.commitId = change.newCommit;
  if (change.oldCommit) detail.oldCommitId = change.oldCommit;
  return { source: 'aws.codecommit', detailType: 'CodeCommit Repository State Change', resources: [repositoryArn(repo)], detail: { ...detail, ...extra } };
}

/** AWS writes dates in these events in Java's Date.toString() form, in UTC. */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const [wd, day, mon, year] = d.toUTCString().replace(',', '').split(' ');
  return `${wd} ${mon} ${day} ${d.toISOString().slice(11, 19)} UTC ${year}`;
}

/** "CodeCommit Pull Request State Change": the pull request's state plus the event's own fields. */
export function pullRequestEvent(repo: RepositoryRecord, pr: PullRequestRecord, event: string, callerUserArn: string, extra: Record<string, unknown> = {}): AwsEvent {
  const detail: Record<string, unknown> = {
    author: pr.authorArn,
    callerUserArn,
    creationDate: javaDate(pr.creationDate),
    description: pr.description,
    destinationCommit: pr.destinationCommit,
    destinationReference: pr.destinationReference,
    event,
    isMerged: pr.merge.isMerged ? 'True' : 'False',
    lastModifiedDate: javaDate(pr.lastActivityDate),
    notificationBody: `A pull request event occurred in the following AWS CodeCommit repository: ${repo.name}. User: ${callerUserArn}. Event: ${event}. Pull request: ${pr.id}.`,
    pullRequestId: pr.id,
    pullRequestStatus: pr.status === 'OPEN' ? 'Open' : 'Closed',
    repositoryNames: [repo.name],
    revisionId: pr.revisionId,
    sourceCommit: pr.sourceCommit,
    sourceReference: pr.sourceReference,
    title: pr.title,
    ...extra,
  };
  if (pr.merge.mergeOption && !('mergeOption' in extra)) detail.mergeOption = pr.merge.mergeOption;
  return { source: 'aws.codecommit', detailType: 'CodeCommit Pull Request State Change', resources: [repositoryArn(repo)], detail };
}

/** "CodeCommit Comment on Pull Request" / "CodeCommit Comment on Commit". */
export function commentEvent(repo: RepositoryRecord, kind: 'PullRequest' | 'Commit', event: string, detail: Record<string, unknown>): AwsEvent {
  return {
    source: 'aws.codecommit',
    detailType: kind === 'PullRequest' ? 'CodeCommit Comment on Pull Request' : 'CodeCommit Comment on Commit',
    resources: [repositoryArn(repo)],
    detail: { event, repositoryName: repo.name, repositoryId: repo.id, ...detail },
  };
}

/** Whether a trigger fires for a change: its events and (for branches) its branch list. */
export function triggerMatches(trigger: RepositoryTrigger, change: RefChange): boolean {
  const wanted = trigger.events;
  const name = refEventName(change);
  const kind: Record<RefEventName, string> = { referenceCreated: 'createReference', referenceUpdated: 'updateReference', referenceDeleted: 'deleteReference' };
  if (!wanted.includes('all') && !wanted.includes(kind[name] as never)) return false;
  const branches = trigger.branches ?? [];
  if (!branches.length) return true;
  const ref = refKind(change.ref);
  return ref.type === 'branch' && branches.includes(ref.name);
}

export interface TriggerRecordInput {
  repo: RepositoryRecord;
  trigger: RepositoryTrigger;
  changes: RefChange[];
  callerUserArn: string;
  eventId: string;
  time: number;
  eventName?: 'ReferenceChanges' | 'TriggerEventTest';
}

/** The message a trigger sends to SNS or Lambda: one record listing the references that changed. */
export function triggerMessage(t: TriggerRecordInput): { Records: Record<string, unknown>[] } {
  const references = t.changes.map((c) => {
    const r: Record<string, unknown> = { commit: c.newCommit ?? c.oldCommit, ref: c.ref };
    if (!c.oldCommit) r.created = true;
    if (!c.newCommit) r.deleted = true;
    return r;
  });
  const record: Record<string, unknown> = {
    awsRegion: t.repo.region,
    codecommit: { references },
    eventId: t.eventId,
    eventName: t.eventName ?? 'ReferenceChanges',
    eventPartNumber: 1,
    eventSource: 'aws:codecommit',
    eventSourceARN: repositoryArn(t.repo),
    eventTime: new Date(t.time).toISOString().replace('Z', '+0000'),
    eventTotalParts: 1,
    eventTriggerConfigId: t.repo.triggersConfigurationId,
    eventTriggerName: t.trigger.name,
    eventVersion: '1.0',
    userIdentityARN: t.callerUserArn,
  };
  if (t.trigger.customData !== undefined) record.customData = t.trigger.customData;
  return { Records: [record] };
}
