import type { PhaseContext } from '../../aws/models/generated/codebuild.js';
import type { Timer } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { Interruption, RunnerDeps } from './build-context.js';
import { removeBuildContainer } from './backend.js';
import { runBuild } from './build-runner.js';
import type { BuildRecord, Status } from './store.js';

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

const keyOf = (scope: Scope, id: string) => `${scope.accountId}/${scope.region}/${id}`;

/**
 * Runs builds: up to `limit` at once, the rest wait in QUEUED in submission order. Each
 * running build has its timeout armed on the clock (AWS minutes, compressed by the time
 * scale); StopBuild and shutdown abort it, which kills its whole process tree. Queued builds
 * are in the store, so after a restart they run; a build cut off mid-run ends FAULT.
 */
export class BuildEngine {
  private readonly queue: { scope: Scope; id: string }[] = [];
  private readonly running = new Map<string, Running>();
  private readonly queuedTimers = new Map<string, Timer>();
  private active = false;
  private readonly waiters: (() => void)[] = [];
  /** Called with each build the engine ran to completion (automatic retries). */
  onFinished: ((scope: Scope, b: BuildRecord) => Promise<void>) | undefined;

  constructor(
    private readonly d: RunnerDeps,
    readonly limit: number,
  ) {}

  /** Resumes after a (re)start: queued builds run, builds that were running end FAULT. */
  async start(): Promise<void> {
    this.active = true;
    for (const { scope, id, value } of this.d.store.builds.all()) {
      if (value.buildComplete) continue;
      if (value.started) {
        await removeBuildContainer(value.uuid);
        await this.finishUnrun(scope, id, 'FAULT', { statusCode: 'BUILD_INTERRUPTED', message: 'Slipway stopped while this build was running; the build was not resumed' });
      } else this.submit(scope, id);
    }
  }

  async shutdown(): Promise<void> {
    this.active = false;
    for (const t of this.queuedTimers.values()) t.cancel();
    this.queuedTimers.clear();
    this.queue.length = 0;
    for (const r of this.running.values()) r.controller.abort('SHUTDOWN');
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  submit(scope: Scope, id: string): void {
    const b = this.d.store.builds.get(scope, id)!;
    this.queue.push({ scope, id });
    const remaining = b.startTime + b.queuedTimeoutInMinutes * 60_000 - this.d.clock.now();
    this.queuedTimers.set(
      keyOf(scope, id),
      this.d.clock.setTimer(remaining, () => void this.expireQueued(scope, id)),
    );
    this.pump();
  }

  /** Stops a build; false if it is not queued or running here. */
  async stop(scope: Scope, id: string, reason: Interruption = 'STOPPED'): Promise<boolean> {
    const k = keyOf(scope, id);
    const r = this.running.get(k);
    if (r) {
      r.controller.abort(reason);
      await r.done;
      return true;
    }
    const i = this.queue.findIndex((q) => keyOf(q.scope, q.id) === k);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    this.queuedTimers.get(k)?.cancel();
    this.queuedTimers.delete(k);
    await this.finishUnrun(scope, id, 'STOPPED', { statusCode: 'BUILD_STOPPED', message: 'Build was stopped' });
    return true;
  }

  /** Resolves when no build is queued or running (benchmarks, tests). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async expireQueued(scope: Scope, id: string): Promise<void> {
    const k = keyOf(scope, id);
    const i = this.queue.findIndex((q) => keyOf(q.scope, q.id) === k);
    if (i < 0) return;
    this.queue.splice(i, 1);
    this.queuedTimers.delete(k);
    const b = this.d.store.builds.get(scope, id)!;
    await this.finishUnrun(scope, id, 'TIMED_OUT', { statusCode: 'BUILD_TIMED_OUT', message: `Build has timed out in queue. ${b.queuedTimeoutInMinutes * 60} secs` });
    this.notifyIdle();
  }

  private pump(): void {
    while (this.active && this.running.size < this.limit && this.queue.length > 0) this.launch(this.queue.shift()!);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.queue.length === 0 && this.running.size === 0) for (const w of this.waiters.splice(0)) w();
  }

  private launch({ scope, id }: { scope: Scope; id: string }): void {
    const k = keyOf(scope, id);
    this.queuedTimers.get(k)?.cancel();
    this.queuedTimers.delete(k);
    const b = this.d.store.builds.get(scope, id);
    if (!b || b.buildComplete) return;
    const controller = new AbortController();
    const timeout = this.d.clock.setTimer(b.timeoutInMinutes * 60_000, () => controller.abort('TIMED_OUT'));
    const done = runBuild(this.d, scope, id, controller.signal)
      .then((finished) => this.onFinished?.(scope, finished))
      .catch((e: unknown) => this.d.log.error('build runner failed', { build: id, error: errorMessage(e) }))
      .finally(() => {
        timeout.cancel();
        this.running.delete(k);
        this.pump();
      });
    this.running.set(k, { controller, done });
  }

  /** Ends a build that is not running (queued, or cut off by a crash) with `status`. */
  private async finishUnrun(scope: Scope, id: string, status: Status, context: PhaseContext): Promise<void> {
    const now = this.d.clock.now();
    const b = this.d.store.updateBuild(scope, id, (rec) => {
      const open = rec.phases[rec.phases.length - 1];
      if (open && !open.endTime) {
        open.endTime = now;
        open.phaseStatus = status;
        open.contexts = [context];
      }
      rec.phases.push({ phaseType: 'COMPLETED', startTime: now });
      rec.currentPhase = 'COMPLETED';
      rec.buildStatus = status;
      rec.buildComplete = true;
      rec.endTime = now;
    });
    if (!b) return;
    await this.d.notify.buildState(scope, b);
    await this.d.notify.metrics(scope, b);
  }
}
