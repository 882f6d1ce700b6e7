import type { MetricDatum } from '../../../aws/models/generated/cloudwatch.js';
import type { Scope } from '../../../core/scope.js';

interface Bucket {
  scope: Scope;
  lb: string;
  tg?: string;
  counts: Map<string, number>;
  time: { n: number; sum: number; min: number; max: number };
}

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

const TARGET_CLASS: Record<number, string> = { 2: 'HTTPCode_Target_2XX_Count', 3: 'HTTPCode_Target_3XX_Count', 4: 'HTTPCode_Target_4XX_Count', 5: 'HTTPCode_Target_5XX_Count' };

function inc(counts: Map<string, number>, name: string): void {
  counts.set(name, (counts.get(name) ?? 0) + 1);
}

/**
 * Sums requests into per-minute AWS/ApplicationELB figures with AWS's names and dimensions
 * (`LoadBalancer`, and `TargetGroup` + `LoadBalancer` for target metrics).
 */
export class MetricsAggregator {
  private buckets = new Map<string, Bucket>();

  record(o: RequestOutcome): void {
    this.add(o.scope, o.lb, undefined, o);
    if (o.tg) this.add(o.scope, o.lb, o.tg, o);
  }

  private add(scope: Scope, lb: string, tg: string | undefined, o: RequestOutcome): void {
    // Keyed by the dimension strings (already unique per ARN) and the scope objects' fields, one
    // lookup per request; the per-minute drain builds CloudWatch's data from these sums.
    const key = tg === undefined ? `${scope.accountId}|${scope.region}|${lb}` : `${scope.accountId}|${scope.region}|${lb}|${tg}`;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { scope, lb, tg, counts: new Map(), time: { n: 0, sum: 0, min: Infinity, max: -Infinity } }));
    inc(b.counts, 'RequestCount');
    if (o.targetStatus !== undefined) inc(b.counts, TARGET_CLASS[Math.floor(o.targetStatus / 100)] ?? `HTTPCode_Target_${Math.floor(o.targetStatus / 100)}XX_Count`);
    if (o.elbStatus !== undefined && !tg) {
      const cls = Math.floor(o.elbStatus / 100);
      if (cls >= 3) inc(b.counts, `HTTPCode_ELB_${cls}XX_Count`);
      if ([500, 502, 503, 504].includes(o.elbStatus)) inc(b.counts, `HTTPCode_ELB_${o.elbStatus}_Count`);
    }
    if (o.targetSeconds !== undefined) {
      const t = b.time;
      t.n++;
      t.sum += o.targetSeconds;
      t.min = Math.min(t.min, o.targetSeconds);
      t.max = Math.max(t.max, o.targetSeconds);
    }
  }

  /** The minute's data by scope, stamped `at`; the counters start over. */
  drain(at: number): Map<string, { scope: Scope; data: MetricDatum[] }> {
    const out = new Map<string, { scope: Scope; data: MetricDatum[] }>();
    for (const b of this.buckets.values()) {
      const dims = [...(b.tg ? [{ Name: 'TargetGroup', Value: b.tg }] : []), { Name: 'LoadBalancer', Value: b.lb }];
      const data: MetricDatum[] = [...b.counts].map(([MetricName, Value]) => ({ MetricName, Dimensions: dims, Timestamp: new Date(at), Value, Unit: 'Count' }));
      if (b.time.n) {
        const { n, sum, min, max } = b.time;
        data.push({ MetricName: 'TargetResponseTime', Dimensions: dims, Timestamp: new Date(at), StatisticValues: { SampleCount: n, Sum: sum, Minimum: min, Maximum: max }, Unit: 'Seconds' });
      }
      const key = `${b.scope.accountId}|${b.scope.region}`;
      const entry = out.get(key) ?? { scope: b.scope, data: [] };
      entry.data.push(...data);
      out.set(key, entry);
    }
    this.buckets = new Map();
    return out;
  }
}
