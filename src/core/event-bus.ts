import type { Logger } from './logger.js';

type Handler = (payload: unknown) => void;

/**
 * In-process publish/subscribe between Slipway's own components (a log event was
 * appended, state was reset). Handlers run synchronously; one that throws is logged
 * and never breaks the publisher. AWS-level events go through EventBridge instead.
 */
export class EventBus {
  private readonly handlers = new Map<string, Set<Handler>>();

  constructor(private readonly log?: Logger) {}

  on<T>(topic: string, handler: (payload: T) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    const h = handler as Handler;
    set.add(h);
    return () => set.delete(h);
  }

  emit(topic: string, payload?: unknown): void {
    const set = this.handlers.get(topic);
    if (!set) return;
    for (const h of [...set]) {
      try {
        h(payload);
      } catch (e) {
        this.log?.error('event handler failed', { topic, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
}
