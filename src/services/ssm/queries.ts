import type { RequestContext } from '../../aws/gateway/context.js';
import type { Parameter, SsmOperations } from '../../aws/models/generated/ssm.js';
import { ServiceError } from '../../core/errors.js';
import type { SecretBox } from '../common/secret-box.js';
import { paginate } from '../common/paging.js';
import { checkParameterFilters, legacyFilters, matchesAll } from './filters.js';
import { checkPath, isUnderPath, parseSelector, validation } from './names.js';
import { findParameter, notFound, scopeOf } from './parameters.js';
import { latest, type ParameterStore, type ParameterVersion } from './store.js';
import { filterSubject, historyView, metadataView, parameterView } from './views.js';

type Ops = Partial<SsmOperations<RequestContext>>;

const invalidToken = () => new ServiceError('InvalidNextToken', 'The specified token is not valid.', { statusCode: 400 });

/** DescribeParameters, GetParametersByPath and GetParameterHistory: searches over the store, paged by name or version. */
export function queryOperations(store: ParameterStore, box: SecretBox): Ops {
  return {
    async DescribeParameters(input, ctx) {
      if (input.Filters?.length && input.ParameterFilters?.length) throw validation('You can use either Filters or ParameterFilters in a single request.');
      if (input.Shared) return { Parameters: [] };
      const filters = input.Filters?.length ? legacyFilters(input.Filters) : checkParameterFilters(input.ParameterFilters, 'DescribeParameters');
      const matching = store.list(scopeOf(ctx)).filter((p) => matchesAll(filterSubject(p), filters));
      const page = paginate(matching, (p) => p.name, input.NextToken, input.MaxResults ?? 50, invalidToken);
      return { Parameters: page.items.map((p) => metadataView(scopeOf(ctx), p)), NextToken: page.next };
    },

    async GetParametersByPath(input, ctx) {
      const path = checkPath(input.Path);
      const filters = checkParameterFilters(input.ParameterFilters, 'GetParametersByPath');
      const labels = filters.find((f) => f.key === 'Label')?.values;
      const scope = scopeOf(ctx);
      const found: { name: string; view: () => Parameter }[] = [];
      for (const p of store.list(scope, path === '/' ? undefined : `${path}/`)) {
        if (!isUnderPath(p.name, path, input.Recursive === true)) continue;
        // A Label filter picks the version carrying the label, not the latest one.
        const v: ParameterVersion | undefined = labels ? p.versions.find((x) => x.labels.some((l) => labels.includes(l))) : latest(p);
        if (!v || !matchesAll(filterSubject(p, v), filters)) continue;
        found.push({ name: p.name, view: () => parameterView(box, scope, p, v, input.WithDecryption) });
      }
      const page = paginate(found, (f) => f.name, input.NextToken, input.MaxResults ?? 10, invalidToken);
      return { Parameters: page.items.map((f) => f.view()), NextToken: page.next };
    },

    async GetParameterHistory(input, ctx) {
      const sel = parseSelector(input.Name);
      const p = findParameter(store, scopeOf(ctx), { name: sel.name, alternate: sel.alternate });
      if (!p) throw notFound(input.Name);
      const page = paginate(p.versions, (v) => String(v.version).padStart(12, '0'), input.NextToken, input.MaxResults ?? 50, invalidToken);
      return { Parameters: page.items.map((v) => historyView(box, scopeOf(ctx), p, v, input.WithDecryption)), NextToken: page.next };
    },
  };
}
