import type { Scope } from '../../core/scope.js';

/**
 * Event-bus topic: a CloudWatch alarm changed state or was deleted. CodeDeploy listens while
 * deployments watch alarms, so an alarm stops a deployment the moment it fires.
 */
export const ALARM_STATE_CHANGED = 'cloudwatch.alarm-state-changed';

export interface AlarmStateChanged {
  scope: Scope;
  alarmName: string;
  /** The new state, or `DELETED`. */
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'DELETED';
}
