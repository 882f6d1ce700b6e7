import type { AttributeValue } from '../../aws/models/generated/dynamodb.js';
import { checkValue, encodeKeyValue, typeOf, type Item } from './attributes.js';
import { validation } from './numbers.js';
import type { Row, StoredKey } from './store.js';
import { attributeType, keyNames, type IndexMeta, type TableMeta } from './table-meta.js';

const EMPTY = Buffer.alloc(0);
const invalid = (m: string) => validation(`One or more parameter values were invalid: ${m}`);
const schemaMismatch = () => validation('The provided key element does not match the schema');

function checkKeyValue(meta: TableMeta, name: string, v: AttributeValue, inItem: boolean): Buffer {
  const expected = attributeType(meta, name);
  const actual = typeOf(v);
  if (actual !== expected) {
    if (!inItem) throw schemaMismatch();
    throw invalid(`Type mismatch for key ${name} expected: ${expected} actual: ${actual}`);
  }
  if ((v.S ?? v.B ?? 'x').length === 0) {
    throw validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${v.S !== undefined ? 'string' : 'binary'} value. Key: ${name}`);
  }
  const bytes = encodeKeyValue(checkValue(v));
  return bytes;
}

/** The stored key of an item (`inItem`) or of a Key parameter, checked against the table's schema. */
export function tableKey(meta: TableMeta, source: Item, inItem: boolean): StoredKey {
  const { hash, range } = keyNames(meta.keySchema);
  if (!inItem && Object.keys(source).length !== (range ? 2 : 1)) throw schemaMismatch();
  const get = (name: string) => {
    const v = source[name];
    if (v === undefined) throw inItem ? invalid(`Missing the key ${name} in the item`) : schemaMismatch();
    return checkKeyValue(meta, name, v, inItem);
  };
  const pk = get(hash);
  if (pk.length > 2048) throw invalid('Size of hashkey has exceeded the maximum size limit of2048 bytes');
  const sk = range ? get(range) : EMPTY;
  if (sk.length > 1024) throw invalid('Aggregated size of all range keys has exceeded the size limit of 1024 bytes');
  return { pk, sk };
}

/** The item's key in a secondary index, or undefined when it lacks the index's key attributes (a sparse index). */
export function indexKey(meta: TableMeta, index: IndexMeta, item: Item): StoredKey | undefined {
  const { hash, range } = keyNames(index.keySchema);
  const parts: Buffer[] = [];
  for (const name of range ? [hash, range] : [hash]) {
    const v = item[name];
    if (v === undefined) return undefined;
    const expected = attributeType(meta, name);
    if (typeOf(v) !== expected) {
      throw invalid(`Type mismatch for Index Key ${name} Expected: ${expected} Actual: ${typeOf(v)} IndexName: ${index.name}`);
    }
    if ((v.S ?? v.B ?? 'x').length === 0) {
      throw invalid(`One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${v.S !== undefined ? 'string' : 'binary'} value. IndexName: ${index.name}, IndexKey: ${name}`);
    }
    parts.push(encodeKeyValue(v));
  }
  return { pk: parts[0], sk: parts[1] ?? EMPTY };
}

/** The key attributes that identify an item in a table or index (LastEvaluatedKey, KEYS_ONLY). */
export function keyAttributeNames(meta: TableMeta, index?: IndexMeta): string[] {
  const t = keyNames(meta.keySchema);
  const names = [t.hash, ...(t.range ? [t.range] : [])];
  if (index) {
    const i = keyNames(index.keySchema);
    for (const n of [i.hash, ...(i.range ? [i.range] : [])]) if (!names.includes(n)) names.push(n);
  }
  return names;
}

export function pickAttributes(item: Item, names: string[]): Item {
  const out: Item = {};
  for (const n of names) if (item[n] !== undefined) out[n] = item[n];
  return out;
}

/** Turns an ExclusiveStartKey into the stored position to continue after. */
export function startPosition(meta: TableMeta, index: IndexMeta | undefined, start: Item): Row {
  const names = keyAttributeNames(meta, index);
  if (Object.keys(start).length !== names.length || names.some((n) => start[n] === undefined)) {
    throw validation('The provided starting key is invalid: The provided key element does not match the schema');
  }
  const table = tableKey(meta, pickAttributes(start, keyAttributeNames(meta)), false);
  const ix = index ? indexKey(meta, index, start) : table;
  if (!ix) throw validation('The provided starting key is invalid: The provided key element does not match the schema');
  return { pk: ix.pk, sk: ix.sk, tpk: table.pk, tsk: table.sk, item: start, size: 0 };
}
