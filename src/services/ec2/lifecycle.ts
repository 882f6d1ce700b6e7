import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/event-bus.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { InstanceHost } from '../../runtime/instance-host.js';
import type { JobQueue } from '../../state/job-queue.js';
import { INSTANCE_STATE_CHANGED, type InstanceStateChanged } from '../common/instance-events.js';
import { STATE_CODES, type Ec2Store, type InstanceRecord, type StateName } from './store.js';

type Action = 'boot' | 'stop' | 'terminate' | 'reboot';

interface TransitionJob {
  scope: Scope;
  instanceId: string;
  action: Action;
}

/** Where each action leaves an instance once its work is done. */
const SETTLED: Record<Action, StateName> = { boot: 'running', stop: 'stopped', terminate: 'terminated', reboot: 'running' };

/**
 * Moves instances through AWS's states: the API call records the transient state
 * (pending, stopping, shutting-down) and a durable job does the work on the host (boot the
 * instance's namespaces and run its user data, end its processes) and records the settled one.
 */
export class InstanceLifecycle {
  private readonly enqueue: (job: TransitionJob) => void;

  constructor(
    private readonly store: Ec2Store,
    private readonly host: InstanceHost,
    private readonly clock: Clock,
    private readonly log: Logger,
    jobs: JobQueue,
    private readonly bus?: EventBus,
  ) {
    this.enqueue = jobs.define<TransitionJob>('ec2.transition', (job) => this.transition(job), { maxAttempts: 3 });
  }

  request(scope: Scope, instanceId: string, action: Action): void {
    this.enqueue({ scope, instanceId, action });
  }

  /** After a restart: instances that were running come back up with their applications. */
  async resume(): Promise<void> {
    for (const { scope, value } of this.store.instances.all()) {
      if (value.state === 'running') await this.boot(scope, value).catch((e: unknown) => this.log.warn('instance did not come back', { id: value.instanceId, error: String(e) }));
    }
  }

  async shutdown(): Promise<void> {
    await this.host.haltAll();
  }

  private async transition(job: TransitionJob): Promise<void> {
    const rec = this.store.instances.get(job.scope, job.instanceId);
    if (!rec) return;
    if (job.action === 'boot') await this.boot(job.scope, rec);
    else if (job.action === 'reboot') {
      await this.host.halt(rec.instanceId, rec.network);
      await this.boot(job.scope, rec);
    } else await this.host.halt(rec.instanceId, rec.network);
    const now = this.store.instances.get(job.scope, job.instanceId);
    if (!now) return;
    const state = SETTLED[job.action];
    if (job.action === 'terminate') rmSync(dirname(now.root), { recursive: true, force: true });
    this.store.instances.put(job.scope, now.instanceId, { ...now, state, ...(state === 'running' ? {} : { transitionReason: `User initiated (${new Date(this.clock.now()).toISOString()})` }) });
    if (job.action === 'boot' && !now.userDataRan) await this.runUserData(job.scope, now);
    this.bus?.emit(INSTANCE_STATE_CHANGED, { scope: job.scope, instanceId: now.instanceId, state } satisfies InstanceStateChanged);
  }

  private async boot(scope: Scope, rec: InstanceRecord): Promise<void> {
    await this.host.boot({ id: rec.instanceId, root: rec.root, network: rec.network, hostname: hostname(rec.network.address) });
  }

  /** Runs the user data as root, its output in /var/log/cloud-init-output.log as on Amazon Linux. */
  private async runUserData(scope: Scope, stale: InstanceRecord): Promise<void> {
    const rec = this.store.instances.get(scope, stale.instanceId) ?? stale;
    this.store.instances.put(scope, rec.instanceId, { ...rec, userDataRan: true });
    if (!rec.userData || !this.host.isRunning(rec.instanceId)) return;
    const script = Buffer.from(rec.userData, 'base64').toString('utf8');
    const logFile = join(rec.root, 'var/log/cloud-init-output.log');
    mkdirSync(dirname(logFile), { recursive: true });
    const argv = script.startsWith('#!') ? ['/bin/sh', '-c', 'f=/tmp/user-data; cat > $f <<"SLIPWAY_EOF"\n' + script + '\nSLIPWAY_EOF\nchmod +x $f; exec $f'] : ['/bin/sh', '-c', script];
    const result = await this.host.exec(rec.instanceId, {
      argv,
      cwd: '/',
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' },
      onOutput: (t) => appendFileSync(logFile, t),
    });
    this.log.debug('user data ran', { id: rec.instanceId, exitCode: result.exitCode });
  }
}

export function hostname(address: string): string {
  return `ip-${address.replace(/\./g, '-')}`;
}

export function stateOf(name: StateName) {
  return { Code: STATE_CODES[name], Name: name };
}
