import type { RequestContext } from '../../aws/gateway/context.js';
import type { EventsOperations, Rule } from '../../aws/models/generated/events.js';
import type { Scope } from '../../core/scope.js';
import { compilePattern, page, requireBus, requireRule, scopeOf, validation } from './common.js';
import { parseSchedule, ScheduleError } from './schedule.js';
import { mergeTags } from './tags.js';
import { DEFAULT_BUS, ruleArn, type EventsStore, type RuleRecord } from './store.js';

type Ops = Pick<
  EventsOperations<RequestContext>,
  'PutRule' | 'DescribeRule' | 'ListRules' | 'EnableRule' | 'DisableRule' | 'DeleteRule' | 'ListRuleNamesByTarget'
>;

/** Keeps a schedule rule's pending fire job in step with the rule; saves the rule. */
export interface RuleSaver {
  save(scope: Scope, rule: RuleRecord): void;
}

export function ruleShape(r: RuleRecord): Rule {
  return {
    Name: r.name,
    Arn: r.arn,
    EventPattern: r.eventPattern,
    ScheduleExpression: r.scheduleExpression,
    State: r.state,
    Description: r.description,
    RoleArn: r.roleArn,
    EventBusName: r.bus,
  };
}

function checkSchedule(expression: string, bus: string): void {
  if (bus !== DEFAULT_BUS) throw validation('ScheduleExpression is supported only on the default event bus.');
  try {
    parseSchedule(expression);
  } catch (e) {
    if (e instanceof ScheduleError) throw validation(`Parameter ScheduleExpression is not valid. Reason: ${e.message}.`);
    throw e;
  }
}

/** Rules: event patterns and schedules on a bus, their state, and the lookups by name and target. */
export function ruleOperations(store: EventsStore, saver: RuleSaver): Ops {
  const setState = (input: { Name: string; EventBusName?: string }, ctx: RequestContext, state: RuleRecord['state']) => {
    const scope = scopeOf(ctx);
    const rule = { ...requireRule(store, scope, input.Name, input.EventBusName), state };
    saver.save(scope, rule);
    return Promise.resolve({});
  };

  return {
    async PutRule(input, ctx) {
      const scope = scopeOf(ctx);
      const bus = requireBus(store, scope, input.EventBusName);
      if (!input.EventPattern && !input.ScheduleExpression) throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
      if (input.EventPattern) compilePattern(input.EventPattern);
      if (input.ScheduleExpression) checkSchedule(input.ScheduleExpression, bus.name);
      const existing = store.rule(scope, bus.name, input.Name);
      // A changed schedule starts afresh; an unchanged one keeps its pending fire.
      const sameSchedule = existing?.scheduleExpression === input.ScheduleExpression;
      const rule: RuleRecord = {
        name: input.Name,
        bus: bus.name,
        arn: ruleArn(scope, bus.name, input.Name),
        eventPattern: input.EventPattern,
        scheduleExpression: input.ScheduleExpression,
        state: input.State ?? 'ENABLED',
        description: input.Description,
        roleArn: input.RoleArn,
        createdBy: existing?.createdBy ?? scope.accountId,
        tags: mergeTags(existing?.tags ?? [], input.Tags ?? []),
        targets: existing?.targets ?? [],
        scheduleAnchor: sameSchedule ? existing?.scheduleAnchor : undefined,
        nextFireAt: sameSchedule ? existing?.nextFireAt : undefined,
      };
      saver.save(scope, rule);
      return { RuleArn: rule.arn };
    },

    async DescribeRule(input, ctx) {
      const r = requireRule(store, scopeOf(ctx), input.Name, input.EventBusName);
      return { ...ruleShape(r), CreatedBy: r.createdBy };
    },

    async ListRules(input, ctx) {
      const scope = scopeOf(ctx);
      const bus = requireBus(store, scope, input.EventBusName);
      const rules = store.rulesOf(scope, bus.name).filter((r) => !input.NamePrefix || r.name.startsWith(input.NamePrefix));
      const p = page(rules, (r) => r.name, input.NextToken, input.Limit);
      return { Rules: p.items.map(ruleShape), NextToken: p.next };
    },

    EnableRule: (input, ctx) => setState(input, ctx, 'ENABLED'),
    DisableRule: (input, ctx) => setState(input, ctx, 'DISABLED'),

    async DeleteRule(input, ctx) {
      const scope = scopeOf(ctx);
      const bus = requireBus(store, scope, input.EventBusName);
      const rule = store.rule(scope, bus.name, input.Name);
      if (!rule) return {};
      // Force only concerns managed rules; it never deletes a rule that still has targets.
      if (rule.targets.length) throw validation("Rule can't be deleted since it has targets.");
      store.deleteRule(scope, bus.name, input.Name);
      return {};
    },

    async ListRuleNamesByTarget(input, ctx) {
      const scope = scopeOf(ctx);
      const bus = requireBus(store, scope, input.EventBusName);
      const names = store
        .rulesOf(scope, bus.name)
        .filter((r) => r.targets.some((t) => t.Arn === input.TargetArn))
        .map((r) => r.name);
      const p = page(names, (n) => n, input.NextToken, input.Limit);
      return { RuleNames: p.items, NextToken: p.next };
    },
  };
}
