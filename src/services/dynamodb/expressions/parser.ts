import type { ServiceError } from '../../../core/errors.js';
import { validation } from '../numbers.js';
import type { Comparator, Condition, Operand, Path, PathSegment } from './ast.js';
import type { ExpressionContext } from './context.js';
import { syntaxError, tokenize, type Token } from './lexer.js';
import { isReserved } from './reserved-words.js';

const COMPARATORS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const CONDITION_FUNCTIONS = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains']);
const MAX_DEPTH = 32;

/**
 * Recursive-descent parsing of DynamoDB expressions. Syntax errors are thrown at once;
 * errors about placeholders and reserved words wait until the syntax is known to be good,
 * as DynamoDB reports syntax first.
 */
export class Parser {
  protected readonly tokens: Token[];
  protected pos = 0;
  private deferred: ServiceError | undefined;
  private depth = 0;

  constructor(
    protected readonly label: string,
    protected readonly source: string,
    protected readonly ctx: ExpressionContext,
  ) {
    ctx.expressions++;
    if (source.trim() === '') throw validation(`Invalid ${label}: The expression can not be empty;`);
    this.tokens = tokenize(source);
  }

  protected get tok(): Token {
    return this.tokens[this.pos];
  }

  protected fail(): never {
    throw syntaxError(this.label, this.source, this.tokens, this.pos);
  }

  protected defer(message: string): void {
    this.deferred ??= validation(`Invalid ${this.label}: ${message}`);
  }

  protected isOp(text: string): boolean {
    return this.tok.kind === 'op' && this.tok.text === text;
  }

  protected isKeyword(word: string): boolean {
    return this.tok.kind === 'word' && this.tok.text.toUpperCase() === word;
  }

  protected expectOp(text: string): void {
    if (!this.isOp(text)) this.fail();
    this.pos++;
  }

