import type { MetricDatum } from '../../aws/models/generated/cloudwatch.js';
import type { Scope } from '../../core/scope.js';

/** What one invocation adds to the minute's AWS/Lambda metrics. */
export interface InvocationRecord {
  scope: Scope;
  functionName: string;
  /** `name:alias` or `name:version` when the caller qualified the function. */
  resource?: string;
  /** The version that ran, published with the Resource dimension for alias invocations. */
  executedVersion?: string;
  durationMs?: number;
  error?: boolean;
  throttled?: boolean;
}

interface Bucket {
  scope: Scope;
  dims: { Name: string; Value: string }[];
  invocations: number;
  errors: number;
  throttles: number;
  duration: { n: number; sum: number; min: number; max: number };
}

/**
 * Sums invocations into per-minute AWS/Lambda figures under AWS's dimension sets:
 * {FunctionName}, {FunctionName, Resource} and {FunctionName, Resource, ExecutedVersion}.
 */
export class LambdaMetrics {
  private buckets = new Map<string, Bucket>();

  record(r: InvocationRecord): void {
    const name = { Name: 'FunctionName', Value: r.functionName };
    this.add(r, [name]);
    if (!r.resource) return;
    const resource = { Name: 'Resource', Value: r.resource };
    this.add(r, [name, resource]);
    if (r.executedVersion) this.add(r, [name, resource, { Name: 'ExecutedVersion', Value: r.executedVersion }]);
  }

  private add(r: InvocationRecord, dims: { Name: string; Value: string }[]): void {
    const key = `${r.scope.accountId}|${r.scope.region}|${dims.map((d) => d.Value).join('|')}`;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { scope: r.scope, dims, invocations: 0, errors: 0, throttles: 0, duration: { n: 0, sum: 0, min: Infinity, max: -Infinity } }));
    if (r.throttled) {
      b.throttles++;
      return;
    }
    b.invocations++;
    if (r.error) b.errors++;
    if (r.durationMs !== undefined) {
      const d = b.duration;
      d.n++;
      d.sum += r.durationMs;
      d.min = Math.min(d.min, r.durationMs);
      d.max = Math.max(d.max, r.durationMs);
    }
  }

  /** The period's data by scope, stamped `at`; the counters start over. */
  drain(at: number): { scope: Scope; data: MetricDatum[] }[] {
    const out = new Map<string, { scope: Scope; data: MetricDatum[] }>();
    const ts = new Date(at);
    for (const b of this.buckets.values()) {
      const data: MetricDatum[] = [];
      const count = (MetricName: string, Value: number) => data.push({ MetricName, Dimensions: b.dims, Timestamp: ts, Value, Unit: 'Count' });
      if (b.invocations) {
        count('Invocations', b.invocations);
        count('Errors', b.errors);
      }
      if (b.throttles) count('Throttles', b.throttles);
      const d = b.duration;
      if (d.n) data.push({ MetricName: 'Duration', Dimensions: b.dims, Timestamp: ts, StatisticValues: { SampleCount: d.n, Sum: d.sum, Minimum: d.min, Maximum: d.max }, Unit: 'Milliseconds' });
      const key = `${b.scope.accountId}|${b.scope.region}`;
      const entry = out.get(key) ?? { scope: b.scope, data: [] };
      entry.data.push(...data);
      out.set(key, entry);
    }
    this.buckets = new Map();
    return [...out.values()];
  }
}
