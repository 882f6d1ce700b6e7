import type { Expr } from './ast.js';
import { present, toNumber, toText, type Row, type Value } from './values.js';

type Eval = (e: Expr, row: Row) => Value;
type Fn = (args: Value[], row: Row) => Value;

const text = (v: Value) => toText(v);
const num = (v: Value) => toNumber(v);
const time = (v: Value) => (v instanceof Date ? v.getTime() : toNumber(v));

function trimChars(s: string | undefined, chars: string | undefined, left: boolean, right: boolean): Value {
  if (s === undefined) return undefined;
  const set = chars ?? ' \t\n\r';
  let a = 0;
  let b = s.length;
  while (left && a < b && set.includes(s[a])) a++;
  while (right && b > a && set.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function floorTo(v: Value, period: Value): Value {
  const t = time(v);
  const p = num(period);
  if (t === undefined || !p) return undefined;
  return new Date(Math.floor(t / p) * p);
}

const SCALARS: Record<string, Fn> = {
  ispresent: ([v]) => present(v),
  isempty: ([v]) => !present(v) || v === '',
  isblank: ([v]) => !present(v) || (typeof v === 'string' && v.trim() === ''),
  coalesce: (args) => args.find(present),
  concat: (args) => args.map((a) => text(a) ?? '').join(''),
  ltrim: ([s, c]) => trimChars(text(s), text(c), true, false),
  rtrim: ([s, c]) => trimChars(text(s), text(c), false, true),
  trim: ([s, c]) => trimChars(text(s), text(c), true, true),
  strlen: ([s]) => text(s)?.length,
  toupper: ([s]) => text(s)?.toUpperCase(),
  tolower: ([s]) => text(s)?.toLowerCase(),
  substr: ([s, start, len]) => {
    const t = text(s);
    const a = num(start) ?? 0;
    return t === undefined ? undefined : len === undefined ? t.slice(a) : t.slice(a, a + (num(len) ?? 0));
  },
  replace: ([s, find, repl]) => text(s)?.split(text(find) ?? '').join(text(repl) ?? ''),
  strcontains: ([s, sub]) => (text(s) ?? '').includes(text(sub) ?? '\u0000'),
  abs: ([v]) => (num(v) === undefined ? undefined : Math.abs(num(v)!)),
  ceil: ([v]) => (num(v) === undefined ? undefined : Math.ceil(num(v)!)),
  floor: ([v]) => (num(v) === undefined ? undefined : Math.floor(num(v)!)),
  log: ([v]) => (num(v) === undefined ? undefined : Math.log(num(v)!)),
  sqrt: ([v]) => (num(v) === undefined ? undefined : Math.sqrt(num(v)!)),
  greatest: (args) => {
    const ns = args.map(num).filter((n): n is number => n !== undefined);
    return ns.length ? Math.max(...ns) : undefined;
  },
  least: (args) => {
    const ns = args.map(num).filter((n): n is number => n !== undefined);
    return ns.length ? Math.min(...ns) : undefined;
  },
  bin: ([period], row) => floorTo(row.get('@timestamp'), period),
  datefloor: ([v, period]) => floorTo(v, period),
  dateceil: ([v, period]) => {
    const t = time(v);
    const p = num(period);
    return t === undefined || !p ? undefined : new Date(Math.ceil(t / p) * p);
  },
  frommillis: ([v]) => (num(v) === undefined ? undefined : new Date(num(v)!)),
  tomillis: ([v]) => time(v),
  isvalidip: ([v]) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(text(v) ?? '') || /^[0-9a-f:]+$/i.test(text(v) ?? '') && (text(v) ?? '').includes(':'),
};

/** Scalar function names, for the parser to reject unknown ones. */
export const SCALAR_FUNCTIONS = new Set(Object.keys(SCALARS));

export function callFunction(fn: string, args: Expr[], row: Row, evaluate: Eval): Value {
  const f = SCALARS[fn];
  if (!f) return undefined;
  return f(args.map((a) => evaluate(a, row)), row);
}
