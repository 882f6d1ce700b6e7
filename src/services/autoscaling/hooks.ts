import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { LifecycleHookSpecification } from '../../aws/models/generated/autoscaling.js';
import type { SnsOperations } from '../../aws/models/generated/sns.js';
import type { SqsOperations } from '../../aws/models/generated/sqs.js';
import { parseArn } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { EventBus } from '../../core/event-bus.js';
import { uuid } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import { LIFECYCLE_ACTION, type LifecycleAction } from '../common/lifecycle-events.js';
import type { AsgEvents } from './events.js';
import type { AutoscalingStore, GroupRecord, HookRecord, HookWait, MemberRecord } from './store.js';
import type { HookGate, Transition } from './transitions.js';
import { validationError } from './validation.js';

interface TimeoutJob {
  scope: Scope;
  instanceId: string;
  token: string;
  hook: string;
}

const TRANSITIONS = ['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING'];
const MAX_GLOBAL_MS = 48 * 3600_000;

/**
 * Lifecycle hooks: an instance reaching a hooked transition waits in Pending:Wait or
 * Terminating:Wait, its hooks are notified (SQS, SNS, EventBridge), and it goes on when every
 * hook is completed, when one abandons, or when a heartbeat timeout applies the default result.
 */
export class LifecycleHooks implements HookGate {
  private readonly enqueueTimeout: (job: TimeoutJob, opts: { delayMs: number }) => void;
  /** Set by the service: asks the reconciler to take the instance's next step. */
  poke: (scope: Scope, group: string) => void = () => undefined;

  constructor(
    private readonly store: AutoscalingStore,
    private readonly clock: Clock,
    private readonly aws: AwsClient,
    private readonly log: Logger,
    private readonly events: AsgEvents,
    jobs: JobQueue,
    private readonly bus: EventBus,
  ) {
    this.enqueueTimeout = jobs.define<TimeoutJob>('autoscaling.hook-timeout', (job) => this.timeout(job), { maxAttempts: 3 });
  }

  /** Creates or updates a hook (PutLifecycleHook, or a hook given with CreateAutoScalingGroup). */
  put(scope: Scope, g: GroupRecord, spec: Partial<LifecycleHookSpecification> & { LifecycleHookName: string; AutoScalingGroupName: string }): HookRecord {
    const key = `${g.name}\u0000${spec.LifecycleHookName}`;
    const old = this.store.hooks.get(scope, key);
    const transition = spec.LifecycleTransition ?? old?.LifecycleTransition;
    if (!transition || !TRANSITIONS.includes(transition)) throw validationError(`Invalid Lifecycle Transition: ${transition ?? 'none given'}. Valid values are ${TRANSITIONS.join(' and ')}.`);
    const heartbeat = spec.HeartbeatTimeout ?? old?.HeartbeatTimeout ?? 3600;
    if (heartbeat < 30 || heartbeat > 7200) throw validationError(`Heartbeat timeout ${heartbeat} must be between 30 and 7200 seconds.`);
    const result = spec.DefaultResult ?? old?.DefaultResult ?? 'ABANDON';
    if (!['CONTINUE', 'ABANDON'].includes(result)) throw validationError(`Invalid default result ${result}. Valid values are CONTINUE and ABANDON.`);
    if (!old && this.store.hooksOf(scope, g.name).length >= 50) throw validationError('A group can have at most 50 lifecycle hooks.');
    const hook: HookRecord = {
      LifecycleHookName: spec.LifecycleHookName, AutoScalingGroupName: g.name, LifecycleTransition: transition,
      NotificationTargetARN: spec.NotificationTargetARN ?? old?.NotificationTargetARN, RoleARN: spec.RoleARN ?? old?.RoleARN,
      NotificationMetadata: spec.NotificationMetadata ?? old?.NotificationMetadata, HeartbeatTimeout: heartbeat,
      GlobalTimeout: Math.min(100 * heartbeat, MAX_GLOBAL_MS / 1000), DefaultResult: result,
    };
    this.store.hooks.put(scope, key, hook);
    return hook;
  }

  async hold(scope: Scope, g: GroupRecord, m: MemberRecord, transition: Transition): Promise<boolean> {
    const hooks = this.store.hooksOf(scope, g.name).filter((h) => h.LifecycleTransition === transition);
    if (!hooks.length) return false;
    const now = this.clock.now();
    const wait: HookWait = {
      token: uuid(), transition, globalDeadline: now + Math.min(...hooks.map((h) => h.GlobalTimeout! * 1000)),
      pending: hooks.map((h) => ({ hook: h.LifecycleHookName, deadline: now + h.HeartbeatTimeout! * 1000, defaultResult: h.DefaultResult! })),
    };
    const launching = transition === 'autoscaling:EC2_INSTANCE_LAUNCHING';
    const current = this.store.members.get(scope, m.instanceId) ?? m;
    this.store.members.put(scope, m.instanceId, { ...current, lifecycleState: launching ? 'Pending:Wait' : 'Terminating:Wait', wait });
    for (const h of hooks) {
      this.enqueueTimeout({ scope, instanceId: m.instanceId, token: wait.token, hook: h.LifecycleHookName }, { delayMs: h.HeartbeatTimeout! * 1000 });
      await this.notify(scope, g, h, m.instanceId, wait.token, launching);
      this.bus.emit(LIFECYCLE_ACTION, { scope, group: g.name, hook: h.LifecycleHookName, instanceId: m.instanceId, transition } satisfies LifecycleAction);
    }
    return true;
  }

