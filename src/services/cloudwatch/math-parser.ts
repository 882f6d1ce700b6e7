/**
 * The metric math expression language: numbers, strings, metric ids, arithmetic
 * (+ - * / ^), comparisons, AND/OR/NOT (&&, ||, !), arrays `[m1, m2]` and function calls.
 */
export type Node =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'id'; name: string }
  | { kind: 'array'; items: Node[] }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'unary'; op: '-' | 'NOT'; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node };

export class MathSyntaxError extends Error {}

interface Token {
  type: 'num' | 'str' | 'word' | 'op' | 'end';
  text: string;
  pos: number;
}

const OPS = ['<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '^', '<', '>', '!', '(', ')', '[', ']', ','];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(src.slice(i));
    if (num) { out.push({ type: 'num', text: num[0], pos: i }); i += num[0].length; continue; }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (word) { out.push({ type: 'word', text: word[0], pos: i }); i += word[0].length; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1, text = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        text += src[j++];
      }
      if (j >= src.length) throw new MathSyntaxError(`Unterminated string at position ${i + 1}`);
      out.push({ type: 'str', text, pos: i });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new MathSyntaxError(`Unexpected character '${c}' at position ${i + 1}`);
    out.push({ type: 'op', text: op, pos: i });
    i += op.length;
  }
  out.push({ type: 'end', text: '', pos: src.length });
  return out;
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!=']);

export function parseExpression(src: string): Node {
  const tokens = tokenize(src);
  let k = 0;
  const peek = () => tokens[k];
  const isWord = (w: string) => peek().type === 'word' && peek().text.toUpperCase() === w;
  const expect = (text: string) => {
    if (peek().text !== text) throw new MathSyntaxError(`Expected '${text}' at position ${peek().pos + 1}`);
    k++;
  };
  const binaryLevel = (next: () => Node, match: () => string | undefined) => (): Node => {
    let left = next();
    for (let op = match(); op; op = match()) left = { kind: 'binary', op, left, right: next() };
    return left;
  };
  const opIn = (set: string[]) => () => (peek().type === 'op' && set.includes(peek().text) ? tokens[k++].text : undefined);

  const primary = (): Node => {
    const t = peek();
    if (t.type === 'num') { k++; return { kind: 'num', value: Number(t.text) }; }
    if (t.type === 'str') { k++; return { kind: 'str', value: t.text }; }
    if (t.type === 'op' && t.text === '(') { k++; const e = or(); expect(')'); return e; }
    if (t.type === 'op' && t.text === '[') {
      k++;
      const items: Node[] = [];
      if (peek().text !== ']') do items.push(or()); while (peek().text === ',' && ++k);
      expect(']');
      return { kind: 'array', items };
    }
    if (t.type === 'word') {
      k++;
      if (peek().text !== '(') return { kind: 'id', name: t.text };
      k++;
      const args: Node[] = [];
      if (peek().text !== ')') do args.push(or()); while (peek().text === ',' && ++k);
      expect(')');
      return { kind: 'call', name: t.text.toUpperCase(), args };
    }
    throw new MathSyntaxError(t.type === 'end' ? 'Unexpected end of expression' : `Unexpected '${t.text}' at position ${t.pos + 1}`);
  };
  const power = (): Node => {
    const base = primary();
    if (peek().text === '^') { k++; return { kind: 'binary', op: '^', left: base, right: unary() }; }
    return base;
  };
  const unary = (): Node => {
    if (peek().text === '-') { k++; return { kind: 'unary', op: '-', arg: unary() }; }
    if (peek().text === '!' || isWord('NOT')) { k++; return { kind: 'unary', op: 'NOT', arg: unary() }; }
    return power();
  };
  const mul = binaryLevel(unary, opIn(['*', '/']));
  const add = binaryLevel(mul, opIn(['+', '-']));
  const cmp = (): Node => {
    const left = add();
    if (peek().type === 'op' && COMPARISONS.has(peek().text)) { const op = tokens[k++].text; return { kind: 'binary', op, left, right: add() }; }
    return left;
  };
  const wordOp = (w: string, sym: string) => () => (isWord(w) || peek().text === sym ? (k++, w) : undefined);
  const and = binaryLevel(cmp, wordOp('AND', '&&'));
  const or = binaryLevel(and, wordOp('OR', '||'));

  const tree = or();
  if (peek().type !== 'end') throw new MathSyntaxError(`Unexpected '${peek().text}' at position ${peek().pos + 1}`);
  return tree;
}

/** The metric ids an expression refers to. */
export function referencedIds(node: Node, out = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'id': out.add(node.name); break;
    case 'array': node.items.forEach((n) => referencedIds(n, out)); break;
    case 'call': node.args.forEach((n) => referencedIds(n, out)); break;
    case 'unary': referencedIds(node.arg, out); break;
    case 'binary': referencedIds(node.left, out); referencedIds(node.right, out); break;
  }
  return out;
}
