import type { AttributeValue } from '../../../aws/models/generated/dynamodb.js';
import { cloneItem, setKeys, typeOf, type Item } from '../attributes.js';
import { addNumbers, validation } from '../numbers.js';
import type { Path, SetValue, UpdateAction } from './ast.js';
import { evalOperand, resolvePath } from './evaluate.js';

const wrongType = () => validation('An operand in the update expression has an incorrect data type');

function missing(): never {
  throw validation('The provided expression refers to an attribute that does not exist in the item');
}

/** SET values are computed from the item as it was before the update, as DynamoDB does. */
function setValue(v: SetValue, item: Item): AttributeValue {
  switch (v.kind) {
    case 'operand':
      return evalOperand(v.operand, item) ?? missing();
    case 'if_not_exists':
      return resolvePath(item, v.path) ?? setValue(v.fallback, item);
    case 'list_append': {
      const a = setValue(v.left, item);
      const b = setValue(v.right, item);
      if (!a.L || !b.L) throw wrongType();
      return { L: [...a.L, ...b.L] };
    }
    default: {
      const a = setValue(v.left, item);
      const b = setValue(v.right, item);
      if (a.N === undefined || b.N === undefined) throw wrongType();
      return { N: addNumbers(a.N, b.N, v.kind === 'minus') };
    }
  }
}

const invalidPath = () => validation('The document path provided in the update expression is invalid for update');

/** The container holding the path's last step, or undefined when a step on the way is missing. */
function parentOf(item: Item, path: Path): { holder: AttributeValue | Item; top: boolean } | undefined {
  if (path.segments.length === 1) return { holder: item, top: true };
  const parent = resolvePath(item, { segments: path.segments.slice(0, -1) });
  return parent ? { holder: parent, top: false } : undefined;
}

function put(item: Item, path: Path, value: AttributeValue): void {
  const parent = parentOf(item, path);
  const last = path.segments[path.segments.length - 1];
  if (!parent) throw invalidPath();
  if (parent.top) {
    if ('index' in last) throw invalidPath();
    (parent.holder as Item)[last.name] = value;
    return;
  }
  const holder = parent.holder as AttributeValue;
  if ('index' in last) {
    if (!holder.L) throw invalidPath();
    // An index past the end appends, as DynamoDB does.
    if (last.index >= holder.L.length) holder.L.push(value);
    else holder.L[last.index] = value;
  } else {
    if (!holder.M) throw invalidPath();
    holder.M[last.name] = value;
  }
}

function remove(item: Item, path: Path): void {
  const parent = parentOf(item, path);
  const last = path.segments[path.segments.length - 1];
  if (!parent) return;
  if (parent.top) {
    if (!('index' in last)) delete (parent.holder as Item)[last.name];
    return;
  }
  const holder = parent.holder as AttributeValue;
  if ('index' in last) holder.L?.splice(last.index, 1);
  else if (holder.M) delete holder.M[last.name];
  else throw invalidPath();
}

function setType(v: AttributeValue): 'SS' | 'NS' | 'BS' | undefined {
  return v.SS ? 'SS' : v.NS ? 'NS' : v.BS ? 'BS' : undefined;
}

function add(item: Item, path: Path, value: AttributeValue): void {
  const cur = resolvePath(item, path);
  if (value.N !== undefined) {
    if (cur === undefined) return put(item, path, value);
    if (cur.N === undefined) throw wrongType();
    return put(item, path, { N: addNumbers(cur.N, value.N) });
  }
  const t = setType(value);
  if (!t) throw validation(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: ${typeOf(value)}`);
  if (cur === undefined) return put(item, path, value);
  if (setType(cur) !== t) throw wrongType();
  const have = setKeys(cur);
  const merged = [...(cur[t] as unknown[])];
  (value[t] as unknown[]).forEach((x, i) => {
    if (!have.has([...setKeys(value)][i])) merged.push(x);
  });
  put(item, path, { [t]: merged } as AttributeValue);
}

function del(item: Item, path: Path, value: AttributeValue): void {
  const t = setType(value);
  if (!t) throw validation(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: ${typeOf(value)}`);
  const cur = resolvePath(item, path);
  if (cur === undefined) return;
  if (setType(cur) !== t) throw wrongType();
  const drop = setKeys(value);
  const keys = [...setKeys(cur)];
  const kept = (cur[t] as unknown[]).filter((_x, i) => !drop.has(keys[i]));
  if (kept.length === 0) remove(item, path);
  else put(item, path, { [t]: kept } as AttributeValue);
}

/** Applies parsed update actions to a copy of the item (an empty item when it does not exist). */
export function applyUpdate(original: Item | undefined, actions: UpdateAction[]): Item {
  const before: Item = cloneItem(original ?? {});
  const item: Item = cloneItem(before);
  const values = actions.map((a) => (a.kind === 'SET' ? setValue(a.value, before) : undefined));
  // REMOVE names list positions as they were, so later elements go first.
  const order = actions.map((_a, i) => i).sort((x, y) => removeRank(actions[y]) - removeRank(actions[x]) || x - y);
  order.forEach((i) => {
    const a = actions[i];
    if (a.kind === 'SET') put(item, a.path, values[i]!);
    else if (a.kind === 'REMOVE') remove(item, a.path);
    else if (a.kind === 'ADD') add(item, a.path, evalOperand(a.value, before)!);
    else del(item, a.path, evalOperand(a.value, before)!);
  });
  return item;
}

function removeRank(a: UpdateAction): number {
  if (a.kind !== 'REMOVE') return -1;
  const last = a.path.segments[a.path.segments.length - 1];
  return 'index' in last ? last.index : -1;
}
