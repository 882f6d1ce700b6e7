import { evalJson, parseJsonPattern, select, selectors, type JsonExpr } from './json-pattern.js';
import { compare, compileRegex, literal, patternError, type Op, type PatternValue } from './pattern-values.js';

/** A compiled CloudWatch Logs filter pattern (metric filters, subscriptions, FilterLogEvents, Live Tail). */
export interface FilterPattern {
  /** The extracted values when the message matches (empty for term patterns), else undefined. */
  match(message: string): Record<string, string> | undefined;
  test(message: string): boolean;
  /** Substrings every matching message contains: lets a scan skip rows in SQL first. */
  readonly required: string[];
  /** True when containing every `required` substring is the whole test. */
  readonly exact: boolean;
  readonly kind: 'all' | 'terms' | 'json' | 'delimited';
}

type Term = { text: string } | { re: RegExp };
interface Condition { op: Op; value: PatternValue }
interface Field { name?: string; ellipsis: boolean; any: Condition[][] }

const EMPTY: Record<string, string> = {};

export function parseFilterPattern(pattern: string | undefined): FilterPattern {
  const text = (pattern ?? '').trim();
  if (text === '' || text === '""') return { kind: 'all', required: [], exact: true, test: () => true, match: () => EMPTY };
  if (text.startsWith('{')) return jsonPattern(pattern!, parseJsonPattern(pattern!, pattern!.indexOf('{')));
  if (text.startsWith('[')) return delimitedPattern(pattern!, parseFields(pattern!, pattern!.indexOf('[')));
  return termPattern(pattern!);
}

function termPattern(pattern: string): FilterPattern {
  const all: Term[] = [];
  const any: Term[] = [];
  const none: Term[] = [];
  let i = 0;
  while (i < pattern.length) {
    if (/\s/.test(pattern[i])) { i++; continue; }
    let bucket = all;
    if (pattern[i] === '?') { bucket = any; i++; } else if (pattern[i] === '-' && i + 1 < pattern.length && !/\s/.test(pattern[i + 1])) { bucket = none; i++; }
    const [term, next] = readTerm(pattern, i);
    bucket.push(term);
    i = next;
  }
  const has = (m: string, t: Term) => ('text' in t ? m.includes(t.text) : t.re.test(m));
  const test = (m: string) => all.every((t) => has(m, t)) && (any.length === 0 || any.some((t) => has(m, t))) && !none.some((t) => has(m, t));
  const required = all.flatMap((t) => ('text' in t ? [t.text] : []));
  const exact = required.length === all.length && any.length === 0 && none.length === 0;
  return { kind: 'terms', required, exact, test, match: (m) => (test(m) ? EMPTY : undefined) };
}

