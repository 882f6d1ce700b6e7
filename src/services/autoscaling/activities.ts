import type { Activity } from '../../aws/models/generated/autoscaling.js';
import type { Clock } from '../../core/clock.js';
import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import type { ActivityRecord, AutoscalingStore, GroupRecord } from './store.js';

/** AWS writes times in causes without milliseconds: 2024-01-01T10:00:00Z. */
export function causeTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Scaling activities: what Auto Scaling did to a group, why, and how it ended. */
export class Activities {
  constructor(
    private readonly store: AutoscalingStore,
    private readonly clock: Clock,
  ) {}

  start(scope: Scope, g: GroupRecord, description: string, cause: string, details: Record<string, string> = {}): Activity {
    const a: Activity = {
      ActivityId: uuid(), AutoScalingGroupName: g.name, AutoScalingGroupARN: g.arn, Description: description, Cause: cause,
      StartTime: new Date(this.clock.now()), StatusCode: 'InProgress', Progress: 20, Details: JSON.stringify(details),
    };
    this.store.putActivity(scope, a);
    return a;
  }

  finish(scope: Scope, group: string, id: string | undefined, status: 'Successful' | 'Failed' | 'Cancelled', message?: string): Activity | undefined {
    const a = id ? this.store.activity(scope, group, id) : undefined;
    if (!a) return undefined;
    const done: ActivityRecord = { ...a, StatusCode: status, StatusMessage: message, Progress: 100, EndTime: new Date(this.clock.now()) };
    this.store.activities.put(scope, `${group}\u0000${a.ActivityId}`, done);
    return toActivity(done);
  }

  /** Newest first, as DescribeScalingActivities lists them. */
  list(scope: Scope, group?: string): Activity[] {
    const all = this.store.activities.list(scope, group ? `${group}\u0000` : undefined);
    return all.sort((a, b) => b.seq - a.seq).map(toActivity);
  }
}

export function toActivity(a: ActivityRecord): Activity {
  const { seq: _seq, ...rest } = a;
  return { ...rest, StartTime: new Date(a.StartTime), EndTime: a.EndTime ? new Date(a.EndTime) : undefined };
}
