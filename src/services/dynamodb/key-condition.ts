import type { AttributeValue } from '../../aws/models/generated/dynamodb.js';
import { encodeKeyValue, typeOf } from './attributes.js';
import type { Comparator, Condition, Operand } from './expressions/ast.js';
import { validation } from './numbers.js';
import type { KeyRange } from './store.js';
import { attributeType, keyNames, type TableMeta } from './table-meta.js';
import type { KeySchemaElement } from '../../aws/models/generated/dynamodb.js';

export interface KeyLookup {
  pk: Buffer;
  range: KeyRange;
}

const unsupported = () => validation('Query key condition not supported');
const FLIP: Record<string, Comparator> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

interface Part {
  attribute: string;
  op: Comparator | 'between' | 'begins_with';
  values: AttributeValue[];
}

function attributeOf(o: Operand): string | undefined {
  return o.kind === 'path' && o.path.segments.length === 1 && 'name' in o.path.segments[0] ? o.path.segments[0].name : undefined;
}

function part(c: Condition): Part {
  if (c.kind === 'compare' && c.op !== '<>') {
    const left = attributeOf(c.left);
    const right = attributeOf(c.right);
    if (left && c.right.kind === 'value') return { attribute: left, op: c.op, values: [c.right.value] };
    if (right && c.left.kind === 'value') return { attribute: right, op: FLIP[c.op], values: [c.left.value] };
  }
  if (c.kind === 'between') {
    const a = attributeOf(c.operand);
    if (a && c.low.kind === 'value' && c.high.kind === 'value') return { attribute: a, op: 'between', values: [c.low.value, c.high.value] };
  }
  if (c.kind === 'begins_with') {
    const a = attributeOf(c.path);
    if (a && c.operand.kind === 'value') return { attribute: a, op: 'begins_with', values: [c.operand.value] };
  }
  throw unsupported();
}

/** The byte string just above every string starting with `prefix`, or undefined when there is none. */
function successor(prefix: Buffer): Buffer | undefined {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      b[i]++;
      return b.subarray(0, i + 1);
    }
  }
  return undefined;
}

function rangeOf(p: Part, bytes: Buffer[]): KeyRange {
  const [v, w] = bytes;
  switch (p.op) {
    case '=':
      return { lower: { value: v, inclusive: true }, upper: { value: v, inclusive: true } };
    case '<':
    case '<=':
      return { upper: { value: v, inclusive: p.op === '<=' } };
    case '>':
    case '>=':
      return { lower: { value: v, inclusive: p.op === '>=' } };
    case 'between':
      return { lower: { value: v, inclusive: true }, upper: { value: w, inclusive: true } };
    default: {
      const next = successor(v);
      return { lower: { value: v, inclusive: true }, upper: next ? { value: next, inclusive: false } : undefined };
    }
  }
}

/** Turns a parsed KeyConditionExpression into the partition key and sort-key range to scan. */
export function keyLookup(meta: TableMeta, schema: KeySchemaElement[], cond: Condition): KeyLookup {
  const parts = cond.kind === 'and' ? [part(cond.left), part(cond.right)] : [part(cond)];
  const keys = keyNames(schema);
  const hash = parts.find((p) => p.attribute === keys.hash && p.op === '=');
  if (!hash) throw validation(`Query condition missed key schema element: ${keys.hash}`);
  const rest = parts.filter((p) => p !== hash);
  if (rest.length && rest[0].attribute !== keys.range) {
    throw rest[0].attribute === keys.hash ? unsupported() : validation(`Query condition missed key schema element: ${keys.range ?? keys.hash}`);
  }
  const encode = (p: Part) =>
    p.values.map((v) => {
      const expected = attributeType(meta, p.attribute);
      if (p.op === 'begins_with' && expected === 'N') {
        throw validation('Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N');
      }
      if (typeOf(v) !== expected) throw validation('One or more parameter values were invalid: Condition parameter type does not match schema type');
      return encodeKeyValue(v);
    });
  const pk = encode(hash)[0];
  return { pk, range: rest.length ? rangeOf(rest[0], encode(rest[0])) : {} };
}
