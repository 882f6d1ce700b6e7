import type { MetricDatum } from '../../../aws/models/generated/cloudwatch.js';
import type { Scope } from '../../../core/scope.js';

/** What one proxied request adds to the minute's metrics. */
export interface RequestOutcome {
  scope: Scope;
  /** Dimension values: app/<name>/<id> and targetgroup/<name>/<id>. */
  lb: string;
  tg?: string;
  /** The status a target answered with, when one did. */
  targetStatus?: number;
  /** The status the load balancer answered with itself (redirects, fixed responses, 5XX errors). */
  elbStatus?: number;
  /** Seconds from sending the request to the target to its response headers. */
  targetSeconds?: number;
}

/**
 * One dimension set's counters for the current minute, in plain numbers: the proxy's fast
 * path keeps a reference and counts into it without building keys or objects per request.
 * A counter that saw nothing for a whole minute is dropped (`dead`); holders then ask again.
 */
export class MetricCounter {
  requests = 0;
  /** Target responses by status class (index 1..5). */
  readonly target = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  /** The load balancer's own answers, by metric name (rare: not worth fixed slots). */
  readonly elb = new Map<string, number>();
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  dead = false;

  constructor(
    readonly scope: Scope,
    readonly lb: string,
    readonly tg: string | undefined,
  ) {}

  /** Counts one request; -1 (or NaN for the time) where the request has no such figure. */
  count(targetStatus: number, elbStatus: number, targetSeconds: number): void {
    this.requests++;
    if (targetStatus >= 0) this.target[Math.floor(targetStatus / 100) % 10]++;
    if (elbStatus >= 0 && this.tg === undefined) this.countElb(elbStatus);
    if (targetSeconds === targetSeconds) {
      this.n++;
      this.sum += targetSeconds;
      if (targetSeconds < this.min) this.min = targetSeconds;
      if (targetSeconds > this.max) this.max = targetSeconds;
    }
  }

  private countElb(status: number): void {
    const cls = Math.floor(status / 100);
    if (cls >= 3) this.bump(`HTTPCode_ELB_${cls}XX_Count`);
    if (status === 500 || status === 502 || status === 503 || status === 504) this.bump(`HTTPCode_ELB_${status}_Count`);
  }

  private bump(name: string): void {
    this.elb.set(name, (this.elb.get(name) ?? 0) + 1);
  }

  /** The minute's data with AWS's names and dimensions; the counters start over. */
  drain(at: number): MetricDatum[] {
    const dims = [...(this.tg ? [{ Name: 'TargetGroup', Value: this.tg }] : []), { Name: 'LoadBalancer', Value: this.lb }];
    const datum = (MetricName: string, Value: number): MetricDatum => ({ MetricName, Dimensions: dims, Timestamp: new Date(at), Value, Unit: 'Count' });
    const data = [datum('RequestCount', this.requests)];
    this.target.forEach((v, cls) => v && data.push(datum(`HTTPCode_Target_${cls}XX_Count`, v)));
    for (const [name, v] of this.elb) data.push(datum(name, v));
    if (this.n) {
      const StatisticValues = { SampleCount: this.n, Sum: this.sum, Minimum: this.min, Maximum: this.max };
      data.push({ MetricName: 'TargetResponseTime', Dimensions: dims, Timestamp: new Date(at), StatisticValues, Unit: 'Seconds' });
    }
    this.requests = this.n = this.sum = 0;
    this.target.fill(0);
    this.elb.clear();
    this.min = Infinity;
    this.max = -Infinity;
    return data;
  }
}

/**
 * Sums requests into per-minute AWS/ApplicationELB figures with AWS's names and dimensions
 * (`LoadBalancer`, and `TargetGroup` + `LoadBalancer` for target metrics).
 */
export class MetricsAggregator {
  private readonly counters = new Map<string, MetricCounter>();

  /** The counter of a load balancer (no `tg`) or of a target group behind it. */
  counter(scope: Scope, lb: string, tg?: string): MetricCounter {
    const key = tg === undefined ? `${scope.accountId}|${scope.region}|${lb}` : `${scope.accountId}|${scope.region}|${lb}|${tg}`;
    let c = this.counters.get(key);
    if (!c) this.counters.set(key, (c = new MetricCounter(scope, lb, tg)));
    return c;
  }

  record(o: RequestOutcome): void {
    const args = [o.targetStatus ?? -1, o.elbStatus ?? -1, o.targetSeconds ?? NaN] as const;
    this.counter(o.scope, o.lb).count(...args);
    if (o.tg) this.counter(o.scope, o.lb, o.tg).count(...args);
  }

  /** The minute's data by scope, stamped `at`; counters that saw nothing are dropped. */
  drain(at: number): Map<string, { scope: Scope; data: MetricDatum[] }> {
    const out = new Map<string, { scope: Scope; data: MetricDatum[] }>();
    for (const [key, c] of this.counters) {
      if (c.requests === 0) {
        c.dead = true;
        this.counters.delete(key);
        continue;
      }
      const scopeKey = `${c.scope.accountId}|${c.scope.region}`;
      const entry = out.get(scopeKey) ?? { scope: c.scope, data: [] };
      entry.data.push(...c.drain(at));
      out.set(scopeKey, entry);
    }
    return out;
  }
}
