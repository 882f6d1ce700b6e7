import { AGGREGATES, type Aggregate, type Expr, type Named, type Stage } from './ast.js';
import { SCALAR_FUNCTIONS } from './functions.js';
import { malformed, tokenize, type Token } from './lexer.js';

const COMMANDS = new Set(['fields', 'display', 'filter', 'stats', 'sort', 'limit', 'parse', 'dedup', 'head']);
const COMPARE = new Set(['=', '!=', '<', '>', '<=', '>=']);

/** Parses a Logs Insights query; errors are MalformedQueryException with the offending token's offsets. */
export function parseQuery(query: string): Stage[] {
  if (!query.trim()) throw malformed(query, 0, 0, 'the query is empty');
  return new Parser(query, tokenize(query)).query();
}

class Parser {
  private i = 0;
  private inStats = false;

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private get t(): Token {
    return this.toks[this.i];
  }

  private fail(why: string, tok: Token = this.t): never {
    throw malformed(this.src, tok.start, tok.end, why);
  }

  private isWord(w: string, tok: Token = this.t): boolean {
    return tok.kind === 'ident' && tok.text.toLowerCase() === w;
  }

  private isOp(o: string): boolean {
    return this.t.kind === 'op' && this.t.text === o;
  }

  private expectOp(o: string): void {
    if (!this.isOp(o)) this.fail(`expected '${o}'`);
    this.i++;
  }

  query(): Stage[] {
    const stages: Stage[] = [];
    for (;;) {
      stages.push(this.stage());
      if (this.t.kind === 'eof') return stages;
      if (this.t.kind !== 'pipe') this.fail("expected '|' or the end of the query");
      this.i++;
    }
  }

  private stage(): Stage {
    const cmd = this.t;
    const name = cmd.text.toLowerCase();
    if (cmd.kind !== 'ident' || !COMMANDS.has(name)) this.fail('expected a command: fields, filter, stats, sort, limit, parse, display or dedup');
    this.i++;
    switch (name) {
      case 'fields': return { k: 'fields', items: this.list(() => this.named()) };
      case 'display': return { k: 'display', names: this.list(() => this.fieldName()) };
      case 'dedup': return { k: 'dedup', names: this.list(() => this.fieldName()) };
      case 'filter': return { k: 'filter', expr: this.expr() };
      case 'stats': return this.stats();
      case 'sort': return { k: 'sort', keys: this.list(() => this.sortKey()) };
      case 'limit':
      case 'head': {
        const n = this.t;
        if (n.kind !== 'number' || !/^\d+$/.test(n.text) || Number(n.text) < 1) this.fail('limit takes a positive whole number');
        this.i++;
        return { k: 'limit', n: Number(n.text) };
      }
      default: return this.parse();
    }
  }

  private list<T>(item: () => T): T[] {
    const out = [item()];
    while (this.isOp(',')) {
      this.i++;
      out.push(item());
    }
    return out;
  }

  private fieldName(): string {
    if (this.t.kind !== 'ident') this.fail('expected a field name');
    return this.toks[this.i++].value;
  }

  private named(): Named {
    const start = this.t.start;
    const expr = this.expr();
    const text = this.src.slice(start, this.toks[this.i - 1].end).trim();
    if (this.isWord('as')) {
      this.i++;
      return { expr, name: this.fieldName() };
    }
    return { expr, name: expr.k === 'field' ? expr.name : text };
  }

  private sortKey(): { expr: Expr; desc: boolean } {
    const expr = this.expr();
    if (this.isWord('desc') || this.isWord('asc')) return { expr, desc: this.toks[this.i++].text.toLowerCase() === 'desc' };
    return { expr, desc: false };
  }

  private stats(): Stage {
    const aggs = this.list((): Aggregate => {
      const start = this.t;
      this.inStats = true;
      const e = this.primary();
      this.inStats = false;
      if (e.k !== 'call' || !AGGREGATES.has(e.fn)) this.fail('stats takes aggregate functions such as count(), sum(), avg(), min(), max(), pct()', start);
      const text = this.src.slice(start.start, this.toks[this.i - 1].end);
      const star = e.args.length === 1 && e.args[0].k === 'field' && e.args[0].name === '*';
      const agg: Aggregate = { fn: e.fn, args: star ? [] : e.args, star, name: text };
      if (this.isWord('as')) {
        this.i++;
        agg.name = this.fieldName();
      }
      return agg;
    });
    let by: Named[] = [];
    if (this.isWord('by')) {
      this.i++;
      by = this.list(() => this.named());
    }
    return { k: 'stats', aggs, by };
  }

