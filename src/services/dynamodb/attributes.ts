import type { AttributeValue } from '../../aws/models/generated/dynamodb.js';
import { canonicalNumber, compareNumbers, encodeNumberKey, numberSize, validation } from './numbers.js';

export type Item = Record<string, AttributeValue>;
export type AttrType = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';

export const ATTR_TYPES: readonly AttrType[] = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'];
export const MAX_ITEM_SIZE = 400 * 1024;

export function typeOf(v: AttributeValue): AttrType {
  for (const t of ATTR_TYPES) if (v[t] !== undefined) return t;
  throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
}

const SET_NAMES: Record<string, string> = { SS: 'string set', NS: 'number set', BS: 'binary set' };

/**
 * Checks one value the way DynamoDB does on input (one type, valid numbers, no empty or
 * duplicated sets, NULL only true) and returns it with numbers in canonical form.
 */
export function checkValue(v: AttributeValue): AttributeValue {
  if (v === null || typeof v !== 'object') throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  const set = ATTR_TYPES.filter((t) => v[t] !== undefined);
  if (set.length === 0) throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  if (set.length > 1) throw validation('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
  const t = set[0];
  switch (t) {
    case 'N':
      return { N: canonicalNumber(v.N!) };
    case 'NULL':
      if (v.NULL !== true) throw validation('One or more parameter values were invalid: Null attribute value types must have the value of true');
      return v;
    case 'SS':
    case 'NS':
    case 'BS': {
      const list = (v[t] as unknown[]) ?? [];
      if (list.length === 0) throw validation(`One or more parameter values were invalid: An ${SET_NAMES[t]}  may not be empty`);
      const values = t === 'NS' ? (list as string[]).map(canonicalNumber) : list;
      const keys = values.map((x) => (Buffer.isBuffer(x) || x instanceof Uint8Array ? Buffer.from(x).toString('base64') : String(x)));
      if (new Set(keys).size !== keys.length) throw validation(`One or more parameter values were invalid: Input collection [${keys.join(', ')}] contains duplicates.`);
      return { [t]: values } as AttributeValue;
    }
    case 'M':
      return { M: checkItem(v.M!) };
    case 'L':
      return { L: v.L!.map(checkValue) };
    default:
      return v;
  }
}

export function checkItem(item: Item): Item {
  const out: Item = {};
  for (const [name, v] of Object.entries(item)) out[name] = checkValue(v);
  return out;
}

function bytes(v: unknown): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array);
}

/** DynamoDB's item size: attribute names plus values, by its documented rules. */
export function valueSize(v: AttributeValue): number {
  switch (typeOf(v)) {
    case 'S':
      return Buffer.byteLength(v.S!);
    case 'N':
      return numberSize(v.N!);
    case 'B':
      return bytes(v.B).length;
    case 'SS':
      return v.SS!.reduce((n, s) => n + Buffer.byteLength(s), 0);
    case 'NS':
      return v.NS!.reduce((n, s) => n + numberSize(s), 0);
    case 'BS':
      return v.BS!.reduce((n, b) => n + bytes(b).length, 0);
    case 'M':
      return 3 + Object.entries(v.M!).reduce((n, [k, x]) => n + 1 + Buffer.byteLength(k) + valueSize(x), 0);
    case 'L':
      return 3 + v.L!.reduce((n, x) => n + 1 + valueSize(x), 0);
    default:
      return 1;
  }
}

export function itemSize(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k) + valueSize(v);
  return n;
}

/** Total order for scalars of the same type (S by UTF-8 bytes, N numerically, B by bytes). */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.S !== undefined && b.S !== undefined) return Buffer.compare(Buffer.from(a.S), Buffer.from(b.S));
  if (a.N !== undefined && b.N !== undefined) return compareNumbers(a.N, b.N);
  if (a.B !== undefined && b.B !== undefined) return Buffer.compare(bytes(a.B), bytes(b.B));
  return undefined;
}

export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  switch (ta) {
    case 'S':
    case 'N':
    case 'B':
      return compareScalars(a, b) === 0;
    case 'SS':
    case 'NS':
    case 'BS': {
      const x = setKeys(a);
      const y = setKeys(b);
      return x.size === y.size && [...x].every((k) => y.has(k));
    }
    case 'M': {
      const x = Object.keys(a.M!);
      return x.length === Object.keys(b.M!).length && x.every((k) => b.M![k] !== undefined && valuesEqual(a.M![k], b.M![k]));
    }
    case 'L':
      return a.L!.length === b.L!.length && a.L!.every((x, i) => valuesEqual(x, b.L![i]));
    case 'NULL':
      return true;
    default:
      return a.BOOL === b.BOOL;
  }
}

/** Comparable keys of a set's elements (numbers canonical, binaries base64). */
export function setKeys(v: AttributeValue): Set<string> {
  if (v.SS) return new Set(v.SS);
  if (v.NS) return new Set(v.NS.map(canonicalNumber));
  return new Set((v.BS ?? []).map((b) => bytes(b).toString('base64')));
}

/** Order-preserving bytes of a key attribute, for SQLite range scans. */
export function encodeKeyValue(v: AttributeValue): Buffer {
  if (v.S !== undefined) return Buffer.from(v.S, 'utf8');
  if (v.N !== undefined) return encodeNumberKey(v.N);
  return bytes(v.B);
}

/** JSON for storage: binaries as base64 strings. */
export function serializeItem(item: Item): string {
  return JSON.stringify(item, (_k, v: unknown) => {
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return { $b: Buffer.from((v as { data: number[] }).data).toString('base64') };
    }
    return v;
  });
}

export function deserializeItem(text: string): Item {
  return JSON.parse(text, (_k, v: unknown) => (v && typeof v === 'object' && typeof (v as { $b?: unknown }).$b === 'string' ? Buffer.from((v as { $b: string }).$b, 'base64') : v)) as Item;
}

/** A deep copy that keeps binaries as Buffers (structuredClone would turn them into Uint8Arrays). */
export function cloneValue(v: AttributeValue): AttributeValue {
  if (v.B !== undefined) return { B: Buffer.from(v.B) };
  if (v.BS) return { BS: v.BS.map((b) => Buffer.from(b)) };
  if (v.SS) return { SS: [...v.SS] };
  if (v.NS) return { NS: [...v.NS] };
  if (v.M) return { M: cloneItem(v.M) };
  if (v.L) return { L: v.L.map(cloneValue) };
  return { ...v };
}

export function cloneItem(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) out[k] = cloneValue(v);
  return out;
}
