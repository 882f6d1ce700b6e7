import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { AlarmHistoryItem, CloudwatchOperations, CompositeAlarm, DescribeAlarmsInput, MetricAlarm } from '../../aws/models/generated/cloudwatch.js';
import { paginate } from '../common/paging.js';
import type { Clock } from '../../core/clock.js';
import type { AlarmEngine } from './alarm-engine.js';
import { checkCompositeAlarm, checkMetricAlarm } from './alarm-input.js';
import { parseRule, ruleAlarms } from './alarm-rule.js';
import { alarmArn, type AlarmRecord, type AlarmStore, type CompositeAlarmRecord, type MetricAlarmRecord } from './alarm-store.js';
import { dimensionKey } from './metric-input.js';

type Provider = Partial<CloudwatchOperations<RequestContext>>;

const notFound = (msg: string) => new ServiceError('ResourceNotFound', msg, { statusCode: 404 });
const validation = (msg: string) => new ServiceError('ValidationError', msg, { statusCode: 400 });
const badToken = (t: string) => new ServiceError('InvalidNextToken', `The token ${t} is not valid.`, { statusCode: 400 });
const INITIAL_REASON = 'Unchecked: Initial alarm creation';

export function toMetricAlarm(a: MetricAlarmRecord): MetricAlarm {
  const c = a.config;
  return {
    AlarmName: a.name, AlarmArn: a.arn, AlarmDescription: c.AlarmDescription, AlarmConfigurationUpdatedTimestamp: new Date(a.configUpdated),
    ActionsEnabled: a.actionsEnabled, OKActions: c.OKActions ?? [], AlarmActions: c.AlarmActions ?? [], InsufficientDataActions: c.InsufficientDataActions ?? [],
    StateValue: a.state, StateReason: a.stateReason, StateReasonData: a.stateReasonData, StateUpdatedTimestamp: new Date(a.stateUpdated),
    MetricName: c.MetricName, Namespace: c.Namespace, Statistic: c.Statistic, ExtendedStatistic: c.ExtendedStatistic, Dimensions: c.Metrics?.length ? undefined : c.Dimensions ?? [],
    Period: c.Period, Unit: c.Unit, EvaluationPeriods: c.EvaluationPeriods, DatapointsToAlarm: c.DatapointsToAlarm, Threshold: c.Threshold,
    ComparisonOperator: c.ComparisonOperator, TreatMissingData: c.TreatMissingData, EvaluateLowSampleCountPercentile: c.EvaluateLowSampleCountPercentile,
    Metrics: c.Metrics, ThresholdMetricId: c.ThresholdMetricId, StateTransitionedTimestamp: new Date(a.stateTransitioned),
  };
}

export function toCompositeAlarm(a: CompositeAlarmRecord): CompositeAlarm {
  const c = a.config;
  return {
    AlarmName: a.name, AlarmArn: a.arn, AlarmDescription: c.AlarmDescription, AlarmRule: c.AlarmRule, AlarmConfigurationUpdatedTimestamp: new Date(a.configUpdated),
    ActionsEnabled: a.actionsEnabled, OKActions: c.OKActions ?? [], AlarmActions: c.AlarmActions ?? [], InsufficientDataActions: c.InsufficientDataActions ?? [],
    StateValue: a.state, StateReason: a.stateReason, StateReasonData: a.stateReasonData, StateUpdatedTimestamp: new Date(a.stateUpdated),
    StateTransitionedTimestamp: new Date(a.stateTransitioned), ActionsSuppressor: c.ActionsSuppressor,
    ActionsSuppressorWaitPeriod: c.ActionsSuppressorWaitPeriod, ActionsSuppressorExtensionPeriod: c.ActionsSuppressorExtensionPeriod,
  };
}

function fresh<T extends AlarmRecord>(scope: Scope, existing: AlarmRecord | undefined, now: number, rest: Omit<T, 'arn' | 'state' | 'stateReason' | 'stateUpdated' | 'stateTransitioned' | 'configUpdated'>): T {
  const kept = existing && existing.type === rest.type ? existing : undefined;
  return {
    arn: alarmArn(scope, rest.name), state: kept?.state ?? 'INSUFFICIENT_DATA', stateReason: kept?.stateReason ?? INITIAL_REASON,
    stateReasonData: kept?.stateReasonData, stateUpdated: kept?.stateUpdated ?? now, stateTransitioned: kept?.stateTransitioned ?? now, configUpdated: now, ...rest,
  } as T;
}

const refName = (ref: string) => (ref.startsWith('arn:') ? ref.split(':alarm:').pop()! : ref);

