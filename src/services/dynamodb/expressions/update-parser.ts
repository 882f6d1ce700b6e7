import { validation } from '../numbers.js';
import { pathText, type Path, type SetValue, type UpdateAction } from './ast.js';
import type { ExpressionContext } from './context.js';
import { Parser } from './parser.js';

const CLAUSES = ['SET', 'REMOVE', 'ADD', 'DELETE'] as const;
type Clause = (typeof CLAUSES)[number];

/** Parses an UpdateExpression into its actions, checking sections and overlapping paths as DynamoDB does. */
export function parseUpdate(source: string, ctx: ExpressionContext): UpdateAction[] {
  const actions = new UpdateParser('UpdateExpression', source, ctx).parse();
  checkOverlaps(actions.map((a) => a.path));
  return actions;
}

class UpdateParser extends Parser {
  parse(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<Clause>();
    do {
      const clause = CLAUSES.find((c) => this.isKeyword(c));
      if (!clause) this.fail();
      if (seen.has(clause)) throw validation(`Invalid UpdateExpression: The "${clause}" section can only be used once in an update expression;`);
      seen.add(clause);
      this.pos++;
      actions.push(this.action(clause));
      while (this.isOp(',')) {
        this.pos++;
        actions.push(this.action(clause));
      }
    } while (this.tok.kind !== 'eof');
    return this.finish(actions);
  }

  private action(clause: Clause): UpdateAction {
    const path = this.path();
    if (clause === 'REMOVE') return { kind: 'REMOVE', path };
    if (clause === 'SET') {
      this.expectOp('=');
      return { kind: 'SET', path, value: this.setValue() };
    }
    return { kind: clause, path, value: this.valueRef() };
  }

  private setValue(): SetValue {
    const left = this.setOperand();
    if (this.isOp('+') || this.isOp('-')) {
      const kind = this.tok.text === '+' ? 'plus' : 'minus';
      this.pos++;
      return { kind, left, right: this.setOperand() };
    }
    return left;
  }

  private setOperand(): SetValue {
    if (this.isCall()) {
      const fn = this.tok.text;
      if (fn === 'if_not_exists') {
        this.pos += 2;
        const path = this.path();
        this.expectOp(',');
        const fallback = this.setOperand();
        this.expectOp(')');
        return { kind: 'if_not_exists', path, fallback };
      }
      if (fn === 'list_append') {
        this.pos += 2;
        const left = this.setOperand();
        this.expectOp(',');
        const right = this.setOperand();
        this.expectOp(')');
        return { kind: 'list_append', left, right };
      }
      if (fn !== 'size') this.defer(`Invalid function name; function: ${fn}`);
      else this.defer('The function is not allowed in an update expression; function: size');
    }
    return { kind: 'operand', operand: this.operand() };
  }
}

function showPath(p: Path): string {
  return `[${p.segments.map((s) => ('index' in s ? `[${s.index}]` : s.name)).join(', ')}]`;
}

function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if ('index' in x !== 'index' in y) return false;
    if ('index' in x ? x.index !== (y as { index: number }).index : x.name !== (y as { name: string }).name) return false;
  }
  return true;
}

/** Two actions on the same path, or on a path and one inside it, are rejected (projections too). */
export function checkOverlaps(paths: Path[], label = 'UpdateExpression'): void {
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      if (overlaps(paths[i], paths[j])) {
        const conflict = pathText(paths[i]) === pathText(paths[j]) && label === 'ProjectionExpression';
        const kind = conflict ? 'Two document paths conflict with each other' : 'Two document paths overlap with each other';
        throw validation(`Invalid ${label}: ${kind}; must remove or rewrite one of these paths; path one: ${showPath(paths[i])}, path two: ${showPath(paths[j])}`);
      }
    }
  }
}
