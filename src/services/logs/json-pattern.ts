import { compare, compileRegex, literal, patternError, type Op, type PatternValue } from './pattern-values.js';

/** A selector step: a key, an index, or `*` (any key or element). */
type Step = string | number | '*';

export type JsonExpr =
  | { kind: 'and' | 'or'; left: JsonExpr; right: JsonExpr }
  | { kind: 'cmp'; path: Step[]; selector: string; op: Op; value: PatternValue }
  | { kind: 'is'; path: Step[]; selector: string; what: 'null' | 'true' | 'false' }
  | { kind: 'exists'; path: Step[]; selector: string; negate: boolean };

const OPS: Op[] = ['!=', '<=', '>=', '=', '<', '>'];

/** Parses `{ $.level = "ERROR" && ($.latency > 100 || $.user.id NOT EXISTS) }` (the braces included). */
export function parseJsonPattern(pattern: string, start: number): JsonExpr {
  const p = new JsonParser(pattern, start + 1);
  const expr = p.or();
  p.skip();
  if (pattern[p.pos] !== '}') throw patternError(pattern, p.pos, "expected '}' or '&&' or '||'");
  p.pos++;
  p.skip();
  if (p.pos < pattern.length) throw patternError(pattern, p.pos, 'unexpected text after the closing brace');
  return expr;
}

class JsonParser {
  constructor(
    readonly text: string,
    public pos: number,
  ) {}

  skip(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private eat(s: string): boolean {
    this.skip();
    if (this.text.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  private word(w: string): boolean {
    this.skip();
    const m = /^[A-Za-z]+/.exec(this.text.slice(this.pos));
    if (m && m[0].toUpperCase() === w) {
      this.pos += m[0].length;
      return true;
    }
    return false;
  }

  or(): JsonExpr {
    let left = this.and();
    while (this.eat('||')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): JsonExpr {
    let left = this.unary();
    while (this.eat('&&')) left = { kind: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): JsonExpr {
    if (this.eat('(')) {
      const e = this.or();
      if (!this.eat(')')) throw patternError(this.text, this.pos, "expected ')'");
      return e;
    }
    const at = this.pos;
    const { path, selector } = this.selector();
    if (this.word('IS')) {
      for (const what of ['null', 'true', 'false'] as const) if (this.word(what.toUpperCase())) return { kind: 'is', path, selector, what };
      throw patternError(this.text, this.pos, 'expected NULL, TRUE or FALSE after IS');
    }
    if (this.word('EXISTS')) return { kind: 'exists', path, selector, negate: false };
    if (this.word('NOT')) {
      if (this.word('EXISTS')) return { kind: 'exists', path, selector, negate: true };
      throw patternError(this.text, this.pos, 'expected EXISTS after NOT');
    }
    this.skip();
    const op = OPS.find((o) => this.text.startsWith(o, this.pos));
    if (!op) throw patternError(this.text, this.pos, `expected a comparison after ${selector}`);
    this.pos += op.length;
    const value = this.value();
    if (value.kind === 'string' && op !== '=' && op !== '!=') throw patternError(this.text, at, `${op} compares numbers only`);
    return { kind: 'cmp', path, selector, op, value };
  }

  private selector(): { path: Step[]; selector: string } {
    this.skip();
    const start = this.pos;
    if (this.text[this.pos] !== '$') throw patternError(this.text, this.pos, "expected a selector starting with '$'");
    this.pos++;
    const path: Step[] = [];
    for (;;) {
      const rest = this.text.slice(this.pos);
      let m: RegExpExecArray | null;
      if ((m = /^\.([A-Za-z0-9_\-@$:]+|\*)/.exec(rest))) path.push(m[1] === '*' ? '*' : m[1]);
      else if ((m = /^\[(\d+|\*)\]/.exec(rest))) path.push(m[1] === '*' ? '*' : Number(m[1]));
      else if ((m = /^\['([^']+)'\]/.exec(rest))) path.push(m[1]);
      else break;
      this.pos += m[0].length;
    }
    if (!path.length) throw patternError(this.text, start, 'a selector needs at least one field, as in $.field');
    return { path, selector: this.text.slice(start, this.pos) };
  }

  private value(): PatternValue {
    this.skip();
    const c = this.text[this.pos];
    if (c === '"') {
      const end = this.text.indexOf('"', this.pos + 1);
      if (end < 0) throw patternError(this.text, this.pos, 'unterminated string');
      const v = literal(this.text.slice(this.pos + 1, end), true);
      this.pos = end + 1;
      return v;
    }
    if (c === '%') {
      const end = this.text.indexOf('%', this.pos + 1);
      if (end < 0) throw patternError(this.text, this.pos, 'unterminated regular expression');
      const re = compileRegex(this.text.slice(this.pos + 1, end), this.text, this.pos);
      this.pos = end + 1;
      return { kind: 'regex', re };
    }
    const m = /^[^\s&|()}]+/.exec(this.text.slice(this.pos));
    if (!m) throw patternError(this.text, this.pos, 'expected a value');
    this.pos += m[0].length;
    return literal(m[0], false);
  }
}

/** Every value a selector reaches (several when it has `*` steps). */
export function select(doc: unknown, path: Step[]): unknown[] {
  let current: unknown[] = [doc];
  for (const step of path) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || typeof v !== 'object') continue;
      if (step === '*') next.push(...(Array.isArray(v) ? v : Object.values(v)));
      else if (Array.isArray(v)) {
        if (typeof step === 'number' && step < v.length) next.push(v[step]);
      } else if (typeof step === 'string' && Object.hasOwn(v, step)) next.push((v as Record<string, unknown>)[step]);
    }
    current = next;
  }
  return current;
}

export function evalJson(expr: JsonExpr, doc: unknown): boolean {
  switch (expr.kind) {
    case 'and': return evalJson(expr.left, doc) && evalJson(expr.right, doc);
    case 'or': return evalJson(expr.left, doc) || evalJson(expr.right, doc);
    case 'exists': return (select(doc, expr.path).length > 0) !== expr.negate;
    case 'is': {
      const want = expr.what === 'null' ? null : expr.what === 'true';
      return select(doc, expr.path).some((v) => v === want);
    }
    case 'cmp': return select(doc, expr.path).some((v) => compare(v, expr.op, expr.value));
  }
}

/** The selectors a pattern names, for TestMetricFilter's extracted values. */
export function selectors(expr: JsonExpr, out: Map<string, Step[]> = new Map()): Map<string, Step[]> {
  if ('selector' in expr) out.set(expr.selector, expr.path);
  else {
    selectors(expr.left, out);
    selectors(expr.right, out);
  }
  return out;
}

/** Resolves `$.a.b[0]` against a JSON document (metric values and dimensions). */
export function resolveSelector(doc: unknown, selector: string): unknown {
  const p = new JsonParser(selector + ' = 0', 0);
  try {
    const expr = p.or();
    return expr.kind === 'cmp' ? select(doc, expr.path)[0] : undefined;
  } catch {
    return undefined;
  }
}
