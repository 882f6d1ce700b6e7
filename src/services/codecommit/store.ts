import type { Statement } from 'better-sqlite3';
import type { Location, PullRequestEvent, RepositoryTrigger } from '../../aws/models/generated/codecommit.js';
import type { Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';

export interface RepositoryRecord {
  id: string;
  name: string;
  description?: string;
  defaultBranch?: string;
  accountId: string;
  region: string;
  creationDate: number;
  lastModifiedDate: number;
  kmsKeyId?: string;
  tags: Record<string, string>;
  triggers: RepositoryTrigger[];
  triggersConfigurationId: string;
}

export interface ApprovalRuleRecord {
  id: string;
  name: string;
  content: string;
  sha256: string;
  creationDate: number;
  lastModifiedDate: number;
  lastModifiedUser: string;
  template?: { id: string; name: string };
}

export interface ApprovalRecord {
  revisionId: string;
  userArn: string;
  state: 'APPROVE' | 'REVOKE';
}

export interface MergeRecord {
  isMerged: boolean;
  mergedBy?: string;
  mergeCommitId?: string;
  mergeOption?: 'FAST_FORWARD_MERGE' | 'SQUASH_MERGE' | 'THREE_WAY_MERGE';
}

/** A pull request event as stored (dates as epoch milliseconds). */
export type StoredPullRequestEvent = Omit<PullRequestEvent, 'eventDate'> & { eventDate: number };

export interface PullRequestRecord {
  id: string;
  title: string;
  description?: string;
  authorArn: string;
  clientRequestToken?: string;
  status: 'OPEN' | 'CLOSED';
  creationDate: number;
  lastActivityDate: number;
  revisionId: string;
  repositoryId: string;
  sourceReference: string;
  destinationReference: string;
  sourceCommit: string;
  destinationCommit: string;
  mergeBase?: string;
  merge: MergeRecord;
  approvalRules: ApprovalRuleRecord[];
  approvals: ApprovalRecord[];
  override?: { revisionId: string; overrider: string };
  events: StoredPullRequestEvent[];
}

export interface CommentRecord {
  id: string;
  content: string;
  inReplyTo?: string;
  creationDate: number;
  lastModifiedDate: number;
  authorArn: string;
  deleted: boolean;
  clientRequestToken?: string;
  /** The reaction value of each user who reacted. */
  reactions: Record<string, string>;
  repositoryId: string;
  pullRequestId?: string;
  beforeCommitId?: string;
  afterCommitId: string;
  beforeBlobId?: string;
  afterBlobId?: string;
  location?: Location;
}

export interface TemplateRecord {
  id: string;
  name: string;
  description: string;
  content: string;
  sha256: string;
  creationDate: number;
  lastModifiedDate: number;
  lastModifiedUser: string;
  /** Ids of the repositories the template is associated with. */
  repositoryIds: string[];
}

/** CodeCommit's state: documents per account and region, and the last ref tips seen per repository. */
export class CodeCommitStore {
  readonly repositories: Collection<RepositoryRecord>;
  readonly pullRequests: Collection<PullRequestRecord>;
  readonly comments: Collection<CommentRecord>;
  readonly templates: Collection<TemplateRecord>;
  private readonly counters: Collection<{ next: number }>;
  private readonly refsGet: Statement;
  private readonly refsPut: Statement;
  private readonly refsDelete: Statement;
  private readonly refsDrop: Statement;

  constructor(private readonly db: Database) {
    this.repositories = new Collection(db, 'codecommit.repositories');
    this.pullRequests = new Collection(db, 'codecommit.pull-requests');
    this.comments = new Collection(db, 'codecommit.comments');
    this.templates = new Collection(db, 'codecommit.templates');
    this.counters = new Collection(db, 'codecommit.counters');
    db.migrate(
      'codecommit-refs-v1',
      `CREATE TABLE codecommit_refs (repository_id TEXT NOT NULL, ref TEXT NOT NULL, commit_id TEXT NOT NULL,
         PRIMARY KEY (repository_id, ref)) WITHOUT ROWID`,
    );
    this.refsGet = db.sql.prepare('SELECT ref, commit_id FROM codecommit_refs WHERE repository_id = ?');
    this.refsPut = db.sql.prepare(
      'INSERT INTO codecommit_refs (repository_id, ref, commit_id) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET commit_id = excluded.commit_id',
    );
    this.refsDelete = db.sql.prepare('DELETE FROM codecommit_refs WHERE repository_id = ? AND ref = ?');
    this.refsDrop = db.sql.prepare('DELETE FROM codecommit_refs WHERE repository_id = ?');
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  /** The next number of a per-account-and-region sequence (pull request ids). */
  nextNumber(scope: Scope, name: string): number {
    return this.db.transaction(() => {
      const n = this.counters.get(scope, name)?.next ?? 1;
      this.counters.put(scope, name, { next: n + 1 });
      return n;
    });
  }

  /** The ref tips last reported for a repository. */
  knownRefs(repositoryId: string): Map<string, string> {
    const rows = this.refsGet.all(repositoryId) as { ref: string; commit_id: string }[];
    return new Map(rows.map((r) => [r.ref, r.commit_id]));
  }

  setKnownRef(repositoryId: string, ref: string, commit: string | undefined): void {
    if (commit) this.refsPut.run(repositoryId, ref, commit);
    else this.refsDelete.run(repositoryId, ref);
  }

  dropKnownRefs(repositoryId: string): void {
    this.refsDrop.run(repositoryId);
  }
}

/** Pull request ids sort as numbers in the collection. */
export function pullRequestKey(id: string | number): string {
  return String(id).padStart(12, '0');
}
