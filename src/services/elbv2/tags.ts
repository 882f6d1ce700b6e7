import type { Tag } from '../../aws/models/generated/elbv2.js';
import type { Scope } from '../../core/scope.js';
import { mergeTags, validation } from './common.js';
import { getListener, getLoadBalancer, getRule, getTargetGroup, type Elbv2, type Ops } from './context.js';

interface Tagged {
  tags: Tag[];
  save(tags: Tag[]): void;
}

/** The resource an ARN names: a load balancer, target group, listener or rule. */
function resolve(e: Elbv2, scope: Scope, arn: string): Tagged {
  const { store } = e;
  const resource = arn.split(':').slice(5).join(':');
  if (resource.startsWith('loadbalancer/')) {
    const r = getLoadBalancer(e, scope, arn);
    return { tags: r.tags, save: (tags) => store.loadBalancers.put(scope, arn, { ...r, tags }) };
  }
  if (resource.startsWith('targetgroup/')) {
    const r = getTargetGroup(e, scope, arn);
    return { tags: r.tags, save: (tags) => store.targetGroups.put(scope, arn, { ...r, tags }) };
  }
  if (resource.startsWith('listener/')) {
    const r = getListener(e, scope, arn);
    return { tags: r.tags, save: (tags) => store.listeners.put(scope, arn, { ...r, tags }) };
  }
  if (resource.startsWith('listener-rule/')) {
    const r = getRule(e, scope, arn);
    return { tags: r.tags, save: (tags) => store.rules.put(scope, arn, { ...r, tags }) };
  }
  throw validation(`'${arn}' is not a valid load balancer, target group, listener or rule ARN`);
}

export function tagOperations(e: Elbv2): Ops {
  return {
    async AddTags(input, ctx) {
      const resources = input.ResourceArns.map((arn) => resolve(e, ctx, arn));
      const merged = resources.map((r) => mergeTags(r.tags, input.Tags));
      e.store.db.transaction(() => resources.forEach((r, i) => r.save(merged[i])));
      return {};
    },
    async RemoveTags(input, ctx) {
      const resources = input.ResourceArns.map((arn) => resolve(e, ctx, arn));
      e.store.db.transaction(() => resources.forEach((r) => r.save(r.tags.filter((t) => !input.TagKeys.includes(t.Key)))));
      return {};
    },
    async DescribeTags(input, ctx) {
      return { TagDescriptions: input.ResourceArns.map((arn) => ({ ResourceArn: arn, Tags: resolve(e, ctx, arn).tags })) };
    },
  };
}