function readTerm(pattern: string, i: number): [Term, number] {
  const c = pattern[i];
  if (c === '"' || c === '%') {
    const end = pattern.indexOf(c, i + 1);
    if (end < 0) throw patternError(pattern, i, c === '"' ? 'unterminated quoted term' : 'unterminated regular expression');
    const body = pattern.slice(i + 1, end);
    return [c === '"' ? { text: body } : { re: compileRegex(body, pattern, i) }, end + 1];
  }
  let end = i;
  while (end < pattern.length && !/\s/.test(pattern[end])) end++;
  const word = pattern.slice(i, end);
  const bad = /["{}[\]]/.exec(word);
  if (bad) throw patternError(pattern, i + bad.index, `'${bad[0]}' must be inside a quoted term`);
  return [{ text: word }, end];
}

function jsonPattern(pattern: string, expr: JsonExpr): FilterPattern {
  const named = selectors(expr);
  const parse = (m: string): unknown => {
    const t = m.trimStart();
    if (t[0] !== '{' && t[0] !== '[') return undefined;
    try {
      return JSON.parse(m);
    } catch {
      return undefined;
    }
  };
  const match = (m: string) => {
    const doc = parse(m);
    if (doc === undefined || !evalJson(expr, doc)) return undefined;
    const out: Record<string, string> = {};
    for (const [sel, path] of named) {
      const v = select(doc, path)[0];
      if (v !== undefined && (v === null || typeof v !== 'object')) out[sel] = String(v);
    }
    return out;
  };
  return { kind: 'json', required: [], exact: false, match, test: (m) => match(m) !== undefined };
}

/** `[ip, user, ..., status_code = 4* || status_code = 5*, bytes > 1000]` */
function parseFields(pattern: string, start: number): Field[] {
  const close = pattern.lastIndexOf(']');
  if (close < start || pattern.slice(close + 1).trim() !== '') throw patternError(pattern, pattern.length - 1, "expected ']' at the end");
  const fields: Field[] = [];
  let pos = start + 1;
  for (const part of splitTop(pattern.slice(start + 1, close))) {
    const spec = part.trim();
    const at = pos + part.indexOf(spec);
    pos += part.length + 1;
    if (spec === '') { if (close === start + 1) break; throw patternError(pattern, at, 'empty field'); }
    if (spec === '...') { fields.push({ ellipsis: true, any: [] }); continue; }
    fields.push(parseField(pattern, spec, at));
  }
  return fields;
}

function splitTop(body: string): string[] {
  const parts: string[] = [];
  let quote = false;
  let cur = '';
  for (const c of body) {
    if (c === '"') quote = !quote;
    if (c === ',' && !quote) { parts.push(cur); cur = ''; } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function parseField(pattern: string, spec: string, at: number): Field {
  const any: Condition[][] = [];
  let name: string | undefined;
  for (const alt of spec.split('||')) {
    const all: Condition[] = [];
    for (const clause of alt.split('&&')) {
      const m = /^\s*([A-Za-z_][\w.-]*)?\s*(!=|<=|>=|=|<|>)?\s*(.*?)\s*$/s.exec(clause)!;
      if (!m[1] && !m[2]) throw patternError(pattern, at, `cannot read field '${clause.trim()}'`);
      if (m[1]) {
        if (name && name !== m[1]) throw patternError(pattern, at, `conditions in one field name one field, found ${name} and ${m[1]}`);
        name = m[1];
      }
      if (!m[2]) { if (m[3]) throw patternError(pattern, at, `expected an operator in '${clause.trim()}'`); continue; }
      if (!m[3]) throw patternError(pattern, at, `expected a value after ${m[2]}`);
      all.push({ op: m[2] as Op, value: fieldValue(pattern, m[3], at) });
    }
    if (all.length) any.push(all);
  }
  return { name, ellipsis: false, any };
}

function fieldValue(pattern: string, raw: string, at: number): PatternValue {
  if (raw.startsWith('%') && raw.endsWith('%') && raw.length > 1) return { kind: 'regex', re: compileRegex(raw.slice(1, -1), pattern, at) };
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length > 1) return literal(raw.slice(1, -1), true);
  return literal(raw, false);
}

/** Splits a log line on spaces; text in double quotes or square brackets is one field. */
export function splitDelimited(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < message.length) {
    if (message[i] === ' ' || message[i] === '\t') { i++; continue; }
    const open = message[i];
    const closer = open === '"' ? '"' : open === '[' ? ']' : undefined;
    const end = closer ? message.indexOf(closer, i + 1) : -1;
    if (closer && end > 0) {
      out.push(message.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < message.length && message[j] !== ' ' && message[j] !== '\t') j++;
    out.push(message.slice(i, j));
    i = j;
  }
  return out;
}

function delimitedPattern(pattern: string, fields: Field[]): FilterPattern {
  const fieldOk = (f: Field, v: string) => f.any.length === 0 || f.any.some((all) => all.every((c) => compare(v, c.op, c.value)));
  // Fields bind left to right; an ellipsis takes any number of values, so try each split.
  const bind = (vals: string[], fi: number, vi: number, out: Record<string, string>): boolean => {
    if (fi === fields.length) return vi === vals.length;
    const f = fields[fi];
    if (f.ellipsis) {
      for (let take = 0; vi + take <= vals.length; take++) if (bind(vals, fi + 1, vi + take, out)) return true;
      return false;
    }
    if (vi >= vals.length || !fieldOk(f, vals[vi])) return false;
    if (!bind(vals, fi + 1, vi + 1, out)) return false;
    out[f.name ? `$${f.name}` : `$${fi + 1}`] = vals[vi];
    return true;
  };
  const match = (m: string) => {
    const out: Record<string, string> = {};
    return bind(splitDelimited(m), 0, 0, out) ? out : undefined;
  };
  return { kind: 'delimited', required: [], exact: false, match, test: (m) => match(m) !== undefined };
}
