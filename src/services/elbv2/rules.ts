import type { Rule } from '../../aws/models/generated/elbv2.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { checkActions } from './actions.js';
import { mergeTags, notFound, resourceId, validation } from './common.js';
import { checkConditions } from './conditions.js';
import { getListener, getLoadBalancer, getRule, page, type Elbv2, type Ops } from './context.js';
import { listenerOfRule, rulePrefix, type ListenerRecord, type RuleRecord } from './store.js';

function ruleView(r: RuleRecord): Rule {
  return { RuleArn: r.arn, Priority: String(r.priority), Conditions: r.conditions, Actions: r.actions, IsDefault: false };
}

function defaultRuleView(l: ListenerRecord): Rule {
  return { RuleArn: l.defaultRuleArn, Priority: 'default', Conditions: [], Actions: l.defaultActions, IsDefault: true };
}

const priorityInUse = (p: number) => new ServiceError('PriorityInUseException', `Priority '${p}' is currently in use`);

export function ruleOperations(e: Elbv2): Ops {
  const { store } = e;
  /** The default rule's listener, when the ARN names one. */
  const defaultOf = (scope: Scope, ruleArn: string) => {
    const l = store.listeners.get(scope, listenerOfRule(ruleArn));
    return l && l.defaultRuleArn === ruleArn ? l : undefined;
  };

  return {
    async CreateRule(input, ctx) {
      const listener = getListener(e, ctx, input.ListenerArn);
      const lb = getLoadBalancer(e, ctx, listener.loadBalancerArn);
      const existing = store.rulesOf(ctx, listener.arn);
      if (existing.some((r) => r.priority === input.Priority)) throw priorityInUse(input.Priority);
      if (existing.length >= 100) throw new ServiceError('TooManyRulesException', 'A listener can have at most 100 rules');
      const rule: RuleRecord = {
        arn: rulePrefix(listener.arn) + resourceId(),
        listenerArn: listener.arn,
        priority: input.Priority,
        conditions: checkConditions(input.Conditions),
        actions: checkActions(store, ctx, lb, input.Actions),
        tags: mergeTags([], input.Tags ?? []),
      };
      store.rules.put(ctx, rule.arn, rule);
      e.engine.changed();
      return { Rules: [ruleView(rule)] };
    },

    async DescribeRules(input, ctx) {
      if (!input.ListenerArn && !input.RuleArns?.length) throw validation('You must specify either a listener ARN or one or more rule ARNs');
      let rules: Rule[];
      if (input.RuleArns?.length) {
        rules = input.RuleArns.map((arn) => {
          const l = defaultOf(ctx, arn);
          return l ? defaultRuleView(l) : ruleView(getRule(e, ctx, arn));
        });
      } else {
        const listener = getListener(e, ctx, input.ListenerArn!);
        rules = [...store.rulesOf(ctx, listener.arn).map(ruleView), defaultRuleView(listener)];
      }
      const p = page(rules, (r) => r.RuleArn ?? '', input.Marker, input.PageSize);
      return { Rules: input.Marker || input.PageSize ? p.items : rules, NextMarker: input.Marker || input.PageSize ? p.next : undefined };
    },

    async ModifyRule(input, ctx) {
      const listener = defaultOf(ctx, input.RuleArn);
      if (listener) {
        if (input.Conditions?.length) throw new ServiceError('OperationNotPermittedException', 'The conditions of a default rule cannot be modified');
        const lb = getLoadBalancer(e, ctx, listener.loadBalancerArn);
        if (input.Actions) listener.defaultActions = checkActions(store, ctx, lb, input.Actions);
        store.listeners.put(ctx, listener.arn, listener);
        e.engine.changed();
        return { Rules: [defaultRuleView(listener)] };
      }
      const rule = getRule(e, ctx, input.RuleArn);
      const lb = getLoadBalancer(e, ctx, getListener(e, ctx, rule.listenerArn).loadBalancerArn);
      if (input.Conditions) rule.conditions = checkConditions(input.Conditions);
      if (input.Actions) rule.actions = checkActions(store, ctx, lb, input.Actions);
      store.rules.put(ctx, rule.arn, rule);
      e.engine.changed();
      return { Rules: [ruleView(rule)] };
    },

    async DeleteRule(input, ctx) {
      if (defaultOf(ctx, input.RuleArn)) throw new ServiceError('OperationNotPermittedException', `Default rule '${input.RuleArn}' cannot be deleted`);
      const rule = getRule(e, ctx, input.RuleArn);
      store.rules.delete(ctx, rule.arn);
      e.engine.changed();
      return {};
    },

    async SetRulePriorities(input, ctx) {
      const changes = input.RulePriorities.map((p) => {
        if (!p.RuleArn || p.Priority === undefined) throw validation('Each rule priority pair must have a rule ARN and a priority');
        if (defaultOf(ctx, p.RuleArn)) throw new ServiceError('OperationNotPermittedException', `The priority of default rule '${p.RuleArn}' cannot be changed`);
        const rule = store.rules.get(ctx, p.RuleArn);
        if (!rule) throw notFound.rule(`Rule '${p.RuleArn}' not found`);
        return { rule, priority: p.Priority };
      });
      const byListener = new Map<string, Map<string, number>>();
      for (const { rule, priority } of changes) {
        const priorities = byListener.get(rule.listenerArn) ?? new Map(store.rulesOf(ctx, rule.listenerArn).map((r) => [r.arn, r.priority]));
        priorities.set(rule.arn, priority);
        byListener.set(rule.listenerArn, priorities);
      }
      for (const priorities of byListener.values()) {
        const seen = new Set<number>();
        for (const p of priorities.values()) {
          if (seen.has(p)) throw priorityInUse(p);
          seen.add(p);
        }
      }
      store.db.transaction(() => {
        for (const c of changes) store.rules.put(ctx, c.rule.arn, { ...c.rule, priority: c.priority });
      });
      e.engine.changed();
      return { Rules: changes.map((c) => ruleView({ ...c.rule, priority: c.priority })) };
    },
  };
}
