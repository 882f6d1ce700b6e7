import type { StepAdjustment } from '../../aws/models/generated/autoscaling.js';

export type AdjustmentType = 'ChangeInCapacity' | 'ExactCapacity' | 'PercentChangeInCapacity';

/**
 * PercentChangeInCapacity rounds as AWS documents: values above 1 are rounded down
 * (12.7 → 12), between 0 and 1 up to 1, between 0 and -1 to -1, below -1 up (-6.67 → -6).
 */
export function percentChange(current: number, percent: number, minMagnitude?: number): number {
  const raw = (current * percent) / 100;
  let change = raw > 1 ? Math.floor(raw) : raw > 0 ? 1 : raw === 0 ? 0 : raw > -1 ? -1 : Math.ceil(raw);
  if (minMagnitude && change !== 0 && Math.abs(change) < minMagnitude) change = Math.sign(change) * minMagnitude;
  return change;
}

/** The new desired capacity from an adjustment, kept within the group's min and max. */
export function adjustedCapacity(current: number, type: AdjustmentType, adjustment: number, bounds: { min: number; max: number }, minMagnitude?: number): number {
  const target = type === 'ExactCapacity' ? adjustment : type === 'PercentChangeInCapacity' ? current + percentChange(current, adjustment, minMagnitude) : current + adjustment;
  return Math.max(bounds.min, Math.min(bounds.max, target));
}

/**
 * The step whose interval holds the breach (metric value minus threshold). Above the
 * threshold a lower bound is inclusive and an upper bound exclusive; below it, the reverse.
 */
export function matchStep(steps: StepAdjustment[], breach: number): StepAdjustment | undefined {
  return steps.find((s) => {
    const lo = s.MetricIntervalLowerBound ?? -Infinity;
    const hi = s.MetricIntervalUpperBound ?? Infinity;
    return breach >= 0 ? breach >= lo && breach < hi : breach > lo && breach <= hi;
  });
}

/** Target tracking: the capacity that brings the metric to the target value (rounded up so it never undershoots). */
export function trackedCapacity(current: number, metric: number, target: number, disableScaleIn: boolean): number {
  if (current === 0 || target <= 0) return current;
  const wanted = Math.ceil((current * metric) / target);
  return disableScaleIn ? Math.max(current, wanted) : wanted;
}

/** Step adjustments must not overlap or leave gaps, and only one may be unbounded each way. */
export function stepsError(steps: StepAdjustment[]): string | undefined {
  const sorted = [...steps].sort((a, b) => (a.MetricIntervalLowerBound ?? -Infinity) - (b.MetricIntervalLowerBound ?? -Infinity));
  for (let i = 1; i < sorted.length; i++) {
    const prevHi = sorted[i - 1].MetricIntervalUpperBound ?? Infinity;
    const lo = sorted[i].MetricIntervalLowerBound ?? -Infinity;
    if (prevHi !== lo) return 'Step adjustments must not overlap or have gaps between them.';
  }
  for (const s of steps) {
    if (s.MetricIntervalLowerBound === undefined && s.MetricIntervalUpperBound === undefined && steps.length > 1) return 'Only one step adjustment can have no bounds.';
  }
  return undefined;
}
