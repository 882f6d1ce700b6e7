import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { CloudwatchOperations, Datapoint, GetMetricStatisticsInput, MetricDatum } from '../../aws/models/generated/cloudwatch.js';
import { paginate } from '../common/paging.js';
import type { Clock } from '../../core/clock.js';
import { paginateResults } from './metric-paging.js';
import { checkQueries, runQueries, validPeriod } from './metric-data.js';
import { checkDimensions, datumToRow, parseDimensionKey, type PointRow } from './metric-input.js';
import { MetricReader, type MetricSpec } from './metric-query.js';
import { matchesSearch, parseSearch } from './metric-search.js';
import type { MetricRecord, MetricStore } from './metric-store.js';
import { basicStat, isBasicStat, parseExtendedStat, extendedStat } from './statistics.js';

type Provider = Partial<CloudwatchOperations<RequestContext>>;

const TWO_WEEKS = 14 * 24 * 3600_000;
const THREE_HOURS = 3 * 3600_000;
const MAX_STATISTICS_POINTS = 1440;
const invalid = (msg: string) => new ServiceError('InvalidParameterValueException', msg, { statusCode: 400 });
const combination = (msg: string) => new ServiceError('InvalidParameterCombinationException', msg, { statusCode: 400 });

export function checkTimeRange(start: number, end: number): void {
  if (start === end) throw invalid('The parameter StartTime must not equal parameter EndTime.');
  if (start > end) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
}

/** Metrics seen in the last two weeks (what ListMetrics and SEARCH look at). */
export function metricsOf(store: MetricStore, scope: Scope, now: number, recent = false): (MetricRecord & { dimensions: MetricSpec['dimensions'] })[] {
  return store.list(scope, now - (recent ? THREE_HOURS : TWO_WEEKS)).map((m) => ({ ...m, dimensions: parseDimensionKey(m.dims) }));
}

/** PutMetricData, GetMetricStatistics, GetMetricData and ListMetrics. */
export function metricOperations(store: MetricStore, clock: Clock): Provider {
  const reader = new MetricReader(store);
  return {
    async PutMetricData(input, ctx) {
      if (input.Namespace.startsWith('AWS/') && ctx.protocol !== 'internal') {
        throw invalid(`The value ${input.Namespace} for parameter Namespace is invalid.`);
      }
      const data: MetricDatum[] = [...(input.MetricData ?? []), ...(input.EntityMetricData ?? []).flatMap((e) => e.MetricData ?? [])];
      if (!data.length) throw new ServiceError('MissingRequiredParameterException', 'At least one of the parameters MetricData and EntityMetricData must be specified.', { statusCode: 400 });
      if (data.length > 1000) throw invalid('The collection MetricData must not have a size greater than 1000.');
      const now = clock.now();
      const rows: PointRow[] = data.map((d, i) => datumToRow(d, i, now));
      store.put(ctx, input.Namespace, rows, now);
      return {};
    },

    async GetMetricStatistics(input, ctx) {
      const stats = input.Statistics ?? [];
      const extended = input.ExtendedStatistics ?? [];
      if (stats.length && extended.length) throw combination('The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.');
      if (!stats.length && !extended.length) throw new ServiceError('MissingRequiredParameterException', 'Must specify either Statistics or ExtendedStatistics.', { statusCode: 400 });
      extended.forEach((s, i) => {
        if (!parseExtendedStat(s)) throw invalid(`The value ${s} for parameter ExtendedStatistics.member.${i + 1} is not a valid extended statistic.`);
      });
      checkDimensions(input.Dimensions, 'GetMetricStatistics');
      const start = input.StartTime.getTime();
      const end = input.EndTime.getTime();
      checkTimeRange(start, end);
      if (!validPeriod(input.Period)) throw invalid('The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.');
      const requested = Math.ceil((end - start) / (input.Period * 1000));
      if (requested > MAX_STATISTICS_POINTS) {
        throw combination(`You have requested up to ${requested.toLocaleString('en-US')} datapoints, which exceeds the limit of ${MAX_STATISTICS_POINTS.toLocaleString('en-US')}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
      }
      const buckets = reader.buckets(ctx, specOf(input), input.Period, start, end, clock.now(), { unit: input.Unit, perUnit: !input.Unit, withValues: extended.length > 0 });
      const datapoints = buckets.map((b): Datapoint => {
        const dp: Datapoint = { Timestamp: new Date(b.ts), Unit: (input.Unit ?? b.unit) as Datapoint['Unit'] };
        for (const s of stats) if (isBasicStat(s)) dp[s] = basicStat(b.agg, s);
        if (extended.length) {
          dp.ExtendedStatistics = {};
          for (const s of extended) {
            const v = extendedStat(b.agg, parseExtendedStat(s)!);
            if (v !== undefined) dp.ExtendedStatistics[s] = v;
          }
        }
        return dp;
      });
      return { Label: input.MetricName, Datapoints: datapoints };
    },

    async GetMetricData(input, ctx) {
      const start = input.StartTime.getTime();
      const end = input.EndTime.getTime();
      checkTimeRange(start, end);
      checkQueries(input.MetricDataQueries);
      const now = clock.now();
      const results = runQueries(input.MetricDataQueries, {
        start, end, now,
        read: (spec, stat, period, unit) => reader.series(ctx, spec, stat, period, start, end, now, unit),
        search: (query) => {
          const q = parseSearch(query);
          return metricsOf(store, ctx, now).map((m) => ({ namespace: m.namespace, name: m.name, dimensions: m.dimensions })).filter((m) => matchesSearch(q, { ...m, dimensions: m.dimensions ?? [] }));
        },
      });
      return paginateResults(results, input);
    },

    async ListMetrics(input, ctx) {
      (input.Dimensions ?? []).forEach((d, i) => {
        if (input.Dimensions!.findIndex((o) => o.Name === d.Name) !== i) throw invalid(`The dimension filter ${d.Name} is specified more than once.`);
      });
      const matching = metricsOf(store, ctx, clock.now(), input.RecentlyActive === 'PT3H').filter(
        (m) =>
          (!input.Namespace || m.namespace === input.Namespace) &&
          (!input.MetricName || m.name === input.MetricName) &&
          (input.Dimensions ?? []).every((f) => m.dimensions!.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value))),
      );
      const page = paginate(matching, (m) => `${m.namespace}\u0000${m.name}\u0000${m.dims}`, input.NextToken, 500, (t) => new ServiceError('InvalidNextToken', `The token ${t} is not valid.`, { statusCode: 400 }));
      return {
        Metrics: page.items.map((m) => ({ Namespace: m.namespace, MetricName: m.name, Dimensions: m.dimensions })),
        NextToken: page.next,
      };
    },
  };
}

function specOf(input: GetMetricStatisticsInput): MetricSpec {
  return { namespace: input.Namespace, name: input.MetricName, dimensions: input.Dimensions };
}