  /** Finds the waiting instance a CompleteLifecycleAction or heartbeat names, by token or instance id. */
  waiting(scope: Scope, group: string, hook: string, token: string | undefined, instanceId: string | undefined): MemberRecord {
    const m = instanceId ? this.store.members.get(scope, instanceId) : this.store.membersOf(scope, group).find((x) => x.wait?.token === token);
    const ok = m && m.group === group && m.wait && (!token || m.wait.token === token) && m.wait.pending.some((p) => p.hook === hook);
    if (!ok) throw validationError(token ? `No active Lifecycle Action found with token ${token}` : `No active Lifecycle Action found with instance ID ${instanceId ?? ''}`);
    return m;
  }

  complete(scope: Scope, m: MemberRecord, hook: string, result: string): void {
    if (!['CONTINUE', 'ABANDON'].includes(result)) throw validationError(`Invalid lifecycle action result ${result}. Valid values are CONTINUE and ABANDON.`);
    const wait = m.wait!;
    const abandoned = wait.abandoned || result === 'ABANDON';
    const pending = wait.pending.filter((p) => p.hook !== hook);
    const done = abandoned || pending.length === 0;
    const launching = wait.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING';
    const state = done ? (launching ? 'Pending:Proceed' : 'Terminating:Proceed') : m.lifecycleState;
    this.store.members.put(scope, m.instanceId, { ...m, lifecycleState: state, wait: { ...wait, pending: done ? [] : pending, abandoned } });
    if (done) this.poke(scope, m.group);
  }

  heartbeat(scope: Scope, m: MemberRecord, hook: string): void {
    const h = this.store.hooks.get(scope, `${m.group}\u0000${hook}`);
    const wait = m.wait!;
    const now = this.clock.now();
    const deadline = Math.min(now + (h?.HeartbeatTimeout ?? 3600) * 1000, wait.globalDeadline);
    this.store.members.put(scope, m.instanceId, { ...m, wait: { ...wait, pending: wait.pending.map((p) => (p.hook === hook ? { ...p, deadline } : p)) } });
  }

  private async timeout(job: TimeoutJob): Promise<void> {
    const m = this.store.members.get(job.scope, job.instanceId);
    const p = m?.wait?.token === job.token ? m.wait.pending.find((x) => x.hook === job.hook) : undefined;
    if (!m || !p) return;
    const due = Math.min(p.deadline, m.wait!.globalDeadline);
    const now = this.clock.now();
    if (due > now) return this.enqueueTimeout(job, { delayMs: due - now });
    this.complete(job.scope, m, job.hook, p.defaultResult);
  }

  private async notify(scope: Scope, g: GroupRecord, h: HookRecord, instanceId: string, token: string, launching: boolean): Promise<void> {
    const base = {
      Origin: launching ? 'EC2' : 'AutoScalingGroup', Destination: launching ? 'AutoScalingGroup' : 'EC2', LifecycleHookName: h.LifecycleHookName,
      LifecycleTransition: h.LifecycleTransition, AutoScalingGroupName: g.name, EC2InstanceId: instanceId, LifecycleActionToken: token,
      ...(h.NotificationMetadata !== undefined ? { NotificationMetadata: h.NotificationMetadata } : {}),
    };
    this.events.lifecycleAction(scope, g, base, launching);
    if (!h.NotificationTargetARN) return;
    const message = { ...base, AccountId: scope.accountId, RequestId: uuid(), Service: 'AWS Auto Scaling', Time: new Date(this.clock.now()).toISOString() };
    const subject = `Auto Scaling:  Lifecycle action '${launching ? 'LAUNCHING' : 'TERMINATING'}' for instance ${instanceId} in progress.`;
    await this.send(h.NotificationTargetARN, JSON.stringify(message), subject);
  }

  /** The test message AWS sends to a hook's target when the hook is put. */
  async testNotification(scope: Scope, g: GroupRecord, target: string): Promise<void> {
    const message = { AccountId: scope.accountId, RequestId: uuid(), AutoScalingGroupARN: g.arn, AutoScalingGroupName: g.name, Service: 'AWS Auto Scaling', Event: 'autoscaling:TEST_NOTIFICATION', Time: new Date(this.clock.now()).toISOString() };
    await this.send(target, JSON.stringify(message), `Auto Scaling: test notification for group "${g.name}"`);
  }

  private async send(target: string, body: string, subject: string): Promise<void> {
    const arn = parseArn(target);
    try {
      if (arn?.service === 'sqs') {
        const sqs = this.aws.service<SqsOperations>('sqs', { accountId: arn.accountId, region: arn.region });
        const url = await sqs.GetQueueUrl({ QueueName: arn.resource, QueueOwnerAWSAccountId: arn.accountId });
        await sqs.SendMessage({ QueueUrl: url.QueueUrl!, MessageBody: body });
      } else if (arn?.service === 'sns') {
        await this.aws.service<SnsOperations>('sns', { accountId: arn.accountId, region: arn.region }).Publish({ TopicArn: target, Message: body, Subject: subject });
      } else this.log.warn('lifecycle hook target is neither an SQS queue nor an SNS topic', { target });
    } catch (e) {
      // A missing queue or topic must not hold the instance: the timeout still applies.
      this.log.warn('lifecycle notification failed', { target, error: errorMessage(e) });
    }
  }
}