  protected expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail();
    this.pos++;
  }

  protected isCall(): boolean {
    const next = this.tokens[this.pos + 1];
    return this.tok.kind === 'word' && next.kind === 'op' && next.text === '(';
  }

  /** Ends parsing: the whole input must be consumed, then deferred errors surface. */
  protected finish<T>(result: T): T {
    if (this.tok.kind !== 'eof') this.fail();
    if (this.deferred) throw this.deferred;
    return result;
  }

  path(): Path {
    const segments: PathSegment[] = [this.pathName()];
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        segments.push(this.pathName());
      } else if (this.isOp('[')) {
        this.pos++;
        if (this.tok.kind !== 'number') this.fail();
        segments.push({ index: Number(this.tok.text) });
        this.pos++;
        this.expectOp(']');
      } else return { segments };
    }
  }

  private pathName(): PathSegment {
    const t = this.tok;
    if (t.kind === 'name-ref') {
      this.pos++;
      const name = this.ctx.name(t.text);
      if (name === undefined) this.defer(`An expression attribute name used in the document path is not defined; attribute name: ${t.text}`);
      return { name: name ?? t.text };
    }
    if (t.kind !== 'word') this.fail();
    this.pos++;
    if (isReserved(t.text)) this.defer(`Attribute name is a reserved keyword; reserved keyword: ${t.text}`);
    return { name: t.text };
  }

  protected valueRef(): Operand {
    const t = this.tok;
    if (t.kind !== 'value-ref') this.fail();
    this.pos++;
    const value = this.ctx.value(t.text);
    if (value === undefined) this.defer(`An expression attribute value used in expression is not defined; attribute value: ${t.text}`);
    return { kind: 'value', ref: t.text, value: value ?? { NULL: true } };
  }

  operand(): Operand {
    if (this.tok.kind === 'value-ref') return this.valueRef();
    if (this.isCall()) {
      const fn = this.tok.text;
      if (fn !== 'size') {
        if (CONDITION_FUNCTIONS.has(fn)) this.fail();
        throw validation(`Invalid ${this.label}: Invalid function name; function: ${fn}`);
      }
      this.pos += 2;
      const arg = this.functionPath(fn);
      this.expectOp(')');
      return { kind: 'size', path: arg };
    }
    return { kind: 'path', path: this.path() };
  }

  private functionPath(fn: string): Path {
    if (this.tok.kind === 'value-ref') {
      this.valueRef();
      this.defer(`Operator or function requires a document path; operator or function: ${fn}`);
      return { segments: [] };
    }
    return this.path();
  }

  condition(): Condition {
    if (++this.depth > MAX_DEPTH) throw validation(`Invalid ${this.label}: The expression has too many nested levels`);
    let left = this.conjunction();
    while (this.isKeyword('OR')) {
      this.pos++;
      left = { kind: 'or', left, right: this.conjunction() };
    }
    this.depth--;
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.isKeyword('AND')) {
      this.pos++;
      left = { kind: 'and', left, right: this.negation() };
    }
    return left;
  }

  private negation(): Condition {
    if (this.isKeyword('NOT')) {
      this.pos++;
      return { kind: 'not', condition: this.negation() };
    }
    return this.primary();
  }

  private primary(): Condition {
    if (this.isOp('(')) {
      this.pos++;
      const inner = this.condition();
      this.expectOp(')');
      return inner;
    }
    if (this.isCall() && CONDITION_FUNCTIONS.has(this.tok.text)) return this.conditionFunction();
    const operand = this.operand();
    if (this.tok.kind === 'op' && COMPARATORS.has(this.tok.text)) {
      const op = this.tok.text as Comparator;
      this.pos++;
      return { kind: 'compare', op, left: operand, right: this.operand() };
    }
    if (this.isKeyword('BETWEEN')) {
      this.pos++;
      const low = this.operand();
      this.expectKeyword('AND');
      return { kind: 'between', operand, low, high: this.operand() };
    }
    if (this.isKeyword('IN')) {
      this.pos++;
      this.expectOp('(');
      const list = [this.operand()];
      while (this.isOp(',')) {
        this.pos++;
        list.push(this.operand());
      }
      this.expectOp(')');
      if (list.length > 100) this.defer('The IN operator is provided with too many operands; number of operands: ' + list.length);
      return { kind: 'in', operand, list };
    }
    return this.fail();
  }

  private conditionFunction(): Condition {
    const fn = this.tok.text;
    this.pos += 2;
    let result: Condition;
    if (fn === 'attribute_exists' || fn === 'attribute_not_exists') {
      result = { kind: fn === 'attribute_exists' ? 'exists' : 'not_exists', path: this.functionPath(fn) };
    } else {
      const first = fn === 'attribute_type' ? ({ kind: 'path', path: this.functionPath(fn) } as Operand) : this.operand();
      this.expectOp(',');
      const second = this.operand();
      if (fn === 'attribute_type') result = { kind: 'attribute_type', path: (first as { path: Path }).path, type: second };
      else result = { kind: fn as 'begins_with' | 'contains', path: first, operand: second };
    }
    this.expectOp(')');
    return result;
  }
}

/** Parses a ConditionExpression, FilterExpression or KeyConditionExpression. */
export function parseCondition(label: string, source: string, ctx: ExpressionContext): Condition {
  const p = new ConditionParser(label, source, ctx);
  return p.parse();
}

class ConditionParser extends Parser {
  parse(): Condition {
    return this.finish(this.condition());
  }
}

/** Parses a ProjectionExpression: document paths separated by commas. */
export function parseProjection(source: string, ctx: ExpressionContext): Path[] {
  return new ProjectionParser('ProjectionExpression', source, ctx).parse();
}

class ProjectionParser extends Parser {
  parse(): Path[] {
    const paths = [this.path()];
    while (this.isOp(',')) {
      this.pos++;
      paths.push(this.path());
    }
    return this.finish(paths);
  }
}
