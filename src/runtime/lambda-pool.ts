import type { Clock } from '../core/clock.js';
import { LambdaWorker, type EnvironmentSpec, type InvocationInput, type InvocationOutcome } from './lambda-worker.js';

interface Slot {
  workers: LambdaWorker[];
  /** Invocations waiting for a free environment, oldest first. */
  queue: (() => void)[];
}

export interface PoolOptions {
  /** Execution environments one function version may have at once; more invocations queue. */
  maxPerVersion?: number;
}

/**
 * Warm execution environments per function version (keyed by the caller, e.g. ARN, version
 * and revision): an invocation reuses an idle environment, starts a new one while under the
 * cap, or waits its turn. A timed-out or crashed environment is discarded.
 */
export class LambdaPool {
  private readonly slots = new Map<string, Slot>();
  /** Environments handed to an invocation (from acquisition, through start-up, to release). */
  private readonly claimed = new Set<LambdaWorker>();
  private readonly max: number;

  constructor(
    private readonly clock: Clock,
    options: PoolOptions = {},
  ) {
    this.max = options.maxPerVersion ?? 4;
  }

  /**
   * Runs `input` in an environment of `key`. `timeoutMs` is wall-clock time: the function's
   * code runs at real speed, so a time scale that compresses AWS's waits must not shorten it.
   */
  async invoke(key: string, spec: () => EnvironmentSpec, input: InvocationInput, timeoutMs: number): Promise<InvocationOutcome> {
    const worker = await this.acquire(key, spec);
    const timer = setTimeout(() => worker.timeout(), timeoutMs);
    timer.unref();
    try {
      return await worker.run(input);
    } finally {
      clearTimeout(timer);
      this.claimed.delete(worker);
      worker.lastUsed = this.clock.now();
      if (worker.retired) worker.kill();
      this.release(key);
    }
  }

  private async acquire(key: string, spec: () => EnvironmentSpec): Promise<LambdaWorker> {
    const slot = this.slot(key);
    for (;;) {
      const idle = slot.workers.find((w) => !this.claimed.has(w) && !w.dead && !w.retired);
      if (idle) {
        this.claimed.add(idle);
        return idle;
      }
      if (slot.workers.length < this.max) {
        const worker = new LambdaWorker(spec(), (w) => this.remove(key, w));
        slot.workers.push(worker);
        this.claimed.add(worker);
        try {
          await worker.start();
        } catch (e) {
          this.claimed.delete(worker);
          this.remove(key, worker);
          throw e;
        }
        return worker;
      }
      await new Promise<void>((resolve) => slot.queue.push(resolve));
    }
  }

  private slot(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { workers: [], queue: [] }));
    return slot;
  }

  private release(key: string): void {
    this.slots.get(key)?.queue.shift()?.();
  }

  private remove(key: string, worker: LambdaWorker): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    slot.workers = slot.workers.filter((w) => w !== worker);
    this.claimed.delete(worker);
    slot.queue.shift()?.();
    if (slot.workers.length === 0 && slot.queue.length === 0) this.slots.delete(key);
  }

  /** Ends the environments of every key starting with `prefix` (code or configuration changed, function deleted). */
  retire(prefix: string): void {
    for (const [key, slot] of this.slots) {
      if (!key.startsWith(prefix)) continue;
      for (const w of slot.workers) {
        if (this.claimed.has(w)) w.retired = true;
        else w.kill();
      }
    }
  }

  /** Ends environments idle for longer than `maxIdleMs` (AWS time), as Lambda reclaims idle ones. */
  reap(maxIdleMs: number): void {
    const cutoff = this.clock.now() - maxIdleMs;
    for (const slot of this.slots.values()) for (const w of slot.workers) if (!this.claimed.has(w) && w.lastUsed < cutoff) w.kill();
  }

  /** Environments alive now, for tests and diagnostics. */
  size(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += slot.workers.filter((w) => !w.dead).length;
    return n;
  }

  stop(): void {
    for (const slot of this.slots.values()) for (const w of slot.workers) w.kill();
    this.slots.clear();
    this.claimed.clear();
  }
}
