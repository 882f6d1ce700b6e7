import type { Filter } from '../../aws/models/generated/secretsmanager.js';
import type { SecretRecord } from './store.js';

/**
 * ListSecrets filters. A value matches when it begins the field or any word of it (words
 * split at / _ + = . @ - and spaces), ignoring case; a value starting with `!` excludes the
 * matches instead. Values of one filter are alternatives; all filters must hold.
 */
export function matchesFilters(secret: SecretRecord, filters: Filter[] | undefined, region: string): boolean {
  return (filters ?? []).every((f) => matchesFilter(secret, f, region));
}

function fields(secret: SecretRecord, key: Filter['Key'], region: string): string[] {
  switch (key) {
    case 'name':
      return [secret.name];
    case 'description':
      return secret.description ? [secret.description] : [];
    case 'tag-key':
      return secret.tags.map((t) => t.Key ?? '');
    case 'tag-value':
      return secret.tags.map((t) => t.Value ?? '');
    case 'primary-region':
      return [region];
    case 'owning-service':
      return [];
    default:
      return [secret.name, secret.description ?? '', ...secret.tags.flatMap((t) => [t.Key ?? '', t.Value ?? ''])];
  }
}

export function prefixMatch(field: string, value: string): boolean {
  const f = field.toLowerCase();
  const v = value.toLowerCase();
  if (f.startsWith(v)) return true;
  return f.split(/[/_+=.@\- ]+/).some((word) => word.startsWith(v));
}

function matchesFilter(secret: SecretRecord, f: Filter, region: string): boolean {
  const values = f.Values ?? [];
  const haystack = fields(secret, f.Key, region);
  const positive = values.filter((v) => !v.startsWith('!'));
  const negative = values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  if (negative.some((v) => haystack.some((h) => prefixMatch(h, v)))) return false;
  return positive.length === 0 || positive.some((v) => haystack.some((h) => prefixMatch(h, v)));
}
