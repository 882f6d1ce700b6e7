import type { Expr } from './ast.js';
import { callFunction } from './functions.js';
import { compareValues, equalValues, present, toNumber, toText, type Row, type Value } from './values.js';

/** Evaluates an expression against one row. Missing fields are undefined; comparisons with them are false. */
export function evaluate(e: Expr, row: Row): Value {
  switch (e.k) {
    case 'num': return e.v;
    case 'str': return e.v;
    case 're': return e.re.source;
    case 'field': return row.get(e.name);
    case 'neg': {
      const n = toNumber(evaluate(e.e, row));
      return n === undefined ? undefined : -n;
    }
    case 'not': return !truthy(evaluate(e.e, row));
    case 'like': {
      const v = toText(evaluate(e.e, row));
      if (v === undefined) return false;
      const hit = e.pat.k === 're' ? e.pat.re.test(v) : v.includes(toText(evaluate(e.pat, row)) ?? '\u0000');
      return hit !== e.negate;
    }
    case 'in': {
      const v = evaluate(e.e, row);
      if (!present(v)) return false;
      return e.list.some((x) => equalValues(v, evaluate(x, row))) !== e.negate;
    }
    case 'call': return callFunction(e.fn, e.args, row, evaluate);
    case 'op': return binary(e.op, e.l, e.r, row);
  }
}

export function truthy(v: Value): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
}

function binary(op: string, l: Expr, r: Expr, row: Row): Value {
  if (op === 'and') return truthy(evaluate(l, row)) && truthy(evaluate(r, row));
  if (op === 'or') return truthy(evaluate(l, row)) || truthy(evaluate(r, row));
  const a = evaluate(l, row);
  const b = evaluate(r, row);
  switch (op) {
    case '=': return equalValues(a, b);
    case '!=': return present(a) && present(b) && !equalValues(a, b);
    case '<': return present(a) && present(b) && compareValues(a, b) < 0;
    case '>': return present(a) && present(b) && compareValues(a, b) > 0;
    case '<=': return present(a) && present(b) && compareValues(a, b) <= 0;
    case '>=': return present(a) && present(b) && compareValues(a, b) >= 0;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === undefined || y === undefined) return undefined;
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/': return y === 0 ? undefined : x / y;
    case '%': return y === 0 ? undefined : x % y;
    case '^': return x ** y;
  }
  return undefined;
}
