import type { TargetHealth } from '../../../aws/models/generated/elbv2.js';

export type HealthState = 'initial' | 'healthy' | 'unhealthy';

/** A target's health as the checks have found it so far. */
export interface HealthRecord {
  state: HealthState;
  reason?: TargetHealth['Reason'];
  description?: string;
  /** Consecutive passed and failed checks. */
  passes: number;
  failures: number;
}

export type CheckResult =
  | { ok: true }
  | { ok: false; reason: 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks'; description: string };

export const INITIAL: HealthRecord = { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress', passes: 0, failures: 0 };

/**
 * The next health after one check, as AWS documents it: a new target is healthy after one
 * passed check; a healthy one turns unhealthy after UnhealthyThresholdCount failures in a
 * row; an unhealthy one recovers after HealthyThresholdCount passes in a row.
 */
export function nextHealth(h: HealthRecord, result: CheckResult, thresholds: { healthy: number; unhealthy: number }): HealthRecord {
  if (result.ok) {
    const passes = h.passes + 1;
    const recovered = h.state === 'initial' || h.state === 'healthy' || passes >= thresholds.healthy;
    return recovered ? { state: 'healthy', passes, failures: 0 } : { ...h, passes, failures: 0 };
  }
  const failures = h.failures + 1;
  const failed = h.state === 'unhealthy' || failures >= thresholds.unhealthy;
  if (failed) return { state: 'unhealthy', reason: result.reason, description: result.description, passes: 0, failures };
  if (h.state === 'initial') return { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress', passes: 0, failures };
  return { ...h, passes: 0, failures };
}
