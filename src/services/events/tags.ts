import type { RequestContext } from '../../aws/gateway/context.js';
import type { EventsOperations, Tag } from '../../aws/models/generated/events.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { notFound, scopeOf } from './common.js';
import type { EventsStore } from './store.js';

type Ops = Pick<EventsOperations<RequestContext>, 'TagResource' | 'UntagResource' | 'ListTagsForResource'>;

export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) byKey.set(t.Key, t);
  if (byKey.size > 50) throw new ServiceError('LimitExceededException', 'The number of tags has reached the maximum limit of 50.', { statusCode: 400 });
  return [...byKey.values()];
}

interface Tagged {
  tags: Tag[];
  save(tags: Tag[]): void;
}

/** Finds the bus or rule an ARN names, in the caller's account and region. */
function resolve(store: EventsStore, scope: Scope, arn: string): Tagged {
  const m = /^arn:aws[\w-]*:events:([^:]*):(\d{12}):(event-bus|rule)\/(.+)$/.exec(arn);
  if (!m || m[1] !== scope.region || m[2] !== scope.accountId) throw notFound(`Resource ${arn} does not exist.`);
  if (m[3] === 'event-bus') {
    const bus = store.bus(scope, m[4]);
    if (!bus) throw notFound(`Event bus ${m[4]} does not exist.`);
    return { tags: bus.tags, save: (tags) => store.putBus(scope, { ...bus, tags }) };
  }
  const slash = m[4].lastIndexOf('/');
  const [busName, ruleName] = slash < 0 ? ['default', m[4]] : [m[4].slice(0, slash), m[4].slice(slash + 1)];
  const rule = store.rule(scope, busName, ruleName);
  if (!rule) throw notFound(`Rule ${ruleName} does not exist on EventBus ${busName}.`);
  return { tags: rule.tags, save: (tags) => store.putRule(scope, { ...rule, tags }) };
}

/** Tags on buses and rules, addressed by ARN. */
export function tagOperations(store: EventsStore): Ops {
  return {
    async TagResource(input, ctx) {
      const r = resolve(store, scopeOf(ctx), input.ResourceARN);
      r.save(mergeTags(r.tags, input.Tags));
      return {};
    },
    async UntagResource(input, ctx) {
      const r = resolve(store, scopeOf(ctx), input.ResourceARN);
      const drop = new Set(input.TagKeys);
      r.save(r.tags.filter((t) => !drop.has(t.Key)));
      return {};
    },
    async ListTagsForResource(input, ctx) {
      return { Tags: resolve(store, scopeOf(ctx), input.ResourceARN).tags };
    },
  };
}
