import type { PhaseContext } from '../../aws/models/generated/codebuild.js';
import type { Clock } from '../../core/clock.js';
import type { Scope } from '../../core/scope.js';
import type { BuildLog } from './build-log.js';
import type { Notifier } from './notify.js';
import type { BuildRecord, CodeBuildStore, PhaseType, Status } from './store.js';

/**
 * A build's phases as they happen: each start and end is committed to the build's record
 * (so BatchGetBuilds shows the current phase), logged as the agent logs it, and announced
 * with a `CodeBuild Build Phase Change` event.
 */
export class PhaseTracker {
  /** Log flushes and phase events, in order, off the build's critical path. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: CodeBuildStore,
    private readonly scope: Scope,
    private readonly id: string,
    private readonly clock: Clock,
    private readonly log: BuildLog,
    private readonly notify: Notifier,
  ) {}

  get build(): BuildRecord {
    return this.store.builds.get(this.scope, this.id)!;
  }

  update(change: (b: BuildRecord) => void): BuildRecord {
    return this.store.updateBuild(this.scope, this.id, change)!;
  }

  start(type: PhaseType, quiet = false): void {
    const now = this.clock.now();
    this.update((b) => {
      b.currentPhase = type;
      b.phases.push({ phaseType: type, startTime: now });
    });
    if (!quiet && type !== 'COMPLETED' && type !== 'PROVISIONING') this.log.agent(`Entering phase ${type}`);
  }

  /** Ends the current phase; a context is AWS's `statusCode`/`message` pair (empty on success). */
  end(status: Status, context?: PhaseContext, quiet = false): void {
    const now = this.clock.now();
    const b = this.update((rec) => {
      const p = rec.phases[rec.phases.length - 1];
      p.endTime = now;
      p.phaseStatus = status;
      p.contexts = [context ?? { statusCode: '', message: '' }];
    });
    const p = b.phases[b.phases.length - 1];
    if (!quiet) {
      this.log.agent(`Phase complete: ${p.phaseType} State: ${status}`);
      this.log.agent(`Phase context status code: ${context?.statusCode ?? ''} Message: ${context?.message ?? ''}`);
    }
    this.chain = this.chain.then(() => this.log.flush()).then(() => this.notify.phaseChange(this.scope, b, p));
  }

  /** Resolves once every phase's log lines and event have been delivered. */
  drain(): Promise<void> {
    return this.chain;
  }

  /** The phase currently open, if any. */
  open(): PhaseType | undefined {
    const p = this.build.phases[this.build.phases.length - 1];
    return p && !p.endTime && p.phaseType !== 'COMPLETED' ? p.phaseType : undefined;
  }
}