  private parse(): Stage {
    const source = this.primary();
    const pat = this.t;
    if (pat.kind === 'regex') {
      this.i++;
      let regex: RegExp;
      try {
        regex = toRegExp(pat.value);
      } catch {
        this.fail('not a valid regular expression', pat);
      }
      const names = Object.keys(new RegExp(`${regex.source}|`).exec('')?.groups ?? {});
      if (!names.length) this.fail('a parse regular expression needs named groups such as (?<status>\\d+)', pat);
      return { k: 'parse', source, regex, names };
    }
    if (pat.kind !== 'string') this.fail("parse takes a glob in quotes ('* [*] *') or a regular expression", pat);
    this.i++;
    const glob = pat.value.split('*');
    if (!this.isWord('as')) this.fail("expected 'as' and the names of the fields the glob's * capture");
    this.i++;
    const names = this.list(() => this.fieldName());
    if (names.length !== glob.length - 1) this.fail(`the glob has ${glob.length - 1} '*' but ${names.length} names follow 'as'`, pat);
    return { k: 'parse', source, glob, names };
  }

  expr(): Expr {
    let l = this.and();
    while (this.isWord('or')) {
      this.i++;
      l = { k: 'op', op: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): Expr {
    let l = this.not();
    while (this.isWord('and')) {
      this.i++;
      l = { k: 'op', op: 'and', l, r: this.not() };
    }
    return l;
  }

  private not(): Expr {
    if (this.isWord('not')) {
      this.i++;
      return { k: 'not', e: this.not() };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const l = this.additive();
    const negate = this.isWord('not') && (this.isWord('like', this.toks[this.i + 1]) || this.isWord('in', this.toks[this.i + 1]));
    if (negate) this.i++;
    if (this.isWord('like') || this.isOp('=~')) {
      this.i++;
      return { k: 'like', e: l, pat: this.additive(), negate };
    }
    if (this.isWord('in')) {
      this.i++;
      this.expectOp('[');
      const list = this.isOp(']') ? [] : this.list(() => this.additive());
      this.expectOp(']');
      return { k: 'in', e: l, list, negate };
    }
    if (this.t.kind === 'op' && COMPARE.has(this.t.text)) {
      const op = this.toks[this.i++].text;
      return { k: 'op', op, l, r: this.additive() };
    }
    return l;
  }

  private additive(): Expr {
    let l = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.toks[this.i++].text;
      l = { k: 'op', op, l, r: this.multiplicative() };
    }
    return l;
  }

  private multiplicative(): Expr {
    let l = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%') || this.isOp('^')) {
      const op = this.toks[this.i++].text;
      l = { k: 'op', op, l, r: this.unary() };
    }
    return l;
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      this.i++;
      return { k: 'neg', e: this.unary() };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.t;
    switch (t.kind) {
      case 'number':
      case 'duration':
        this.i++;
        return { k: 'num', v: Number(t.value) };
      case 'string':
        this.i++;
        return { k: 'str', v: t.value };
      case 'regex':
        this.i++;
        try {
          return { k: 're', re: toRegExp(t.value) };
        } catch {
          return this.fail('not a valid regular expression', t);
        }
      case 'ident':
        return this.identifier();
      case 'op':
        if (t.text === '(') {
          this.i++;
          const e = this.expr();
          this.expectOp(')');
          return e;
        }
        if (t.text === '*') {
          this.i++;
          return { k: 'field', name: '*' };
        }
    }
    return this.fail(t.kind === 'eof' ? 'the query ends where a value was expected' : 'expected a field, a value or a function');
  }

  private identifier(): Expr {
    const t = this.toks[this.i++];
    if (!this.isOp('(') || t.text.startsWith('@') || t.text.startsWith('`')) return { k: 'field', name: t.value };
    const fn = t.text.toLowerCase();
    if (!SCALAR_FUNCTIONS.has(fn) && !AGGREGATES.has(fn)) this.fail(`${t.text} is not a Logs Insights function`, t);
    if (AGGREGATES.has(fn) && !this.inStats) this.fail(`${t.text} is an aggregate function: use it in stats`, t);
    this.i++;
    const args = this.isOp(')') ? [] : this.list(() => this.expr());
    this.expectOp(')');
    return { k: 'call', fn, args };
  }
}

/** Insights regexes use RE2 syntax: `(?i)` for case-insensitive, `(?P<name>...)` for named groups. */
function toRegExp(src: string): RegExp {
  const insensitive = src.startsWith('(?i)');
  return new RegExp((insensitive ? src.slice(4) : src).replace(/\(\?P</g, '(?<'), insensitive ? 'i' : '');
}