/** Alarm operations; the engine does the evaluating. */
export function alarmOperations(store: AlarmStore, engine: AlarmEngine, clock: Clock): Provider {
  const configured = (scope: Scope, a: AlarmRecord, created: boolean) =>
    store.record(scope, { alarm: a.name, type: a.type, ts: clock.now(), itemType: 'ConfigurationUpdate', summary: `Alarm "${a.name}" ${created ? 'created' : 'updated'}`, data: JSON.stringify({ version: '1.0', type: a.type === 'MetricAlarm' ? 'Metric' : 'Composite' }) });

  const relatives = (scope: Scope, input: DescribeAlarmsInput): Set<string> | undefined => {
    if (input.ChildrenOfAlarmName) {
      const parent = store.get(scope, input.ChildrenOfAlarmName);
      return new Set(parent?.type === 'CompositeAlarm' ? [...ruleAlarms(parseRule(parent.config.AlarmRule))].map(refName) : []);
    }
    if (input.ParentsOfAlarmName) {
      const child = input.ParentsOfAlarmName;
      return new Set(store.list(scope).filter((a) => a.type === 'CompositeAlarm' && [...ruleAlarms(parseRule(a.config.AlarmRule))].map(refName).includes(child)).map((a) => a.name));
    }
    return undefined;
  };

  const named = (ctx: Scope, names: string[]) => {
    const found = names.map((n) => store.get(ctx, n));
    const missing = names.filter((_, i) => !found[i]);
    return { found: found.filter((a): a is AlarmRecord => !!a), missing };
  };

  return {
    async PutMetricAlarm(input, ctx) {
      checkMetricAlarm(input, ctx.region);
      const existing = store.get(ctx, input.AlarmName);
      if (existing?.type === 'CompositeAlarm') throw validation(`The alarm ${input.AlarmName} already exists as a composite alarm.`);
      const { Tags, ...config } = input;
      const alarm = fresh<MetricAlarmRecord>(ctx, existing, clock.now(), {
        type: 'MetricAlarm', name: input.AlarmName, actionsEnabled: input.ActionsEnabled ?? true, config, tags: Tags ?? existing?.tags ?? [],
        tick: existing?.type === 'MetricAlarm' ? existing.tick + 1 : 0,
      });
      store.put(ctx, alarm);
      configured(ctx, alarm, !existing);
      engine.schedule(ctx, alarm);
      return {};
    },

    async PutCompositeAlarm(input, ctx) {
      const refs = checkCompositeAlarm(input, ctx.region);
      const existing = store.get(ctx, input.AlarmName);
      if (existing?.type === 'MetricAlarm') throw validation(`The alarm ${input.AlarmName} already exists as a metric alarm.`);
      const absent = [...refs].filter((r) => !store.get(ctx, refName(r)));
      if (absent.length) throw validation(`Could not save the composite alarm as alarms [${absent.join(', ')}] in the alarm rule do not exist`);
      if (createsCycle(store, ctx, input.AlarmName, refs)) throw validation('The alarm rule would create a cycle of composite alarms.');
      const { Tags, ...config } = input;
      const alarm = fresh<CompositeAlarmRecord>(ctx, existing, clock.now(), { type: 'CompositeAlarm', name: input.AlarmName, actionsEnabled: input.ActionsEnabled ?? true, config, tags: Tags ?? existing?.tags ?? [] });
      store.put(ctx, alarm);
      configured(ctx, alarm, !existing);
      engine.evaluateComposite(ctx, alarm);
      return {};
    },

    async DescribeAlarms(input, ctx) {
      if (input.AlarmNames?.length && input.AlarmNamePrefix) {
        throw new ServiceError('InvalidParameterCombinationException', 'The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.', { statusCode: 400 });
      }
      const types = input.AlarmTypes?.length ? input.AlarmTypes : ['MetricAlarm'];
      const related = relatives(ctx, input);
      const all = store.list(ctx, input.AlarmNamePrefix).filter((a) =>
        types.includes(a.type) && (!input.AlarmNames?.length || input.AlarmNames.includes(a.name)) && (!input.StateValue || a.state === input.StateValue) &&
        (!input.ActionPrefix || [...(a.config.AlarmActions ?? []), ...(a.config.OKActions ?? []), ...(a.config.InsufficientDataActions ?? [])].some((x) => x.startsWith(input.ActionPrefix!))) &&
        (!related || related.has(a.name)));
      const page = paginate(all, (a) => a.name, input.NextToken, Math.min(Math.max(input.MaxRecords ?? 50, 1), 100), badToken);
      return {
        MetricAlarms: page.items.filter((a): a is MetricAlarmRecord => a.type === 'MetricAlarm').map(toMetricAlarm),
        CompositeAlarms: page.items.filter((a): a is CompositeAlarmRecord => a.type === 'CompositeAlarm').map(toCompositeAlarm),
        NextToken: page.next,
      };
    },

    async DescribeAlarmsForMetric(input, ctx) {
      const dims = input.Dimensions ? dimensionKey(input.Dimensions) : undefined;
      const matches = (a: MetricAlarmRecord) => {
        const c = a.config;
        const stats = c.Metrics?.length ? c.Metrics.filter((m) => m.MetricStat).map((m) => ({ ...m.MetricStat!.Metric, Period: m.MetricStat!.Period, Stat: m.MetricStat!.Stat, Unit: m.MetricStat!.Unit })) : [{ MetricName: c.MetricName, Namespace: c.Namespace, Dimensions: c.Dimensions, Period: c.Period, Stat: c.Statistic ?? c.ExtendedStatistic, Unit: c.Unit }];
        return stats.some((s) => s.MetricName === input.MetricName && s.Namespace === input.Namespace && (dims === undefined || dimensionKey(s.Dimensions) === dims) &&
          (!input.Period || s.Period === input.Period) && (!input.Unit || s.Unit === input.Unit) && (!input.Statistic || s.Stat === input.Statistic) && (!input.ExtendedStatistic || s.Stat === input.ExtendedStatistic));
      };
      return { MetricAlarms: store.list(ctx).filter((a): a is MetricAlarmRecord => a.type === 'MetricAlarm' && matches(a)).map(toMetricAlarm) };
    },

    async DeleteAlarms(input, ctx) {
      const { found, missing } = named(ctx, input.AlarmNames);
      if (missing.length) throw notFound(`${missing.length} out of ${input.AlarmNames.length} alarms were not found: [${missing.join(', ')}]`);
      for (const a of found) store.delete(ctx, a.name);
      for (const a of found) engine.deleted(ctx, a.name);
      return {};
    },

    async SetAlarmState(input, ctx) {
      const alarm = store.get(ctx, input.AlarmName);
      if (!alarm) throw notFound(`Alarm ${input.AlarmName} not found`);
      if (input.StateReasonData !== undefined) {
        try {
          JSON.parse(input.StateReasonData);
        } catch {
          throw new ServiceError('InvalidFormatFault', 'The StateReasonData must be valid JSON.', { statusCode: 400 });
        }
      }
      if (alarm.state !== input.StateValue || alarm.stateReason !== input.StateReason) engine.setState(ctx, alarm, input.StateValue, input.StateReason, input.StateReasonData);
      return {};
    },

    async DescribeAlarmHistory(input, ctx) {
      const from = input.StartDate?.getTime() ?? 0;
      const to = input.EndDate?.getTime() ?? Number.MAX_SAFE_INTEGER;
      const types = input.AlarmTypes?.length ? input.AlarmTypes : ['MetricAlarm', 'CompositeAlarm'];
      const ascending = input.ScanBy === 'TimestampAscending';
      let items = store.history(ctx, from, to).filter((h) => (!input.AlarmName || h.alarm === input.AlarmName) && types.includes(h.type) && (!input.HistoryItemType || h.itemType === input.HistoryItemType));
      if (!ascending) items = items.reverse();
      // Row ids grow with time, so a key from them keeps pages stable while history is added.
      const key = (h: { id: number }) => String(ascending ? h.id : 1e12 - h.id).padStart(13, '0');
      const page = paginate(items, key, input.NextToken, Math.min(Math.max(input.MaxRecords ?? 100, 1), 100), badToken);
      return {
        AlarmHistoryItems: page.items.map((h): AlarmHistoryItem => ({ AlarmName: h.alarm, AlarmType: h.type, Timestamp: new Date(h.ts), HistoryItemType: h.itemType, HistorySummary: h.summary, HistoryData: h.data })),
        NextToken: page.next,
      };
    },

    async EnableAlarmActions(input, ctx) {
      for (const a of named(ctx, input.AlarmNames).found) store.put(ctx, { ...a, actionsEnabled: true });
      return {};
    },

    async DisableAlarmActions(input, ctx) {
      for (const a of named(ctx, input.AlarmNames).found) store.put(ctx, { ...a, actionsEnabled: false });
      return {};
    },
  };
}

function createsCycle(store: AlarmStore, scope: Scope, name: string, refs: Set<string>): boolean {
  const seen = new Set<string>();
  const stack = [...refs].map(refName);
  while (stack.length) {
    const next = stack.pop()!;
    if (next === name) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    const a = store.get(scope, next);
    if (a?.type === 'CompositeAlarm') stack.push(...[...ruleAlarms(parseRule(a.config.AlarmRule))].map(refName));
  }
  return false;
}
