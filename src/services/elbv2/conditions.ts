import { BlockList, isIP } from 'node:net';
import type { RuleCondition } from '../../aws/models/generated/elbv2.js';
import { validation } from './common.js';

/** What a rule condition can look at in a request. */
export interface RequestFacts {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The Host header without its port, lower-cased. */
  host: string;
  /** Header values by lower-cased name (repeated headers joined by ", "). */
  headers: Record<string, string | undefined>;
  /** Decoded query pairs in order. */
  query: [string, string][];
  sourceIp: string;
}

export type Matcher = (req: RequestFacts) => boolean;

const FIELDS = ['path-pattern', 'host-header', 'http-header', 'http-request-method', 'query-string', 'source-ip'] as const;
const SINGLE = new Set(['path-pattern', 'host-header', 'http-request-method', 'source-ip']);

/** A wildcard pattern (`*` any run of characters, `?` one character) as a regular expression. */
export function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

function valuesOf(c: RuleCondition): { field: string; values: string[] } {
  const field = c.Field ?? '';
  if (!(FIELDS as readonly string[]).includes(field)) throw validation(`Condition field '${field}' is not supported; use one of ${FIELDS.join(', ')}`);
  const config =
    field === 'path-pattern' ? c.PathPatternConfig?.Values : field === 'host-header' ? c.HostHeaderConfig?.Values : field === 'http-header' ? c.HttpHeaderConfig?.Values
    : field === 'http-request-method' ? c.HttpRequestMethodConfig?.Values : field === 'source-ip' ? c.SourceIpConfig?.Values : undefined;
  if (field === 'query-string') return { field, values: (c.QueryStringConfig?.Values ?? []).map((p) => `${p.Key ?? ''}=${p.Value ?? ''}`) };
  if (c.Values?.length && config?.length && JSON.stringify(c.Values) !== JSON.stringify(config)) throw validation(`Condition '${field}' cannot have both Values and a ${field} config`);
  return { field, values: config ?? c.Values ?? [] };
}

function checkValue(field: string, value: string): void {
  if (field === 'path-pattern' && (value.length > 128 || !/^[A-Za-z0-9_\-.$/~"'@:+&()!,;=*?%]+$/.test(value))) {
    throw validation(`Path pattern '${value}' is not valid: up to 128 characters of A-Z, a-z, 0-9, _ - . $ / ~ " ' @ : + & ( ) ! , ; = and the wildcards * and ?`);
  }
  if (field === 'host-header' && (value.length > 128 || !/^[A-Za-z0-9\-.*?]+$/.test(value))) {
    throw validation(`Host header '${value}' is not valid: up to 128 characters of A-Z, a-z, 0-9, - . and the wildcards * and ?`);
  }
  if (field === 'http-request-method' && !/^[A-Z_-]+$/.test(value)) throw validation(`HTTP request method '${value}' is not valid: use A-Z, - and _`);
  if (field === 'source-ip' && !parseCidr(value)) throw validation(`Source IP '${value}' is not a valid CIDR block`);
}

function parseCidr(text: string): { address: string; prefix: number; type: 'ipv4' | 'ipv6' } | undefined {
  const [address, bits] = text.split('/');
  const family = isIP(address);
  if (!family || bits === undefined || !/^\d+$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > (family === 4 ? 32 : 128)) return undefined;
  return { address, prefix, type: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Checks a rule's conditions and returns them as AWS describes them (Field, Values and the config). */
export function checkConditions(conditions: RuleCondition[]): RuleCondition[] {
  if (conditions.length === 0) throw validation('A rule must have at least one condition');
  const fields = new Set<string>();
  let total = 0;
  const out = conditions.map((c) => {
    const { field, values } = valuesOf(c);
    if (SINGLE.has(field) && fields.has(field)) throw validation(`A rule can have only one '${field}' condition`);
    fields.add(field);
    if (values.length === 0) throw validation(`Condition '${field}' must have at least one value`);
    total += values.length;
    if (field === 'http-header') {
      const name = c.HttpHeaderConfig?.HttpHeaderName ?? '';
      if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,40}$/.test(name)) throw validation(`HTTP header name '${name}' is not valid`);
    }
    for (const v of field === 'query-string' ? [] : values) checkValue(field, v);
    return normalized(field, c, values);
  });
  if (total > 5) throw validation(`A rule can have at most 5 condition values in all; this one has ${total}`);
  return out;
}

function normalized(field: string, c: RuleCondition, values: string[]): RuleCondition {
  switch (field) {
    case 'path-pattern':
      return { Field: field, Values: values, PathPatternConfig: { Values: values } };
    case 'host-header':
      return { Field: field, Values: values, HostHeaderConfig: { Values: values } };
    case 'http-header':
      return { Field: field, HttpHeaderConfig: { HttpHeaderName: c.HttpHeaderConfig?.HttpHeaderName, Values: values } };
    case 'http-request-method':
      return { Field: field, HttpRequestMethodConfig: { Values: values } };
    case 'source-ip':
      return { Field: field, SourceIpConfig: { Values: values } };
    default:
      return { Field: field, QueryStringConfig: { Values: c.QueryStringConfig?.Values } };
  }
}

/** One condition as a test of a request: any of its values may match. */
function compileOne(c: RuleCondition): Matcher {
  const { field, values } = valuesOf(c);
  switch (field) {
    case 'path-pattern': {
      const res = values.map((v) => wildcard(v, false));
      return (r) => res.some((re) => re.test(r.path));
    }
    case 'host-header': {
      const res = values.map((v) => wildcard(v, true));
      return (r) => res.some((re) => re.test(r.host));
    }
    case 'http-header': {
      const name = (c.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase();
      const res = values.map((v) => wildcard(v, true));
      return (r) => r.headers[name] !== undefined && res.some((re) => re.test(r.headers[name]!));
    }
    case 'http-request-method':
      return (r) => values.includes(r.method);
    case 'source-ip': {
      const list = new BlockList();
      for (const v of values) {
        const cidr = parseCidr(v)!;
        list.addSubnet(cidr.address, cidr.prefix, cidr.type);
      }
      return (r) => {
        const ip = r.sourceIp.startsWith('::ffff:') && isIP(r.sourceIp.slice(7)) === 4 ? r.sourceIp.slice(7) : r.sourceIp;
        const family = isIP(ip);
        return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
      };
    }
    default: {
      const pairs = (c.QueryStringConfig?.Values ?? []).map((p) => ({ key: p.Key === undefined ? undefined : wildcard(p.Key, true), value: wildcard(p.Value ?? '', true) }));
      return (r) => pairs.some((p) => r.query.some(([k, v]) => (!p.key || p.key.test(k)) && p.value.test(v)));
    }
  }
}

/** A rule's conditions as one test: every condition must match. */
export function compileConditions(conditions: RuleCondition[]): Matcher {
  const tests = conditions.map(compileOne);
  return (r) => tests.every((t) => t(r));
}
