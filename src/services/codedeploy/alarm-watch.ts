import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { AlarmConfiguration } from '../../aws/models/generated/codedeploy.js';
import type { CloudwatchOperations } from '../../aws/models/generated/cloudwatch.js';
import type { Clock, Timer } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';

/**
 * Real milliseconds between two polls of a deployment's alarms. A poll is one in-process
 * DescribeAlarms call, so polling this often costs little and an alarm is acted on within
 * this delay of its state change (CloudWatch itself evaluates once per period).
 */
export const ALARM_POLL_REAL_MS = 25;

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

/**
 * Watches running deployments' alarms on the clock: an alarm in ALARM, or a poll that fails
 * without ignorePollAlarmFailure, is reported once and the watch ends.
 */
export class AlarmWatch {
  private readonly timers = new Map<string, Timer>();

  constructor(
    private readonly aws: AwsClient,
    private readonly clock: Clock,
  ) {}

  isWatching(deploymentId: string): boolean {
    return this.timers.has(deploymentId);
  }

  watch(scope: Scope, deploymentId: string, cfg: AlarmConfiguration | undefined, report: (verdict: WatchVerdict) => void): void {
    const names = watchedAlarms(cfg);
    if (!names.length || this.timers.has(deploymentId)) return;
    const tick = async () => {
      const verdict = await this.poll(scope, names, cfg?.ignorePollAlarmFailure ?? false);
      if (!this.timers.has(deploymentId)) return;
      if (verdict) {
        this.timers.delete(deploymentId);
        report(verdict);
        return;
      }
      this.timers.set(deploymentId, this.clock.setTimer(ALARM_POLL_REAL_MS * this.clock.timeScale, () => void tick()));
    };
    this.timers.set(deploymentId, this.clock.setTimer(0, () => void tick()));
  }

  unwatch(deploymentId: string): void {
    this.timers.get(deploymentId)?.cancel();
    this.timers.delete(deploymentId);
  }

  stopAll(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
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
