import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { AlarmConfiguration } from '../../aws/models/generated/codedeploy.js';
import type { CloudwatchOperations } from '../../aws/models/generated/cloudwatch.js';
import type { Clock, Timer } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { EventBus } from '../../core/event-bus.js';
import type { Scope } from '../../core/scope.js';
import { ALARM_STATE_CHANGED, type AlarmStateChanged } from '../common/alarm-events.js';

/**
 * Real milliseconds between two backstop polls of a deployment's alarms. Changes arrive as
 * in-process events and are acted on at once; the poll only catches what no event reports
 * (CloudWatch unreachable).
 */
export const ALARM_POLL_REAL_MS = 1000;

export type WatchVerdict = { kind: 'alarm'; names: string[] } | { kind: 'poll-failure'; message: string };

/** The alarm names a configuration watches, or none when it is disabled. */
export function watchedAlarms(cfg: AlarmConfiguration | undefined): string[] {
  if (!cfg?.enabled) return [];
  return (cfg.alarms ?? []).map((a) => a.name ?? '').filter(Boolean);
}

/** Refuses alarm names CloudWatch does not know, as CodeDeploy does when a group or deployment names them. */
export async function checkAlarmsExist(aws: AwsClient, scope: Scope, cfg: AlarmConfiguration | undefined): Promise<void> {
  const names = (cfg?.alarms ?? []).map((a) => a.name ?? '');
  if (!names.length) return;
  if (names.some((n) => !n)) throw new ServiceError('InvalidAlarmConfigException', 'The alarm configuration is invalid: every alarm needs a name.', { statusCode: 400 });
  if (new Set(names).size !== names.length) throw new ServiceError('InvalidAlarmConfigException', 'The alarm configuration is invalid: an alarm is listed more than once.', { statusCode: 400 });
  const out = await aws.service<CloudwatchOperations>('cloudwatch', scope).DescribeAlarms({ AlarmNames: names });
  const found = new Set([...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])].map((a) => a.AlarmName));
  const missing = names.filter((n) => !found.has(n));
  if (missing.length) throw new ServiceError('InvalidAlarmConfigException', `The alarm configuration is invalid: the following alarms do not exist in CloudWatch: ${missing.join(', ')}`, { statusCode: 400 });
}

interface Watch {
  scope: Scope;
  names: string[];
  ignoreFailure: boolean;
  report: (verdict: WatchVerdict) => void;
  timer?: Timer;
}

/**
 * Watches running deployments' alarms: each is read when the watch starts, again whenever
 * CloudWatch announces a change to one of them (an in-process event), and on a slow backstop
 * poll. An alarm in ALARM, or a read that fails without ignorePollAlarmFailure, is reported
 * once and the watch ends.
 */
export class AlarmWatch {
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly aws: AwsClient,
    private readonly clock: Clock,
    bus: EventBus,
  ) {
    bus.on<AlarmStateChanged>(ALARM_STATE_CHANGED, (e) => {
      for (const [id, w] of this.watches) {
        if (w.scope.accountId === e.scope.accountId && w.scope.region === e.scope.region && w.names.includes(e.alarmName)) void this.check(id, w);
      }
    });
  }

  isWatching(deploymentId: string): boolean {
    return this.watches.has(deploymentId);
  }

  watch(scope: Scope, deploymentId: string, cfg: AlarmConfiguration | undefined, report: (verdict: WatchVerdict) => void): void {
    const names = watchedAlarms(cfg);
    if (!names.length || this.watches.has(deploymentId)) return;
    const w: Watch = { scope, names, ignoreFailure: cfg?.ignorePollAlarmFailure ?? false, report };
    this.watches.set(deploymentId, w);
    w.timer = this.clock.setTimer(0, () => void this.check(deploymentId, w));
  }

  unwatch(deploymentId: string): void {
    this.watches.get(deploymentId)?.timer?.cancel();
    this.watches.delete(deploymentId);
  }

  stopAll(): void {
    for (const w of this.watches.values()) w.timer?.cancel();
    this.watches.clear();
  }

  /** Reads the watch's alarms; reports and ends it, or arms the next backstop poll. */
  private async check(deploymentId: string, w: Watch): Promise<void> {
    const verdict = await this.poll(w.scope, w.names, w.ignoreFailure);
    if (this.watches.get(deploymentId) !== w) return;
    w.timer?.cancel();
    if (verdict) {
      this.watches.delete(deploymentId);
      w.report(verdict);
      return;
    }
    w.timer = this.clock.setTimer(ALARM_POLL_REAL_MS * this.clock.timeScale, () => void this.check(deploymentId, w));
  }

  private async poll(scope: Scope, names: string[], ignoreFailure: boolean): Promise<WatchVerdict | undefined> {
    try {
      const out = await this.aws.service<CloudwatchOperations>('cloudwatch', scope).DescribeAlarms({ AlarmNames: names });
      const alarms = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
      const firing = alarms.filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName!);
      if (firing.length) return { kind: 'alarm', names: firing };
      const missing = names.filter((n) => !alarms.some((a) => a.AlarmName === n));
      if (missing.length && !ignoreFailure) return { kind: 'poll-failure', message: `The alarms ${missing.join(', ')} could not be found in CloudWatch.` };
      return undefined;
    } catch (e) {
      return ignoreFailure ? undefined : { kind: 'poll-failure', message: `The state of the deployment's alarms could not be read from CloudWatch: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
}
