import type { Filter, Tag } from '../../aws/models/generated/ec2.js';
import { ServiceError } from '../../core/errors.js';

/** A resource's filterable values by filter name; a tag:<key> filter reads the tags. */
export interface Filterable {
  values: Record<string, (string | undefined)[]>;
  tags: Tag[];
}

/** `*` and `?` wildcards, as EC2 filter values allow. */
function wildcard(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

/** True when every filter matches (filters AND, a filter's values OR). Unknown names are refused as AWS does. */
export function matchesFilters(item: Filterable, filters: Filter[] | undefined, known: readonly string[]): boolean {
  for (const f of filters ?? []) {
    const name = f.Name ?? '';
    const patterns = (f.Values ?? []).map(wildcard);
    let candidates: (string | undefined)[];
    if (name.startsWith('tag:')) candidates = item.tags.filter((t) => t.Key === name.slice(4)).map((t) => t.Value);
    else if (name === 'tag-key') candidates = item.tags.map((t) => t.Key);
    else if (name === 'tag-value') candidates = item.tags.map((t) => t.Value);
    else if (known.includes(name)) candidates = item.values[name] ?? [];
    else throw new ServiceError('InvalidParameterValue', `The filter '${name}' is invalid`, { statusCode: 400 });
    if (!candidates.some((c) => c !== undefined && patterns.some((p) => p.test(c)))) return false;
  }
  return true;
}
