import { errorMessage, isServiceError } from '../../core/errors.js';
import { parseArn } from '../../core/arn.js';
import type { Scope } from '../../core/scope.js';
import type { LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { SnsOperations } from '../../aws/models/generated/sns.js';
import { ALARM_STATE_CHANGED, type AlarmStateChanged } from '../common/alarm-events.js';
import { publishEvent } from '../common/events.js';
import type { ServiceDeps } from '../service.js';
import { actionsFor, lambdaActionEvent, notificationMessage, notificationSubject, stateChangeEvent, type StateChange } from './alarm-actions.js';
import { alarmPeriod, alarmPoints } from './alarm-data.js';
import { awsTime, evaluateAlarm, type AlarmCriteria, type StateValue } from './alarm-evaluator.js';
import { evaluateRule, parseRule, ruleAlarms } from './alarm-rule.js';
import type { AlarmRecord, AlarmStore, MetricAlarmRecord } from './alarm-store.js';
import type { MetricStore } from './metric-store.js';

interface TickJob { accountId: string; region: string; name: string; tick: number }
interface ActionJob {
  accountId: string; region: string; name: string; type: AlarmRecord['type']; action: string; subject: string; state: StateValue; time: number;
  /** What the action receives: SNS's notification JSON, or the state-change event a Lambda function is invoked with. */
  message: string;
  /** The breach a step scaling policy picks its step from: the latest datapoint and the threshold. */
  breach?: { value: number; threshold: number };
}

/**
 * Runs alarms: each metric alarm has one pending evaluation tick in the durable job queue
 * (AWS time, so --time-scale compresses it); a tick reads the data, evaluates, applies a
 * state change and schedules the next. A change records history, queues each action and
 * the EventBridge event, and re-evaluates composite alarms that watch the alarm.
 */
export class AlarmEngine {
  private readonly enqueueTick: (job: TickJob, opts?: { delayMs?: number }) => void;
  private readonly enqueueAction: (job: ActionJob) => void;

  constructor(private readonly deps: ServiceDeps, private readonly alarms: AlarmStore, private readonly metrics: MetricStore) {
    this.enqueueTick = deps.jobs.define<TickJob>('cloudwatch.alarm-tick', (job) => this.tick(job), { maxAttempts: 3, concurrency: 4 });
    this.enqueueAction = deps.jobs.define<ActionJob>('cloudwatch.alarm-action', (job) => this.runAction(job), {
      maxAttempts: 3,
      onExhausted: (job, error) => this.recordAction(job, false, errorMessage(error)),
    });
  }

  /** AWS evaluates every minute, and high-resolution alarms every period. */
  static interval(alarm: MetricAlarmRecord): number {
    return Math.min(alarmPeriod(alarm.config), 60) * 1000;
  }

  /** Starts (or restarts, after an update) the alarm's evaluation cycle with an immediate tick. */
  schedule(scope: Scope, alarm: MetricAlarmRecord): void {
    this.enqueueTick({ accountId: scope.accountId, region: scope.region, name: alarm.name, tick: alarm.tick });
  }

  private async tick(job: TickJob): Promise<void> {
    const scope = { accountId: job.accountId, region: job.region };
    const alarm = this.alarms.get(scope, job.name);
    if (!alarm || alarm.type !== 'MetricAlarm' || alarm.tick !== job.tick) return;
    const now = this.deps.clock.now();
    try {
      this.evaluate(scope, alarm, now);
    } catch (e) {
      this.deps.log.warn('alarm evaluation failed', { alarm: alarm.name, error: errorMessage(e) });
    }
    const next = this.alarms.get(scope, job.name);
    if (!next || next.type !== 'MetricAlarm' || next.tick !== job.tick) return;
    next.tick++;
    this.alarms.put(scope, next);
    this.enqueueTick({ ...job, tick: next.tick }, { delayMs: AlarmEngine.interval(next) });
  }

  private evaluate(scope: Scope, alarm: MetricAlarmRecord, now: number): void {
    const c = alarm.config;
    const criteria: AlarmCriteria = {
      comparison: c.ComparisonOperator!,
      threshold: c.Threshold,
      evaluationPeriods: c.EvaluationPeriods ?? 1,
      datapointsToAlarm: c.DatapointsToAlarm ?? c.EvaluationPeriods ?? 1,
      treatMissingData: (c.TreatMissingData ?? 'missing') as AlarmCriteria['treatMissingData'],
      statistic: c.Statistic ?? c.ExtendedStatistic,
      period: alarmPeriod(c),
    };
    const points = alarmPoints(this.metrics, scope, c, now, this.deps.clock.timeScale);
    const result = evaluateAlarm(criteria, points, now);
    if (result && result.state !== alarm.state) this.setState(scope, alarm, result.state, result.reason, JSON.stringify(result.reasonData));
    else if (result) this.repeatScalingActions(scope, alarm, criteria, result.reasonData, now);
  }

  /**
   * Unlike other actions, which run once per transition, Auto Scaling actions run again for
   * every period the alarm stays in its state (AWS's alarm-actions documentation).
   */
  private repeatScalingActions(scope: Scope, alarm: MetricAlarmRecord, criteria: AlarmCriteria, reasonData: Record<string, unknown>, now: number): void {
    const actions = actionsFor(alarm, alarm.state).filter((a) => parseArn(a)?.service === 'autoscaling');
    if (!actions.length || now - (alarm.scalingActedAt ?? alarm.stateTransitioned) < criteria.period * 1000) return;
    const fresh = this.alarms.get(scope, alarm.name);
    if (!fresh || fresh.type !== 'MetricAlarm') return;
    fresh.scalingActedAt = now;
    const breach = breachOf(reasonData, criteria.threshold);
    this.deps.db.transaction(() => {
      this.alarms.put(scope, fresh);
      for (const action of actions) this.enqueueAction({ ...scope, name: fresh.name, type: fresh.type, action, subject: '', message: '', state: fresh.state, time: now, breach });
    });
  }

  /** Applies a state change (from evaluation or SetAlarmState): history, actions, event, composite parents. */
  setState(scope: Scope, alarm: AlarmRecord, state: StateValue, reason: string, reasonData?: string, depth = 0): void {
    const now = this.deps.clock.now();
    const change: StateChange = { oldState: alarm.state, oldReason: alarm.stateReason, oldReasonData: alarm.stateReasonData, oldTimestamp: alarm.stateUpdated, time: now };
    const fresh = this.alarms.get(scope, alarm.name) ?? alarm;
    Object.assign(fresh, { state, stateReason: reason, stateReasonData: reasonData, stateUpdated: now, stateTransitioned: change.oldState !== state ? now : fresh.stateTransitioned });
    if (fresh.type === 'MetricAlarm') fresh.scalingActedAt = now;
    Object.assign(alarm, fresh);
    this.deps.db.transaction(() => {
      this.alarms.put(scope, fresh);
      this.alarms.record(scope, {
        alarm: fresh.name, type: fresh.type, ts: now, itemType: 'StateUpdate',
        summary: `Alarm updated from ${change.oldState} to ${state}`,
        data: JSON.stringify({
          version: '1.0',
          oldState: { stateValue: change.oldState, stateReason: change.oldReason, ...(change.oldReasonData ? { stateReasonData: safeJson(change.oldReasonData) } : {}) },
          newState: { stateValue: state, stateReason: reason, ...(reasonData ? { stateReasonData: safeJson(reasonData) } : {}) },
        }),
      });
      const subject = notificationSubject(fresh, scope.region);
      const message = notificationMessage(fresh, scope, change);
      const lambdaEvent = lambdaActionEvent(fresh, scope, change);
      const breach = fresh.type === 'MetricAlarm' ? breachOf(reasonData ? safeJson(reasonData) : undefined, fresh.config.Threshold) : undefined;
      for (const action of actionsFor(fresh, state)) {
        const isLambda = parseArn(action)?.service === 'lambda';
        this.enqueueAction({ ...scope, name: fresh.name, type: fresh.type, action, subject, message: isLambda ? lambdaEvent : message, state, time: now, breach });
      }
    });
    void publishEvent(this.deps.aws, this.deps.log, scope, stateChangeEvent(fresh, change));
    this.deps.bus.emit(ALARM_STATE_CHANGED, { scope, alarmName: fresh.name, state } satisfies AlarmStateChanged);
    if (depth < 10) this.updateParents(scope, fresh, depth + 1);
  }

  /** Tells in-process watchers (CodeDeploy) that an alarm is gone. */
  deleted(scope: Scope, name: string): void {
    this.deps.bus.emit(ALARM_STATE_CHANGED, { scope, alarmName: name, state: 'DELETED' } satisfies AlarmStateChanged);
  }

  /** Re-evaluates the composite alarms whose rule names `child`. */
  updateParents(scope: Scope, child: AlarmRecord, depth = 1): void {
    for (const parent of this.alarms.list(scope)) {
      if (parent.type !== 'CompositeAlarm') continue;
      const refs = ruleAlarms(parseRule(parent.config.AlarmRule));
      if (refs.has(child.name) || refs.has(child.arn)) this.evaluateComposite(scope, parent, depth);
    }
  }

  /** A composite alarm is ALARM while its rule is true, OK otherwise. */
  evaluateComposite(scope: Scope, alarm: AlarmRecord, depth = 1): void {
    if (alarm.type !== 'CompositeAlarm') return;
    const rule = parseRule(alarm.config.AlarmRule);
    const stateOf = (ref: string) => {
      const name = ref.startsWith('arn:') ? parseArn(ref)?.resource.replace(/^alarm:/, '') ?? ref : ref;
      return this.alarms.get(scope, name)?.state;
    };
    const state: StateValue = evaluateRule(rule, stateOf) ? 'ALARM' : 'OK';
    if (state === alarm.state) return;
    const triggering = [...ruleAlarms(rule)].map((ref) => ({ ref, state: stateOf(ref) })).filter((x) => x.state === 'ALARM');
    const reason = state === 'ALARM'
      ? `Alarm rule evaluated to TRUE${triggering.length ? `: ${triggering.map((t) => t.ref).join(', ')} in ALARM` : ''}`
      : 'Alarm rule evaluated to FALSE';
    const reasonData = JSON.stringify({ triggeringAlarms: triggering.map((t) => ({ arn: this.alarms.get(scope, t.ref)?.arn ?? t.ref, state: { value: t.state, timestamp: awsTime(this.deps.clock.now()) } })) });
    this.setState(scope, alarm, state, reason, reasonData, depth);
  }

  private async runAction(job: ActionJob): Promise<void> {
    const arn = parseArn(job.action);
    const scope = { accountId: job.accountId, region: job.region };
    try {
      if (arn?.service === 'sns') {
        const out = await this.deps.aws.service<SnsOperations>('sns', { accountId: arn.accountId, region: arn.region }).Publish({ TopicArn: job.action, Subject: job.subject, Message: job.message });
        this.recordAction(job, true, `MessageId ${out.MessageId ?? ''}`);
        return;
      }
      if (arn?.service === 'lambda') {
        // Asynchronous, as AWS invokes a function from an alarm; the message is the state-change event.
        await this.deps.aws.service<LambdaOperations>('lambda', { accountId: arn.accountId, region: arn.region }).Invoke({ FunctionName: job.action, InvocationType: 'Event', Payload: Buffer.from(job.message) });
        this.recordAction(job, true, `Invoked function ${job.action}`);
        return;
      }
      if (arn?.service === 'autoscaling') {
        // As on AWS, a policy's cooldown applies to executions from alarms.
        const breach = job.breach ? { MetricValue: job.breach.value, BreachThreshold: job.breach.threshold } : {};
        await this.deps.aws.call('autoscaling', 'ExecutePolicy', { PolicyName: job.action, HonorCooldown: true, ...breach }, scope);
        this.recordAction(job, true, `Executed policy ${job.action}`);
        return;
      }
      // EC2 actions and the rest go through their services' APIs once they exist.
      const [service, operation] = arn?.service === 'automate' ? ['ec2', arn.resource.split(':').pop() === 'stop' ? 'StopInstances' : 'RebootInstances'] : [arn?.service ?? 'unknown', 'Unknown'];
      await this.deps.aws.call(service, operation, {}, scope);
      this.recordAction(job, false, `${service} ${operation} is not supported as an alarm action yet`);
    } catch (e) {
      // Client errors (missing topic, unimplemented service) will not heal with a retry.
      if (isServiceError(e) && e.senderFault || isServiceError(e) && e.code === 'NotImplemented') {
        this.recordAction(job, false, `${e.code}: ${e.message}`);
        return;
      }
      throw e;
    }
  }

  private recordAction(job: ActionJob, ok: boolean, detail: string): void {
    const scope = { accountId: job.accountId, region: job.region };
    this.alarms.record(scope, {
      alarm: job.name, type: job.type, ts: this.deps.clock.now(), itemType: 'Action',
      summary: ok ? `Successfully executed action ${job.action}` : `Failed to execute action ${job.action}. Received error: "${detail}"`,
      data: JSON.stringify({ actionState: ok ? 'Succeeded' : 'Failed', stateUpdateTimestamp: job.time, notificationResource: job.action, ...(ok ? { publishedMessage: detail } : { error: detail }) }),
    });
  }
}

/** The latest evaluated datapoint against the threshold, when the alarm has both. */
function breachOf(reasonData: unknown, threshold: number | undefined): ActionJob['breach'] {
  if (threshold === undefined || typeof reasonData !== 'object' || reasonData === null) return undefined;
  const recent = (reasonData as { recentDatapoints?: unknown }).recentDatapoints;
  const value = Array.isArray(recent) ? recent[recent.length - 1] : undefined;
  return typeof value === 'number' ? { value, threshold } : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
