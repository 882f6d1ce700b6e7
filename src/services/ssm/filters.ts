import type { ParameterStringFilter, ParametersFilter, Tag } from '../../aws/models/generated/ssm.js';
import { ServiceError } from '../../core/errors.js';
import { checkPath, isUnderPath, validation } from './names.js';

/** What a parameter filter looks at: one version of a parameter, with the parameter's tags. */
export interface FilterSubject {
  name: string;
  type: string;
  keyId?: string;
  tier: string;
  dataType: string;
  labels: string[];
  tags: Tag[];
}

export type FilterUse = 'DescribeParameters' | 'GetParametersByPath';

export interface CheckedFilter {
  key: string;
  option: string;
  values: string[];
}

const TYPES = ['String', 'StringList', 'SecureString'];
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'];

const KEYS: Record<FilterUse, string[]> = {
  DescribeParameters: ['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType', 'tag:'],
  GetParametersByPath: ['Type', 'KeyId', 'Label'],
};

function optionsFor(use: FilterUse, key: string): string[] {
  if (key === 'Path') return ['Recursive', 'OneLevel'];
  if (key === 'Label') return ['Equals'];
  if (key === 'Name' && use === 'DescribeParameters') return ['BeginsWith', 'Contains', 'Equals'];
  return ['BeginsWith', 'Equals'];
}

function invalid(code: string, what: string, value: string, valid: string[]): ServiceError {
  return new ServiceError(code, `The following filter ${what} is not valid: ${value}. Valid ${what === 'key' ? 'filter keys' : `${what}s`} include: [${valid.join(', ')}].`, {
    statusCode: 400,
  });
}

/** Checks ParameterFilters against what the operation accepts (keys, options, values), as AWS does before searching. */
export function checkParameterFilters(filters: ParameterStringFilter[] | undefined, use: FilterUse): CheckedFilter[] {
  const seen = new Set<string>();
  return (filters ?? []).map((f) => {
    const family = f.Key.startsWith('tag:') ? 'tag:' : f.Key;
    if (!KEYS[use].includes(family)) throw invalid('InvalidFilterKey', 'key', f.Key, KEYS[use].map((k) => (k === 'tag:' ? 'tag:<key>' : k)));
    if (seen.has(f.Key)) throw validation(`The following filter is duplicated in the request: ${f.Key}. A request can contain only one occurrence of a specific filter.`);
    seen.add(f.Key);
    const valid = optionsFor(use, family);
    const option = f.Option ?? (family === 'Path' ? 'OneLevel' : 'Equals');
    if (!valid.includes(option)) throw invalid('InvalidFilterOption', 'option', option, valid);
    const values = f.Values ?? [];
    if (!values.length && family !== 'tag:') throw new ServiceError('InvalidFilterValue', `The following filter values are missing : null for filter key ${f.Key}.`, { statusCode: 400 });
    if (values.length > 50) throw new ServiceError('InvalidFilterValue', `A filter can have a maximum of 50 values; ${f.Key} has ${values.length}.`, { statusCode: 400 });
    const allowed = family === 'Type' ? TYPES : family === 'Tier' ? TIERS : undefined;
    const bad = allowed && option === 'Equals' ? values.find((v) => !allowed.includes(v)) : undefined;
    if (bad !== undefined) throw invalid('InvalidFilterValue', 'value', bad, allowed!);
    return { key: f.Key, option, values: family === 'Path' ? values.map(checkPath) : values };
  });
}

/** The older DescribeParameters `Filters` (Name, Type, KeyId), expressed as ParameterFilters. */
export function legacyFilters(filters: ParametersFilter[]): CheckedFilter[] {
  return filters.map((f) => ({ key: f.Key, option: f.Key === 'Name' ? 'BeginsWith' : 'Equals', values: f.Values }));
}

function compare(option: string, actual: string | undefined, wanted: string): boolean {
  if (actual === undefined) return false;
  if (option === 'BeginsWith') return actual.startsWith(wanted);
  if (option === 'Contains') return actual.includes(wanted);
  return actual === wanted;
}

/** Names compare with a leading slash either way: `app/db` and `/app/db` name the same filter value. */
function slashed(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

export function matchesFilter(s: FilterSubject, f: CheckedFilter): boolean {
  const any = (actual: string | undefined, normalize: (v: string) => string = (v) => v) =>
    f.values.some((v) => compare(f.option, actual === undefined ? undefined : normalize(actual), normalize(v)));
  if (f.key.startsWith('tag:')) {
    const tag = s.tags.find((t) => t.Key === f.key.slice(4));
    return tag !== undefined && (f.values.length === 0 || any(tag.Value));
  }
  switch (f.key) {
    case 'Name':
      return f.option === 'Contains' ? any(s.name) : any(s.name, slashed);
    case 'Path':
      return f.values.some((p) => isUnderPath(s.name, p, f.option === 'Recursive'));
    case 'Type':
      return any(s.type);
    case 'KeyId':
      return any(s.keyId);
    case 'Tier':
      return any(s.tier);
    case 'DataType':
      return any(s.dataType);
    case 'Label':
      return f.values.some((v) => s.labels.includes(v));
    default:
      return false;
  }
}

export function matchesAll(s: FilterSubject, filters: CheckedFilter[]): boolean {
  return filters.every((f) => matchesFilter(s, f));
}
