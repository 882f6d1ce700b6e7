import type { AttributeValue } from '../../../aws/models/generated/dynamodb.js';
import { ATTR_TYPES, compareScalars, setKeys, typeOf, valuesEqual, type Item } from '../attributes.js';
import { validation } from '../numbers.js';
import type { Condition, Operand, Path } from './ast.js';

/** The value at a document path, or undefined when any step is missing. */
export function resolvePath(item: Item | undefined, path: Path): AttributeValue | undefined {
  let cur: AttributeValue | undefined;
  for (const [i, seg] of path.segments.entries()) {
    if (i === 0) {
      if ('index' in seg || !item) return undefined;
      cur = item[seg.name];
    } else if ('index' in seg) cur = cur?.L?.[seg.index];
    else cur = cur?.M?.[seg.name];
    if (cur === undefined) return undefined;
  }
  return cur;
}

function sizeOf(v: AttributeValue): number | undefined {
  if (v.S !== undefined) return [...v.S].length;
  if (v.B !== undefined) return v.B.length;
  if (v.SS || v.NS || v.BS) return setKeys(v).size;
  if (v.L) return v.L.length;
  if (v.M) return Object.keys(v.M).length;
  return undefined;
}

export function evalOperand(op: Operand, item: Item | undefined): AttributeValue | undefined {
  if (op.kind === 'value') return op.value;
  const v = resolvePath(item, op.path);
  if (op.kind === 'path' || v === undefined) return v;
  const n = sizeOf(v);
  return n === undefined ? undefined : { N: String(n) };
}

function compare(op: string, a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (op === '=') return a !== undefined && b !== undefined && valuesEqual(a, b);
  if (op === '<>') return a === undefined || b === undefined || !valuesEqual(a, b);
  if (a === undefined || b === undefined) return false;
  const c = compareScalars(a, b);
  if (c === undefined) return false;
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function beginsWith(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (!a || !b) return false;
  if (a.S !== undefined && b.S !== undefined) return a.S.startsWith(b.S);
  if (a.B !== undefined && b.B !== undefined) return Buffer.from(a.B).subarray(0, b.B.length).equals(Buffer.from(b.B));
  return false;
}

function contains(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (!a || !b) return false;
  if (a.S !== undefined) return b.S !== undefined && a.S.includes(b.S);
  if (a.B !== undefined) return b.B !== undefined && Buffer.from(a.B).includes(Buffer.from(b.B));
  if (a.SS) return b.S !== undefined && a.SS.includes(b.S);
  if (a.NS) return b.N !== undefined && setKeys(a).has(b.N);
  if (a.BS) return b.B !== undefined && setKeys(a).has(Buffer.from(b.B).toString('base64'));
  if (a.L) return a.L.some((x) => valuesEqual(x, b));
  return false;
}

/** Evaluates a condition against an item (undefined: the item does not exist). */
export function evaluate(cond: Condition, item: Item | undefined): boolean {
  switch (cond.kind) {
    case 'and':
      return evaluate(cond.left, item) && evaluate(cond.right, item);
    case 'or':
      return evaluate(cond.left, item) || evaluate(cond.right, item);
    case 'not':
      return !evaluate(cond.condition, item);
    case 'exists':
      return resolvePath(item, cond.path) !== undefined;
    case 'not_exists':
      return resolvePath(item, cond.path) === undefined;
    case 'attribute_type': {
      const v = resolvePath(item, cond.path);
      const t = evalOperand(cond.type, item);
      return v !== undefined && t?.S !== undefined && typeOf(v) === t.S;
    }
    case 'begins_with':
      return beginsWith(evalOperand(cond.path, item), evalOperand(cond.operand, item));
    case 'contains':
      return contains(evalOperand(cond.path, item), evalOperand(cond.operand, item));
    case 'compare':
      return compare(cond.op, evalOperand(cond.left, item), evalOperand(cond.right, item));
    case 'between': {
      const v = evalOperand(cond.operand, item);
      return compare('>=', v, evalOperand(cond.low, item)) && compare('<=', v, evalOperand(cond.high, item));
    }
    case 'in': {
      const v = evalOperand(cond.operand, item);
      return cond.list.some((o) => compare('=', v, evalOperand(o, item)));
    }
  }
}

/** Checks what DynamoDB checks before evaluating: literal operands of the right kinds. */
export function checkCondition(cond: Condition, label: string): void {
  const bad = (m: string) => validation(`Invalid ${label}: ${m}`);
  switch (cond.kind) {
    case 'and':
    case 'or':
      checkCondition(cond.left, label);
      checkCondition(cond.right, label);
      return;
    case 'not':
      return checkCondition(cond.condition, label);
    case 'attribute_type': {
      const t = cond.type.kind === 'value' ? cond.type.value : undefined;
      if (!t || t.S === undefined || !(ATTR_TYPES as readonly string[]).includes(t.S)) {
        throw bad(`Invalid attribute type name found; type: ${t?.S ?? typeOf(t ?? { NULL: true })}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`);
      }
      return;
    }
    case 'begins_with': {
      const v = cond.operand.kind === 'value' ? cond.operand.value : undefined;
      if (v && v.S === undefined && v.B === undefined) throw bad(`Incorrect operand type for operator or function; operator or function: begins_with, operand type: ${typeOf(v)}`);
      return;
    }
    case 'between': {
      const { low, high } = cond;
      if (low.kind === 'value' && high.kind === 'value') {
        const c = compareScalars(low.value, high.value);
        if (c !== undefined && c > 0) {
          throw bad(`The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {${typeOf(low.value)}:${show(low.value)}}, upper bound operand: AttributeValue: {${typeOf(high.value)}:${show(high.value)}}`);
        }
      }
      return;
    }
    default:
      return;
  }
}

function show(v: AttributeValue): string {
  return v.S ?? v.N ?? Buffer.from(v.B ?? []).toString('base64');
}

/** Copies only the projected paths of an item, keeping their nesting. */
export function project(item: Item, paths: Path[]): Item {
  const out: Item = {};
  for (const path of paths) {
    const v = resolvePath(item, path);
    if (v === undefined) continue;
    let target: Record<string, AttributeValue> | AttributeValue[] = out;
    path.segments.forEach((seg, i) => {
      const last = i === path.segments.length - 1;
      const next = path.segments[i + 1];
      const key = 'index' in seg ? seg.index : seg.name;
      const holder = target as Record<string | number, AttributeValue>;
      if (last) {
        holder[key] = v;
        return;
      }
      holder[key] ??= 'index' in next ? { L: [] } : { M: {} };
      target = holder[key].L ?? holder[key].M!;
    });
  }
  // Projected list elements keep their order but not their positions.
  return compactLists(out) as Item;
}

function compactLists(v: Record<string, AttributeValue>): Record<string, AttributeValue> {
  for (const x of Object.values(v)) {
    if (x.L) x.L = x.L.filter((e) => e !== undefined).map((e) => (e.M ? { M: compactLists(e.M) } : e));
    if (x.M) compactLists(x.M);
  }
  return v;
}
