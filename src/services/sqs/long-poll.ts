import type { Clock } from '../../core/clock.js';

/**
 * ReceiveMessage calls waiting for a queue to have messages. A send wakes the queue's
 * waiters at once; otherwise each wakes at the time it asked for (the end of its wait,
 * or the moment a delayed or in-flight message becomes visible).
 */
export class LongPoll {
  private readonly waiting = new Map<number, Set<() => void>>();
  /** Set while the service is stopped: waits end at once. */
  closed = false;

  constructor(private readonly clock: Clock) {}

  /** Resolves at `until` (clock time) or when the queue is notified, whichever comes first. */
  wait(queueId: number, until: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      let set = this.waiting.get(queueId);
      if (!set) this.waiting.set(queueId, (set = new Set()));
      const waiters = set;
      const wake = () => {
        timer.cancel();
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiting.get(queueId) === waiters) this.waiting.delete(queueId);
        resolve();
      };
      // Timers take AWS time; `until` is already scaled clock time.
      const timer = this.clock.setTimer(Math.max(0, until - this.clock.now()) * this.clock.timeScale, wake);
      waiters.add(wake);
    });
  }

  notify(queueId: number): void {
    const set = this.waiting.get(queueId);
    if (set) for (const wake of [...set]) wake();
  }

  /** Releases every waiter and refuses new waits until reopened (shutdown, reset). */
  close(): void {
    this.closed = true;
    for (const id of [...this.waiting.keys()]) this.notify(id);
  }

  open(): void {
    this.closed = false;
  }
}
