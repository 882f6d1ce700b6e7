import type { RequestContext } from '../../aws/gateway/context.js';
import type { Ec2Operations, TagDescription } from '../../aws/models/generated/ec2.js';
import { ServiceError } from '../../core/errors.js';
import { paginate } from '../common/paging.js';
import { matchesFilters } from './filters.js';
import { mustGet } from './instances.js';
import type { Ec2Store } from './store.js';

const TAG_FILTERS = ['key', 'value', 'resource-id', 'resource-type'] as const;

/** Tags of instances (the only taggable resources local instances have). */
export function tagOperations(store: Ec2Store): Partial<Ec2Operations<RequestContext>> {
  const instanceOf = (ctx: RequestContext, id: string) => {
    if (!id.startsWith('i-')) throw new ServiceError('InvalidID', `The ID '${id}' is not valid`, { statusCode: 400 });
    return mustGet(store, ctx, id);
  };
  return {
    async CreateTags(input, ctx) {
      const recs = input.Resources.map((id) => instanceOf(ctx, id));
      for (const rec of recs) {
        const tags = rec.tags.filter((t) => !input.Tags.some((n) => n.Key === t.Key));
        tags.push(...input.Tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' })));
        if (tags.length > 50) throw new ServiceError('TagLimitExceeded', 'The maximum number of Tags for a resource has been reached.', { statusCode: 400 });
        store.instances.put(ctx, rec.instanceId, { ...rec, tags });
      }
      return {};
    },

    async DeleteTags(input, ctx) {
      for (const rec of input.Resources.map((id) => instanceOf(ctx, id))) {
        // A tag given with a value is deleted only when the value matches; without one, by key.
        const tags = input.Tags?.length
          ? rec.tags.filter((t) => !input.Tags!.some((d) => d.Key === t.Key && (d.Value === undefined || d.Value === t.Value)))
          : [];
        store.instances.put(ctx, rec.instanceId, { ...rec, tags });
      }
      return {};
    },

    async DescribeTags(input, ctx) {
      const all: TagDescription[] = store.instances
        .list(ctx)
        .filter((r) => r.state !== 'terminated')
        .flatMap((r) => r.tags.map((t) => ({ ResourceId: r.instanceId, ResourceType: 'instance' as const, Key: t.Key, Value: t.Value })));
      const matched = all.filter((t) =>
        matchesFilters({ tags: [], values: { key: [t.Key], value: [t.Value], 'resource-id': [t.ResourceId], 'resource-type': [t.ResourceType] } }, input.Filters, TAG_FILTERS),
      );
      const page = paginate(matched, (t) => `${t.ResourceId}\u0000${t.Key}`, input.NextToken, input.MaxResults ?? 1000);
      return { Tags: page.items, NextToken: page.next };
    },
  };
}
