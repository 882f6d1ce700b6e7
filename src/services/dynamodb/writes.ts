import type { AttributeValue } from '../../aws/models/generated/dynamodb.js';
import { ServiceError } from '../../core/errors.js';
import { checkItem, itemSize, MAX_ITEM_SIZE, type Item } from './attributes.js';
import type { Condition, UpdateAction } from './expressions/ast.js';
import { applyUpdate } from './expressions/apply-update.js';
import { ExpressionContext } from './expressions/context.js';
import { checkCondition, evaluate } from './expressions/evaluate.js';
import { parseCondition } from './expressions/parser.js';
import { parseUpdate } from './expressions/update-parser.js';
import { indexKey, keyAttributeNames, tableKey } from './keys.js';
import { validation } from './numbers.js';
import type { DynamoStore, StoredKey } from './store.js';
import type { TableMeta } from './table-meta.js';

/** One checked write, ready to run inside a transaction: a put, update, delete or condition check. */
export interface PreparedWrite {
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  meta: TableMeta;
  key: StoredKey;
  keyItem: Item;
  condition?: Condition;
  item?: Item;
  actions?: UpdateAction[];
}

/** The condition failed; carries the item as it was, for ReturnValuesOnConditionCheckFailure. */
export class ConditionFailed extends Error {
  constructor(readonly old: Item | undefined) {
    super('The conditional request failed');
  }
}

export interface WriteInput {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  UpdateExpression?: string;
  Expected?: unknown;
  AttributeUpdates?: unknown;
  ConditionalOperator?: string;
}

export function rejectLegacy(input: Record<string, unknown>, names: string[]): void {
  for (const n of names) {
    if (input[n] !== undefined) throw validation(`Slipway supports expressions only; use the expression parameters instead of the legacy parameter ${n}.`);
  }
}

function condition(input: WriteInput, ctx: ExpressionContext): Condition | undefined {
  if (input.ConditionExpression === undefined) return undefined;
  const c = parseCondition('ConditionExpression', input.ConditionExpression, ctx);
  checkCondition(c, 'ConditionExpression');
  return c;
}

function keyItemOf(meta: TableMeta, item: Item): Item {
  const out: Item = {};
  for (const n of keyAttributeNames(meta)) out[n] = item[n];
  return out;
}

function checkSize(item: Item): void {
  if (itemSize(item) > MAX_ITEM_SIZE) throw validation('Item size has exceeded the maximum allowed size');
}

export function preparePut(meta: TableMeta, rawItem: Item, input: WriteInput): PreparedWrite {
  rejectLegacy(input as Record<string, unknown>, ['Expected', 'ConditionalOperator']);
  const item = checkItem(rawItem);
  const key = tableKey(meta, item, true);
  checkSize(item);
  for (const ix of meta.indexes) indexKey(meta, ix, item);
  const ctx = new ExpressionContext(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const cond = condition(input, ctx);
  ctx.checkAllUsed();
  return { kind: 'Put', meta, key, keyItem: keyItemOf(meta, item), condition: cond, item };
}

export function prepareKeyed(kind: 'Delete' | 'ConditionCheck' | 'Update', meta: TableMeta, rawKey: Item, input: WriteInput): PreparedWrite {
  rejectLegacy(input as Record<string, unknown>, ['Expected', 'ConditionalOperator', 'AttributeUpdates']);
  const keyItem = checkItem(rawKey);
  const key = tableKey(meta, keyItem, false);
  const ctx = new ExpressionContext(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  let actions: UpdateAction[] | undefined;
  if (kind === 'Update' && input.UpdateExpression !== undefined) {
    actions = parseUpdate(input.UpdateExpression, ctx);
    const keys = keyAttributeNames(meta);
    for (const a of actions) {
      const top = a.path.segments[0];
      if ('name' in top && keys.includes(top.name)) {
        throw validation(`One or more parameter values were invalid: Cannot update attribute ${top.name}. This attribute is part of the key`);
      }
    }
  }
  const cond = condition(input, ctx);
  if (kind === 'ConditionCheck' && !cond) throw validation('The ConditionExpression parameter is required for a ConditionCheck');
  ctx.checkAllUsed();
  return { kind, meta, key, keyItem, condition: cond, actions };
}

export interface WriteResult {
  old?: Item;
  new?: Item;
}

/** Runs a prepared write: reads the item, checks the condition, writes the item and its index entries. Call inside a transaction. */
export function execute(store: DynamoStore, w: PreparedWrite): WriteResult {
  const { meta, key } = w;
  const old = store.getItem(meta.tid, key)?.item;
  if (w.condition && !evaluate(w.condition, old)) throw new ConditionFailed(old);
  if (w.kind === 'ConditionCheck') return { old };
  let next: Item | undefined;
  if (w.kind === 'Put') next = w.item;
  else if (w.kind === 'Update') next = updated(w, old);
  if (next) checkSize(next);
  for (const ix of meta.indexes) {
    const before = old ? indexKey(meta, ix, old) : undefined;
    const after = next ? indexKey(meta, ix, next) : undefined;
    if (before && (!after || !before.pk.equals(after.pk) || !before.sk.equals(after.sk))) store.deleteIndexKey(meta.tid, ix.name, before, key);
    if (after) store.putIndexKey(meta.tid, ix.name, after, key);
  }
  if (next) store.putItem(meta.tid, key, next, itemSize(next));
  else if (old) store.deleteItem(meta.tid, key);
  return { old, new: next };
}

function updated(w: PreparedWrite, old: Item | undefined): Item | undefined {
  const actions = w.actions ?? [];
  const next = { ...applyUpdate(old, actions), ...w.keyItem };
  // Removing attributes from an item that does not exist creates nothing.
  if (!old && actions.every((a) => a.kind === 'REMOVE' || a.kind === 'DELETE') && actions.length > 0) return undefined;
  return next;
}

export function conditionalCheckFailed(old: Item | undefined, returnOld: string | undefined): ServiceError {
  const fields = returnOld === 'ALL_OLD' && old ? { Item: old } : {};
  return new ServiceError('ConditionalCheckFailedException', 'The conditional request failed', { statusCode: 400, fields });
}
