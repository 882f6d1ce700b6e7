import { Agent } from 'node:http';
import type { AwsClient } from '../../../aws/gateway/aws-client.js';
import type { CloudwatchOperations, MetricDatum } from '../../../aws/models/generated/cloudwatch.js';
import type { TargetDescription, TargetHealthDescription } from '../../../aws/models/generated/elbv2.js';
import type { Clock, Timer } from '../../../core/clock.js';
import type { SlipwayConfig } from '../../../core/config.js';
import { errorMessage, ServiceError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { Scope } from '../../../core/scope.js';
import type { JobQueue } from '../../../state/job-queue.js';
import { forwardTargets, targetKey, type Elbv2Store, type ListenerRecord, type TargetGroupRecord } from '../store.js';
import { loadCertificate, SniTable } from './certificates.js';
import { ListenerServer, type ProxyHost } from './listener-server.js';
import { MetricsAggregator } from './metrics.js';
import { buildRouteTable, dimensionOf, type RouteTable } from './route-table.js';
import { TargetPool, type TargetStates } from './target-pool.js';
import { UpstreamPool } from './upstream-pool.js';

export interface EngineDeps {
  store: Elbv2Store;
  clock: Clock;
  aws: AwsClient;
  jobs: JobQueue;
  log: Logger;
  config: SlipwayConfig;
}

interface Bound {
  server: ListenerServer;
  scope: Scope;
  listener: ListenerRecord;
  /** The port actually bound (the requested one, or an OS-chosen one with --elb-ports ephemeral). */
  boundPort: number;
}

interface MetricsJob {
  scope: Scope;
  data: (Omit<MetricDatum, 'Timestamp'> & { Timestamp: number })[];
}

const MINUTE = 60_000;

/**
 * The data plane: one HTTP reverse proxy per listener, target pools with their health
 * checks and draining, and the per-minute AWS/ApplicationELB metrics. The API operations
 * store the configuration and call `changed()`; the engine reads it from the store.
 */
export class ProxyEngine implements ProxyHost {
  readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
  readonly upstreams = new UpstreamPool();
  readonly metrics = new MetricsAggregator();
  readonly clock: Clock;
  readonly log: Logger;
  private readonly bound = new Map<string, Bound>();
  private readonly pools = new Map<string, TargetPool>();
  private readonly tables = new Map<string, RouteTable>();
  private readonly publish: (job: MetricsJob) => void;
  private flushTimer: Timer | undefined;
  private running = false;

  constructor(private readonly deps: EngineDeps) {
    this.clock = deps.clock;
    this.log = deps.log;
    this.publish = deps.jobs.define<MetricsJob>('elbv2.metrics', (job) => this.putMetrics(job), { maxAttempts: 5 });
  }

  async start(): Promise<void> {
    this.running = true;
    // Target pools first, with the health they had: a listener serves traffic the moment it is bound.
    this.changed();
    for (const { scope, value } of this.deps.store.listeners.all()) {
      try {
        await this.openListener(scope, value);
      } catch (e) {
        this.deps.log.error('load balancer listener could not be restored', { listener: value.arn, port: value.port, error: errorMessage(e) });
      }
    }
    this.changed();
    this.scheduleFlush();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.flushTimer?.cancel();
    // Pools first: the requests cut by closing the listeners must not end a draining target's stored state.
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
    await Promise.all([...this.bound.keys()].map((arn) => this.closeListener(arn)));
    this.tables.clear();
    this.agent.destroy();
    this.upstreams.destroy();
  }

  /** Binds (or rebinds) a listener's port; a port that cannot be had is an AWS-shaped error. */
  async openListener(scope: Scope, listener: ListenerRecord): Promise<void> {
    const existing = this.bound.get(listener.arn);
    const same = (a: ListenerRecord) => a.port === listener.port && a.protocol === listener.protocol && a.certificateArn === listener.certificateArn;
    const sameSni = (a: ListenerRecord) => (a.sniCertificateArns ?? []).join(' ') === (listener.sniCertificateArns ?? []).join(' ');
    if (existing && same(existing.listener) && sameSni(existing.listener)) {
      existing.listener = listener;
      return;
    }
    const tls = listener.protocol === 'HTTPS' ? await loadCertificate(this.deps.aws, scope, listener.certificateArn ?? '') : undefined;
    // Every certificate is read (and so checked) before anything changes.
    const sni = tls ? SniTable.from(await Promise.all((listener.sniCertificateArns ?? []).map((arn) => loadCertificate(this.deps.aws, scope, arn)))) : undefined;
    if (existing && same(existing.listener)) {
      existing.listener = listener; // only the SNI certificates changed: swapped in place, no rebind
      if (sni) existing.server.sni = sni;
      return;
    }
    const server = new ListenerServer(listener.arn, this, tls);
    if (sni) server.sni = sni;
    const ephemeral = this.deps.config.elbPorts === 'ephemeral';
    // The same port again (a new certificate or protocol): the old server must let go of it first.
    if (existing && existing.listener.port === listener.port && !ephemeral) {
      await existing.server.close();
      this.bound.delete(listener.arn);
    }
    let boundPort: number;
    try {
      boundPort = await server.listen(ephemeral ? 0 : listener.port, this.deps.config.host);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'is already in use on this machine' : code === 'EACCES' ? 'needs privileges Slipway does not have' : `cannot be bound (${errorMessage(e)})`;
      throw new ServiceError(
        'InvalidConfigurationRequestException',
        `Port ${listener.port} on ${this.deps.config.host} ${why}, so the listener cannot serve it. Choose another port, free it, or start Slipway with --elb-ports ephemeral.`,
      );
    }
    if (existing && this.bound.get(listener.arn) === existing) await existing.server.close();
    this.bound.set(listener.arn, { server, scope, listener, boundPort });
    this.deps.log.info('load balancer listener bound', { listener: listener.arn, port: listener.port, address: `${tls ? 'https' : 'http'}://${this.deps.config.host}:${boundPort}` });
  }

  async closeListener(arn: string): Promise<void> {
    const b = this.bound.get(arn);
    if (!b) return;
    this.bound.delete(arn);
    await b.server.close();
  }

  /** The configuration changed: route tables are rebuilt on next use and target pools resync. */
  changed(): void {
    this.tables.clear();
    const { store } = this.deps;
    const used = new Map<string, Set<string>>();
    for (const { scope, value: lb } of store.loadBalancers.all()) {
      for (const a of store.actionsOf(scope, lb.arn)) for (const tg of forwardTargets(a)) used.set(tg, (used.get(tg) ?? new Set()).add(lb.arn));
    }
    for (const b of this.bound.values()) {
      const fresh = store.listeners.get(b.scope, b.listener.arn);
      if (fresh) b.listener = fresh;
    }
    const seen = new Set<string>();
    for (const { scope, value: tg } of store.targetGroups.all()) {
      seen.add(tg.arn);
      let pool = this.pools.get(tg.arn);
      if (!pool) this.pools.set(tg.arn, (pool = new TargetPool(scope, tg, this.clock, this.deps.aws, this.statesOf(scope, tg.arn))));
      pool.sync(tg, store.targetsOf(scope, tg.arn), this.running && used.has(tg.arn));
    }
    for (const [arn, pool] of this.pools) {
      if (!seen.has(arn)) {
        pool.dispose();
        this.pools.delete(arn);
      }
    }
  }

  private statesOf(scope: Scope, tgArn: string): TargetStates {
    const { store } = this.deps;
    return {
      load: () => store.targetStatesOf(scope, tgArn),
      save: (r) => store.targetStates.put(scope, targetKey(tgArn, r.id, r.port), r),
      forget: (id, port) => void store.targetStates.delete(scope, targetKey(tgArn, id, port)),
    };
  }

  table(listenerArn: string): RouteTable | undefined {
    let t = this.tables.get(listenerArn);
    if (t) return t;
    const b = this.bound.get(listenerArn);
    if (!b) return undefined;
    t = buildRouteTable(this.deps.store, b.scope, b.listener);
    if (t) this.tables.set(listenerArn, t);
    return t;
  }

  pool(scope: Scope, tgArn: string): TargetPool | undefined {
    const p = this.pools.get(tgArn);
    return p && p.scope.accountId === scope.accountId && p.scope.region === scope.region ? p : undefined;
  }

  health(scope: Scope, tg: TargetGroupRecord, only?: TargetDescription[]): TargetHealthDescription[] {
    const pool = this.pool(scope, tg.arn);
    const wanted = only?.length ? only.map((t) => ({ id: t.Id, port: t.Port ?? tg.port })) : (pool?.list() ?? []);
    if (!pool) return wanted.map((w) => ({ Target: { Id: w.id, Port: w.port }, TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' } }));
    return wanted.map((w) => pool.describe(w.id, w.port));
  }

  /** Where each listener really listens: the route GET /_slipway/elbv2/listeners answers this. */
  addresses(): { ListenerArn: string; LoadBalancerArn: string; Port: number; BoundPort: number; Address: string }[] {
    const host = this.deps.config.host === '0.0.0.0' ? '127.0.0.1' : this.deps.config.host;
    return [...this.bound.values()].map((b) => ({
      ListenerArn: b.listener.arn,
      LoadBalancerArn: b.listener.loadBalancerArn,
      Port: b.listener.port,
      BoundPort: b.boundPort,
      Address: `${b.listener.protocol === 'HTTPS' ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${b.boundPort}`,
    }));
  }

  private scheduleFlush(): void {
    if (!this.running) return;
    const now = this.clock.now();
    this.flushTimer = this.clock.setTimer(MINUTE - (now % MINUTE || 0) || MINUTE, () => {
      this.flush();
      this.scheduleFlush();
    });
  }

  /** Publishes the minute's request metrics and each used target group's host counts. */
  flush(): void {
    const at = this.clock.now();
    const byScope = this.metrics.drain(at);
    const { store } = this.deps;
    for (const { scope, value: lb } of store.loadBalancers.all()) {
      const groups = new Set(store.actionsOf(scope, lb.arn).flatMap(forwardTargets));
      for (const tgArn of groups) {
        const pool = this.pool(scope, tgArn);
        if (!pool) continue;
        const dims = [{ Name: 'TargetGroup', Value: dimensionOf(tgArn) }, { Name: 'LoadBalancer', Value: dimensionOf(lb.arn) }];
        const key = `${scope.accountId}|${scope.region}`;
        const entry = byScope.get(key) ?? { scope, data: [] };
        entry.data.push(
          { MetricName: 'HealthyHostCount', Dimensions: dims, Timestamp: new Date(at), Value: pool.healthyCount(), Unit: 'Count' },
          { MetricName: 'UnHealthyHostCount', Dimensions: dims, Timestamp: new Date(at), Value: pool.unhealthyCount(), Unit: 'Count' },
        );
        byScope.set(key, entry);
      }
    }
    for (const { scope, data } of byScope.values()) {
      for (let i = 0; i < data.length; i += 500) {
        this.publish({ scope, data: data.slice(i, i + 500).map((d) => ({ ...d, Timestamp: (d.Timestamp as Date).getTime() })) });
      }
    }
  }

  private async putMetrics(job: MetricsJob): Promise<void> {
    await this.deps.aws.service<CloudwatchOperations>('cloudwatch', job.scope).PutMetricData({
      Namespace: 'AWS/ApplicationELB',
      MetricData: job.data.map((d) => ({ ...d, Timestamp: new Date(d.Timestamp) })),
    });
  }
}
