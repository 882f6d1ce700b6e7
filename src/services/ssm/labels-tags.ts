import type { RequestContext } from '../../aws/gateway/context.js';
import type { SsmOperations } from '../../aws/models/generated/ssm.js';
import { ServiceError } from '../../core/errors.js';
import { isValidLabel } from './names.js';
import { notFound, scopeOf, selectVersion } from './parameters.js';
import { checkTags } from './put-parameter.js';
import type { ParameterRecord, ParameterStore } from './store.js';

type Ops = Partial<SsmOperations<RequestContext>>;

const MAX_LABELS = 10;

/** Labels (movable names for one version) and tags on parameters. */
export function labelAndTagOperations(store: ParameterStore): Ops {
  const load = (ctx: RequestContext, name: string): ParameterRecord => {
    const p = store.get(scopeOf(ctx), name);
    if (!p) throw notFound(name);
    return p;
  };
  const tagged = (ctx: RequestContext, type: string, id: string): ParameterRecord => {
    if (type !== 'Parameter') {
      throw new ServiceError('InvalidResourceType', `Slipway keeps tags for the Parameter resource type only, not ${type}.`, { statusCode: 400 });
    }
    const p = store.get(scopeOf(ctx), id);
    if (!p) throw new ServiceError('InvalidResourceId', `The parameter ${id} does not exist.`, { statusCode: 400 });
    return p;
  };

  return {
    async LabelParameterVersion(input, ctx) {
      const p = load(ctx, input.Name);
      const target = selectVersion(p, { name: p.name, version: input.ParameterVersion });
      const invalid = input.Labels.filter((l) => !isValidLabel(l));
      const valid = [...new Set(input.Labels.filter(isValidLabel))];
      const labels = [...new Set([...target.labels, ...valid])];
      if (labels.length > MAX_LABELS) {
        throw new ServiceError(
          'ParameterVersionLabelLimitExceeded',
          `A parameter version can have maximum ${MAX_LABELS} labels.Move one or more labels to another version and try again.`,
          { statusCode: 400 },
        );
      }
      // A label names one version at a time: labelling moves it here from wherever it was.
      for (const v of p.versions) if (v !== target) v.labels = v.labels.filter((l) => !valid.includes(l));
      target.labels = labels;
      store.put(scopeOf(ctx), p);
      return { InvalidLabels: invalid, ParameterVersion: target.version };
    },

    async UnlabelParameterVersion(input, ctx) {
      const p = load(ctx, input.Name);
      const target = selectVersion(p, { name: p.name, version: input.ParameterVersion });
      const removed = input.Labels.filter((l) => target.labels.includes(l));
      const invalid = input.Labels.filter((l) => !target.labels.includes(l));
      target.labels = target.labels.filter((l) => !removed.includes(l));
      store.put(scopeOf(ctx), p);
      return { RemovedLabels: removed, InvalidLabels: invalid };
    },

    async AddTagsToResource(input, ctx) {
      const p = tagged(ctx, input.ResourceType, input.ResourceId);
      p.tags = checkTags([...p.tags, ...input.Tags]);
      store.put(scopeOf(ctx), p);
      return {};
    },

    async RemoveTagsFromResource(input, ctx) {
      const p = tagged(ctx, input.ResourceType, input.ResourceId);
      p.tags = p.tags.filter((t) => !input.TagKeys.includes(t.Key));
      store.put(scopeOf(ctx), p);
      return {};
    },

    async ListTagsForResource(input, ctx) {
      return { TagList: tagged(ctx, input.ResourceType, input.ResourceId).tags };
    },
  };
}
