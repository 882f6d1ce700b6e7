import type { ExecutionRecord, RuntimeRecord } from './store.js';

export interface EnterResult {
  entered: boolean;
  /** Executions this one superseded while they waited (SUPERSEDED mode). */
  superseded: string[];
  /** This execution itself was superseded by a newer one already waiting. */
  selfSuperseded: boolean;
}

/**
 * Whether execution `e` may enter `stage` now, per its execution mode:
 * - PARALLEL: always.
 * - QUEUED: one execution per stage; the others wait in arrival order.
 * - SUPERSEDED: one execution per stage; of those waiting for it only the newest is kept,
 *   the older one is superseded.
 * `active(id)` says whether an occupant still runs in the stage (crash leftovers are dropped).
 */
export function enterStage(rt: RuntimeRecord, stage: string, e: ExecutionRecord, blockedByTransition: boolean, active: (id: string) => ExecutionRecord | undefined): EnterResult {
  const result: EnterResult = { entered: false, superseded: [], selfSuperseded: false };
  if (e.mode === 'PARALLEL' && !blockedByTransition) return { ...result, entered: true };
  const slot = (rt.stages[stage] ??= { occupants: [], waiting: [] });
  slot.occupants = slot.occupants.filter((id) => id !== e.id && active(id) !== undefined);
  slot.waiting = slot.waiting.filter((id) => id === e.id || active(id) !== undefined);
  const busy = e.mode !== 'PARALLEL' && slot.occupants.length > 0;
  const first = slot.waiting.length === 0 || slot.waiting[0] === e.id;
  if (!busy && !blockedByTransition && (e.mode !== 'QUEUED' || first)) {
    slot.waiting = slot.waiting.filter((id) => id !== e.id);
    if (e.mode !== 'PARALLEL') slot.occupants.push(e.id);
    return { ...result, entered: true };
  }
  if (slot.waiting.includes(e.id)) return result;
  if (e.mode !== 'SUPERSEDED') {
    slot.waiting.push(e.id);
    return result;
  }
  const others = slot.waiting.map((id) => active(id)).filter((x): x is ExecutionRecord => x !== undefined);
  if (others.some((o) => o.seq > e.seq)) return { ...result, selfSuperseded: true };
  slot.waiting = [e.id];
  return { ...result, superseded: others.map((o) => o.id) };
}

/** Frees `stage` of `e`; returns the waiting execution to wake, if any. */
export function leaveStage(rt: RuntimeRecord, stage: string, e: ExecutionRecord): string | undefined {
  const slot = rt.stages[stage];
  if (!slot) return undefined;
  slot.occupants = slot.occupants.filter((id) => id !== e.id);
  slot.waiting = slot.waiting.filter((id) => id !== e.id);
  return slot.occupants.length === 0 ? slot.waiting[0] : undefined;
}

/** Removes `e` from every stage it occupies or waits for (stopped, failed, superseded). */
export function leaveAll(rt: RuntimeRecord, e: ExecutionRecord): { stage: string; wake: string }[] {
  const woken: { stage: string; wake: string }[] = [];
  for (const stage of Object.keys(rt.stages)) {
    const wake = leaveStage(rt, stage, e);
    if (wake) woken.push({ stage, wake });
  }
  return woken;
}
