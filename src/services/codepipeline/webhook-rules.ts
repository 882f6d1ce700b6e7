import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { WebhookFilterRule } from '../../aws/models/generated/codepipeline.js';

/** One step of a JSON path: an object member or an array index. */
type Step = string | number;

/**
 * Parses the JsonPath subset webhook filters use: `$`, then `.name`, `['name']`, `["name"]` or
 * `[0]` steps (e.g. `$.ref`, `$.repository.full_name`, `$.commits[0].id`). Undefined when the
 * expression is not of that form.
 */
export function parseJsonPath(path: string): Step[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: Step[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let i = 1;
  while (i < path.length) {
    re.lastIndex = i;
    const m = re.exec(path);
    if (!m) return undefined;
    steps.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4]));
    i = re.lastIndex;
  }
  return steps;
}

/** The value a parsed path selects in a payload, or undefined when it selects nothing. */
export function select(payload: unknown, steps: Step[]): unknown {
  let cur: unknown = payload;
  for (const s of steps) {
    if (typeof s === 'number') cur = Array.isArray(cur) ? cur[s] : undefined;
    else cur = cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, s) ? (cur as Record<string, unknown>)[s] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** `{Key}` placeholders in a matchEquals value: the action configuration keys it names. */
export function placeholders(matchEquals: string): string[] {
  return [...matchEquals.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]);
}

/** matchEquals with each `{Key}` replaced by the target action's configuration value. */
export function expandMatch(matchEquals: string, config: Record<string, string>): string {
  return matchEquals.replace(/\{([^{}]+)\}/g, (whole, key: string) => config[key] ?? whole);
}

/** Whether a payload passes every filter: the selected value exists and, with matchEquals, equals it. */
export function filtersPass(filters: WebhookFilterRule[], payload: unknown, config: Record<string, string>): { ok: true } | { ok: false; reason: string } {
  for (const f of filters) {
    const steps = parseJsonPath(f.jsonPath);
    const value = steps ? select(payload, steps) : undefined;
    if (value === undefined || value === null) return { ok: false, reason: `The payload has no value at ${f.jsonPath}.` };
    if (f.matchEquals === undefined) continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
    const wanted = expandMatch(f.matchEquals, config);
    if (text !== wanted) return { ok: false, reason: `The value at ${f.jsonPath} does not match '${wanted}'.` };
  }
  return { ok: true };
}

/** GitHub's signature of a payload: `sha256=<hex>` (X-Hub-Signature-256) or `sha1=<hex>` (X-Hub-Signature). */
export function hubSignature(secret: string, body: Buffer, algorithm: 'sha256' | 'sha1'): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
}

/** Checks GITHUB_HMAC: the SHA-256 signature when sent, else the SHA-1 one, compared in constant time. */
export function signatureValid(secret: string, body: Buffer, sha256Header: string | undefined, sha1Header: string | undefined): boolean {
  const [header, algorithm] = sha256Header ? [sha256Header, 'sha256' as const] : sha1Header ? [sha1Header, 'sha1' as const] : [undefined, undefined];
  if (!header || !algorithm) return false;
  const expected = Buffer.from(hubSignature(secret, body, algorithm));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** An IPv4 address as a number, or undefined. */
function ipv4(addr: string): number | undefined {
  const plain = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  if (isIP(plain) !== 4) return undefined;
  return plain.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Parses an IPv4 CIDR range (`10.0.0.0/8`) or a single address; undefined when invalid. */
export function parseCidr(range: string): { base: number; bits: number } | undefined {
  const [addr, bitsText, ...rest] = range.trim().split('/');
  const base = ipv4(addr);
  const bits = bitsText === undefined ? 32 : /^\d{1,2}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (base === undefined || rest.length || !(bits >= 0 && bits <= 32)) return undefined;
  return { base, bits };
}

/** Whether a client address lies in an allowed range. */
export function inRange(address: string | undefined, range: string): boolean {
  const cidr = parseCidr(range);
  const ip = address === undefined ? undefined : ipv4(address === '::1' ? '127.0.0.1' : address);
  if (!cidr || ip === undefined) return false;
  const size = 2 ** (32 - cidr.bits);
  return Math.floor(ip / size) === Math.floor(cidr.base / size);
}
