import type { Clock } from '../../core/clock.js';
import { uuid } from '../../core/ids.js';
import { referenceEvent, refKind, triggerMatches, triggerMessage, type RefChange } from './events.js';
import type { Notifier } from './notifier.js';
import { listRefs } from './objects.js';
import { scope, type Repositories } from './repositories.js';
import type { RepositoryRecord } from './store.js';

/** Extra detail fields for the event of one ref (an API merge adds its merge fields). */
export type RefExtras = Record<string, Record<string, unknown>>;

export type RefChangeListener = (repo: RepositoryRecord, changes: RefChange[], callerArn: string) => Promise<void>;

/**
 * Finds what changed in a repository's branches and tags since last time, whoever changed
 * them (a push, an API commit, a merge), and reports each change once: an EventBridge
 * event, the matching repository triggers, and the listeners (pull requests). The tips last
 * reported are stored, so changes made while Slipway was down are reported at start-up.
 */
export class RefSync {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly listeners: RefChangeListener[] = [];

  constructor(
    private readonly repos: Repositories,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
  ) {}

  onChange(listener: RefChangeListener): void {
    this.listeners.push(listener);
  }

  /** Runs `fn` with the repository's lock: API writes and post-push syncs never interleave. */
  withLock<T>(repositoryId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(repositoryId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(repositoryId, tail);
    void tail.then(() => {
      if (this.locks.get(repositoryId) === tail) this.locks.delete(repositoryId);
    });
    return run;
  }

  /** Takes the lock and syncs (after a push). */
  syncNow(repo: RepositoryRecord, callerArn: string): Promise<RefChange[]> {
    return this.withLock(repo.id, () => this.sync(repo, callerArn));
  }

  /** Reports the ref changes since the last sync; the caller holds the repository's lock. */
  async sync(stale: RepositoryRecord, callerArn: string, extras: RefExtras = {}): Promise<RefChange[]> {
    const repo = this.repos.byId(scope(stale), stale.id);
    if (!repo) return [];
    const current = await listRefs(this.repos.dir(repo));
    const store = this.repos.store;
    const known = store.knownRefs(repo.id);
    const changes: RefChange[] = [];
    for (const [ref, commit] of current) if (known.get(ref) !== commit) changes.push({ ref, oldCommit: known.get(ref), newCommit: commit });
    for (const [ref, commit] of known) if (!current.has(ref)) changes.push({ ref, oldCommit: commit });
    if (!changes.length) return changes;
    const defaultBranch = repo.defaultBranch ?? firstBranch(changes);
    store.transaction(() => {
      for (const c of changes) store.setKnownRef(repo.id, c.ref, c.newCommit);
      for (const c of changes) this.notifier.event(scope(repo), { ...referenceEvent(repo, c, callerArn, extras[c.ref]), time: new Date(this.clock.now()) });
      this.queueTriggers(repo, changes, callerArn);
      if (defaultBranch !== repo.defaultBranch) this.repos.save({ ...repo, defaultBranch, lastModifiedDate: this.clock.now() });
    });
    if (defaultBranch && defaultBranch !== repo.defaultBranch) await this.repos.pointHead(repo, defaultBranch);
    for (const listener of this.listeners) await listener({ ...repo, defaultBranch }, changes, callerArn);
    return changes;
  }

  private queueTriggers(repo: RepositoryRecord, changes: RefChange[], callerArn: string): void {
    for (const trigger of repo.triggers) {
      const matching = changes.filter((c) => triggerMatches(trigger, c));
      if (!matching.length) continue;
      const message = triggerMessage({ repo, trigger, changes: matching, callerUserArn: callerArn, eventId: uuid(), time: this.clock.now() });
      this.notifier.trigger(repo.name, trigger.name, trigger.destinationArn, message);
    }
  }
}

/** The branch a repository's first push makes its default: main or master if pushed, else the first. */
function firstBranch(changes: RefChange[]): string | undefined {
  const created = changes.filter((c) => c.newCommit && refKind(c.ref).type === 'branch').map((c) => refKind(c.ref).name);
  return created.find((b) => b === 'main') ?? created.find((b) => b === 'master') ?? created.sort()[0];
}
