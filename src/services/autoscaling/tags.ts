import type { RequestContext } from '../../aws/gateway/context.js';
import type { AutoscalingOperations, Tag, TagDescription } from '../../aws/models/generated/autoscaling.js';
import { paginate } from '../common/paging.js';
import type { AsgContext } from './context.js';
import { mustGroup } from './groups.js';
import { validationError } from './validation.js';

const FILTERS = ['auto-scaling-group', 'key', 'value', 'propagate-at-launch'];

/** Group tags; those with PropagateAtLaunch are copied onto instances the group launches later. */
export function tagOperations(c: AsgContext): Partial<AutoscalingOperations<RequestContext>> {
  const byGroup = (tags: Tag[]) => {
    const groups = new Map<string, Tag[]>();
    for (const t of tags) {
      if (t.ResourceType && t.ResourceType !== 'auto-scaling-group') throw validationError(`Invalid resource type ${t.ResourceType}: only auto-scaling-group is supported.`);
      if (!t.ResourceId) throw validationError('ResourceId is required for each tag.');
      groups.set(t.ResourceId, [...(groups.get(t.ResourceId) ?? []), t]);
    }
    return groups;
  };
  return {
    async CreateOrUpdateTags(input, ctx) {
      for (const [name, tags] of byGroup(input.Tags)) {
        const g = mustGroup(c, ctx, name);
        const kept = g.tags.filter((t) => !tags.some((n) => n.Key === t.Key));
        const next = [...kept, ...tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '', PropagateAtLaunch: t.PropagateAtLaunch ?? false }))];
        if (next.length > 50) throw validationError('The number of tags for an Auto Scaling group cannot exceed 50.');
        c.store.groups.put(ctx, name, { ...g, tags: next });
      }
      return {};
    },

    async DeleteTags(input, ctx) {
      for (const [name, tags] of byGroup(input.Tags)) {
        const g = mustGroup(c, ctx, name);
        c.store.groups.put(ctx, name, { ...g, tags: g.tags.filter((t) => !tags.some((d) => d.Key === t.Key)) });
      }
      return {};
    },

    async DescribeTags(input, ctx) {
      const all: TagDescription[] = c.store.groups.list(ctx).flatMap((g) =>
        g.tags.map((t) => ({ ResourceId: g.name, ResourceType: 'auto-scaling-group', Key: t.Key, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch })));
      const matched = all.filter((t) => (input.Filters ?? []).every((f) => {
        if (!FILTERS.includes(f.Name ?? '')) throw validationError(`Filter type ${f.Name} is not supported. Valid filters are ${FILTERS.join(', ')}.`);
        const value = { 'auto-scaling-group': t.ResourceId, key: t.Key, value: t.Value, 'propagate-at-launch': String(t.PropagateAtLaunch) }[f.Name!];
        return (f.Values ?? []).includes(value ?? '');
      }));
      const page = paginate(matched, (t) => `${t.ResourceId}\u0000${t.Key}`, input.NextToken, input.MaxRecords ?? 100);
      return { Tags: page.items, NextToken: page.next };
    },
  };
}
