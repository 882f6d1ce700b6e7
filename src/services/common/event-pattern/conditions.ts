import { inRange, parseCidr } from './cidr.js';
import type { Scalar } from './flatten.js';

/** A test one leaf value passes or fails. */
export type ValueTest = (value: Scalar) => boolean;

/** A pattern's syntax error: the reason and the dotted path of the field it is in. */
export class PatternError extends Error {
  constructor(
    readonly reason: string,
    readonly at: string,
  ) {
    super(at ? `${reason} (in the pattern for "${at}")` : reason);
  }
}

/** What one field's array of match values compiles to: exact strings in a set, other tests, and `exists: false`. */
export interface FieldCondition {
  exact: Set<string>;
  tests: ValueTest[];
  /** The field matches when the event has no value at this path. */
  absent: boolean;
}

export function accepts(cond: FieldCondition, value: Scalar): boolean {
  if (typeof value === 'string' && cond.exact.has(value)) return true;
  for (const test of cond.tests) if (test(value)) return true;
  return false;
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Compiles a field's match array (`["a", {"prefix": "b"}, {"numeric": [">", 1]}]`). */
export function compileField(values: Json[], at: string): FieldCondition {
  if (values.length === 0) throw new PatternError('Empty arrays are not allowed', at);
  const cond: FieldCondition = { exact: new Set(), tests: [], absent: false };
  for (const v of values) {
    if (typeof v === 'string') cond.exact.add(v);
    else if (typeof v === 'number') cond.tests.push((x) => x === v);
    else if (v === null || typeof v === 'boolean') cond.tests.push((x) => x === v);
    else if (isObject(v)) {
      const compiled = compileExpression(v, at);
      if (compiled === 'absent') cond.absent = true;
      else cond.tests.push(compiled);
    } else throw new PatternError('Match value must be String, number, true, false, or null', at);
  }
  return cond;
}

function compileExpression(expr: Record<string, Json>, at: string): ValueTest | 'absent' {
  const keys = Object.keys(expr);
  if (keys.length === 0) throw new PatternError('Match expression name not found', at);
  if (keys.length > 1) throw new PatternError('Only one key allowed in match expression', at);
  const [kind] = keys;
  const arg = expr[kind];
  switch (kind) {
    case 'prefix':
      return affix(arg, at, 'prefix', (s, p) => s.startsWith(p));
    case 'suffix':
      return affix(arg, at, 'suffix', (s, p) => s.endsWith(p));
    case 'equals-ignore-case': {
      const want = stringArg(arg, at, 'equals-ignore-case match pattern must be a string').toLowerCase();
      return (x) => typeof x === 'string' && x.toLowerCase() === want;
    }
    case 'wildcard': {
      const re = wildcardRegex(stringArg(arg, at, 'wildcard match pattern must be a string'), at);
      return (x) => typeof x === 'string' && re.test(x);
    }
    case 'anything-but':
      return anythingBut(arg, at);
    case 'numeric':
      return numeric(arg, at);
    case 'exists':
      if (arg === true) return () => true;
      if (arg === false) return 'absent';
      throw new PatternError('exists match pattern must be either true or false.', at);
    case 'cidr': {
      const range = parseCidr(stringArg(arg, at, 'cidr match pattern must be a string'));
      if (!range) throw new PatternError(`Nonsensical CIDR IP address: ${String(arg)}`, at);
      return (x) => typeof x === 'string' && inRange(range, x);
    }
    default:
      throw new PatternError(`Unrecognized match type ${kind}`, at);
  }
}

function stringArg(arg: Json, at: string, message: string): string {
  if (typeof arg !== 'string') throw new PatternError(message, at);
  return arg;
}

/** `prefix`/`suffix` with a string, or with `{"equals-ignore-case": string}`. */
function affix(arg: Json, at: string, kind: string, test: (s: string, p: string) => boolean): ValueTest {
  if (isObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') throw new PatternError(`Unsupported ${kind} pattern: ${keys.join(', ')}`, at);
    const p = stringArg(arg['equals-ignore-case'], at, `${kind} match pattern must be a string`).toLowerCase();
    return (x) => typeof x === 'string' && test(x.toLowerCase(), p);
  }
  const p = stringArg(arg, at, `${kind} match pattern must be a string`);
  return (x) => typeof x === 'string' && test(x, p);
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
export function wildcardRegex(pattern: string, at: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') throw new PatternError(`Consecutive wildcard characters at pos ${i + 1}`, at);
      source += '[\\s\\S]*';
    } else if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new PatternError(`Invalid escape character at pos ${i + 1}`, at);
      source += next === '*' ? '\\*' : '\\\\';
      i++;
    } else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function anythingBut(arg: Json, at: string): ValueTest {
  if (isObject(arg)) return anythingButObject(arg, at);
  const values = Array.isArray(arg) ? arg : [arg];
  if (values.length === 0) throw new PatternError('Empty arrays are not allowed', at);
  const strings = values.every((v) => typeof v === 'string');
  const numbers = values.every((v) => typeof v === 'number');
  if (!strings && !numbers) {
    if (Array.isArray(arg)) throw new PatternError('Inside anything but list, either all values are number or string, mixed type is not supported', at);
    throw new PatternError('Value of anything-but must be an array or single string/number value.', at);
  }
  const excluded = new Set<Scalar>(values as Scalar[]);
  return (x) => !excluded.has(x);
}

function anythingButObject(arg: Record<string, Json>, at: string): ValueTest {
  const keys = Object.keys(arg);
  if (keys.length !== 1) throw new PatternError('Only one key allowed in match expression', at);
  const [kind] = keys;
  const inner = arg[kind];
  const list = (message: string): string[] => {
    const items = Array.isArray(inner) ? inner : [inner];
    if (items.length === 0) throw new PatternError('Empty arrays are not allowed', at);
    if (!items.every((v) => typeof v === 'string')) throw new PatternError(message, at);
    return items as string[];
  };
  switch (kind) {
    case 'prefix':
    case 'suffix': {
      const p = stringArg(inner, at, 'prefix/suffix match pattern must be a string');
      if (p === '') throw new PatternError('Null prefix/suffix not allowed', at);
      return kind === 'prefix' ? (x) => typeof x !== 'string' || !x.startsWith(p) : (x) => typeof x !== 'string' || !x.endsWith(p);
    }
    case 'equals-ignore-case': {
      const set = new Set(list('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.').map((s) => s.toLowerCase()));
      return (x) => typeof x !== 'string' || !set.has(x.toLowerCase());
    }
    case 'wildcard': {
      const res = list('wildcard match pattern must be a string').map((w) => wildcardRegex(w, at));
      return (x) => typeof x !== 'string' || !res.some((re) => re.test(x));
    }
    default:
      throw new PatternError(`Unsupported anything-but pattern: ${kind}`, at);
  }
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

/** `[">", 0, "<=", 5]`, `["<", 10]`, `["=", 3.018e2]`: numbers only, at most one bound each way. */
function numeric(arg: Json, at: string): ValueTest {
  if (!Array.isArray(arg)) throw new PatternError('Value of numeric must be an array.', at);
  const bounds: ((n: number) => boolean)[] = [];
  let i = 0;
  let seenLower = false;
  let seenUpper = false;
  while (i < arg.length) {
    const op = arg[i];
    const n = arg[i + 1];
    if (typeof op !== 'string') throw new PatternError(`Invalid member in numeric match: ${JSON.stringify(op)}`, at);
    if (typeof n !== 'number') throw new PatternError(`Value of ${op} must be numeric`, at);
    if (op === '=') {
      if (arg.length !== 2) throw new PatternError('Too many elements in numeric expression', at);
      return (x) => typeof x === 'number' && x === n;
    }
    if (LOWER.has(op)) {
      if (seenLower || seenUpper) throw new PatternError(`Bad numeric range operator: ${op}`, at);
      seenLower = true;
      bounds.push(op === '>' ? (x) => x > n : (x) => x >= n);
    } else if (UPPER.has(op)) {
      if (seenUpper) throw new PatternError(`Bad numeric range operator: ${op}`, at);
      seenUpper = true;
      bounds.push(op === '<' ? (x) => x < n : (x) => x <= n);
    } else throw new PatternError(`Unrecognized numeric range operator: ${op}`, at);
    i += 2;
  }
  if (bounds.length === 0) throw new PatternError('Empty arrays are not allowed', at);
  return (x) => typeof x === 'number' && bounds.every((b) => b(x));
}
