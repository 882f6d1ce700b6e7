import type { RequestContext } from '../../aws/gateway/context.js';
import type { CloudwatchOperations, MetricDatum } from '../../aws/models/generated/cloudwatch.js';
import type { InputLogEvent, LogsOperations, MetricTransformation } from '../../aws/models/generated/logs.js';
import { isServiceError, ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { paginate } from '../common/paging.js';
import type { ServiceDeps } from '../service.js';
import { filterKey, invalidParameter, requireGroup } from './common.js';
import { parseFilterPattern, type FilterPattern } from './filter-pattern.js';
import { resolveSelector } from './json-pattern.js';
import type { IngestListener } from './streams.js';
import type { LogsStore, MetricFilterRecord } from './store.js';

type Ops = Partial<LogsOperations<RequestContext>>;

const MAX_FILTERS_PER_GROUP = 100;

/** A metric datum as a job carries it (JSON: the timestamp as epoch milliseconds). */
interface Datum extends Omit<MetricDatum, 'Timestamp'> {
  Timestamp: number;
}

interface PublishJob {
  scope: Scope;
  namespace: string;
  data: Datum[];
}

/** Metric filters: stored, tested, and applied to every ingested batch, publishing to CloudWatch metrics. */
export function metricFilters(store: LogsStore, deps: ServiceDeps): { ops: Ops; onIngest: IngestListener } {
  const patterns = new Map<string, FilterPattern>();
  const compiled = (text: string) => {
    let p = patterns.get(text);
    if (!p) patterns.set(text, (p = parseFilterPattern(text)));
    return p;
  };

  const publish = deps.jobs.define<PublishJob>('logs.metric-filter-publish', async (job) => {
    try {
      await deps.aws.service<CloudwatchOperations>('cloudwatch', job.scope).PutMetricData({
        Namespace: job.namespace,
        MetricData: job.data.map((d) => ({ ...d, Timestamp: new Date(d.Timestamp) })),
      });
    } catch (e) {
      // Until CloudWatch metrics run here, the data points have nowhere to go; the log events are already stored.
      if (isServiceError(e) && e.code === 'NotImplemented') {
        deps.log.debug('metric filter data dropped: CloudWatch PutMetricData is not available', { namespace: job.namespace, points: job.data.length });
        return;
      }
      throw e;
    }
  });

  const onIngest: IngestListener = (scope, group, _stream, events) => {
    const filters = store.metricFilters.list(scope, filterKey(group.name, ''));
    const byNamespace = new Map<string, Datum[]>();
    for (const f of filters) {
      for (const d of datapoints(compiled(f.filterPattern), f.metricTransformations[0], events, deps.clock.now())) {
        const ns = f.metricTransformations[0].metricNamespace;
        const list = byNamespace.get(ns);
        if (list) list.push(d);
        else byNamespace.set(ns, [d]);
      }
    }
    for (const [namespace, data] of byNamespace) {
      for (let i = 0; i < data.length; i += 1000) publish({ scope, namespace, data: data.slice(i, i + 1000) });
    }
  };

  const ops: Ops = {
    async PutMetricFilter(input, ctx) {
      const g = requireGroup(store, ctx, input.logGroupName);
      compiled(input.filterPattern);
      const t = input.metricTransformations[0];
      checkTransformation(t);
      const key = filterKey(g.name, input.filterName);
      const existing = store.metricFilters.get(ctx, key);
      if (!existing && store.metricFilters.list(ctx, filterKey(g.name, '')).length >= MAX_FILTERS_PER_GROUP) {
        throw new ServiceError('LimitExceededException', `Resource limit exceeded: a log group can have at most ${MAX_FILTERS_PER_GROUP} metric filters.`);
      }
      store.metricFilters.put(ctx, key, {
        logGroupName: g.name,
        filterName: input.filterName,
        filterPattern: input.filterPattern,
        metricTransformations: input.metricTransformations,
        creationTime: existing?.creationTime ?? deps.clock.now(),
        applyOnTransformedLogs: input.applyOnTransformedLogs ?? false,
      });
      return {};
    },

    async DescribeMetricFilters(input, ctx) {
      if (input.filterNamePrefix && !input.logGroupName) throw invalidParameter('A filter name prefix requires a log group name.');
      if (!!input.metricName !== !!input.metricNamespace) throw invalidParameter('metricName and metricNamespace must be specified together.');
      if (input.logGroupName) requireGroup(store, ctx, input.logGroupName);
      const prefix = input.logGroupName ? filterKey(input.logGroupName, input.filterNamePrefix ?? '') : undefined;
      const all = store.metricFilters.list(ctx, prefix).filter((f) =>
        !input.metricName || f.metricTransformations.some((t) => t.metricName === input.metricName && t.metricNamespace === input.metricNamespace));
      const page = paginate(all, (f) => filterKey(f.logGroupName, f.filterName), input.nextToken, input.limit ?? 50, (t) => invalidParameter(`The specified nextToken is invalid: ${t}`));
      return { metricFilters: page.items.map(describe), nextToken: page.next };
    },

    async DeleteMetricFilter(input, ctx) {
      requireGroup(store, ctx, input.logGroupName);
      if (!store.metricFilters.delete(ctx, filterKey(input.logGroupName, input.filterName))) {
        throw new ServiceError('ResourceNotFoundException', 'The specified metric filter does not exist.');
      }
      return {};
    },

    async TestMetricFilter(input) {
      const p = compiled(input.filterPattern);
      const matches = input.logEventMessages.flatMap((m, i) => {
        const extracted = p.match(m);
        return extracted ? [{ eventNumber: i + 1, eventMessage: m, extractedValues: extracted }] : [];
      });
      return { matches };
    },
  };
  return { ops, onIngest };
}

function describe(f: MetricFilterRecord) {
  return {
    filterName: f.filterName,
    filterPattern: f.filterPattern,
    metricTransformations: f.metricTransformations,
    creationTime: f.creationTime,
    logGroupName: f.logGroupName,
    applyOnTransformedLogs: f.applyOnTransformedLogs,
  };
}

function checkTransformation(t: MetricTransformation): void {
  if (!/^(\$[.\w[\]-]+|-?\d+(\.\d+)?)$/.test(t.metricValue)) {
    throw invalidParameter(`Invalid metric value '${t.metricValue}': use a number or a field from the pattern such as $.latency or $bytes.`);
  }
  if (t.dimensions && Object.keys(t.dimensions).length > 3) throw invalidParameter('A metric transformation can have at most 3 dimensions.');
  if (t.dimensions && Object.keys(t.dimensions).length && t.defaultValue !== undefined) {
    throw invalidParameter('Metric transformations with dimensions cannot have a default value.');
  }
}

/** The value of `$.a.b` or `$field` for one matched event. */
function fieldValue(ref: string, message: string, extracted: Record<string, string>): string | undefined {
  if (!ref.startsWith('$')) return ref;
  if (ref in extracted) return extracted[ref];
  if (!ref.startsWith('$.')) return undefined;
  try {
    const v = resolveSelector(JSON.parse(message), ref);
    return v === undefined || v === null || typeof v === 'object' ? undefined : String(v);
  } catch {
    return undefined;
  }
}

function datapoints(p: FilterPattern, t: MetricTransformation, events: InputLogEvent[], now: number): Datum[] {
  const out: Datum[] = [];
  for (const e of events) {
    const extracted = p.match(e.message);
    if (!extracted) continue;
    const value = Number(fieldValue(t.metricValue, e.message, extracted));
    if (!Number.isFinite(value)) continue;
    const dims = Object.entries(t.dimensions ?? {}).map(([Name, ref]) => ({ Name, Value: fieldValue(ref, e.message, extracted) ?? '' }));
    out.push({ MetricName: t.metricName, Value: value, Unit: t.unit, Timestamp: e.timestamp, Dimensions: dims.length ? dims.filter((d) => d.Value) : undefined });
  }
  if (!out.length && t.defaultValue !== undefined) out.push({ MetricName: t.metricName, Value: t.defaultValue, Unit: t.unit, Timestamp: now });
  return out;
}
