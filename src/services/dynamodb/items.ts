import type { Item } from './attributes.js';
import { capacity, requireTable, type Env, type Ops } from './common.js';
import { project } from './expressions/evaluate.js';
import { checkItem, itemSize } from './attributes.js';
import { tableKey } from './keys.js';
import { validation } from './numbers.js';
import { projectionOf } from './projection.js';
import { ConditionFailed, conditionalCheckFailed, execute, prepareKeyed, preparePut, type PreparedWrite, type WriteResult } from './writes.js';

/** Runs one write in its own SQLite transaction; a failed condition becomes ConditionalCheckFailedException. */
export function runWrite(env: Env, w: PreparedWrite, returnOnFailure: string | undefined): WriteResult {
  try {
    return env.store.transaction(() => execute(env.store, w));
  } catch (e) {
    if (e instanceof ConditionFailed) throw conditionalCheckFailed(e.old, returnOnFailure);
    throw e;
  }
}

function oldOnly(mode: string | undefined): void {
  if (mode && mode !== 'NONE' && mode !== 'ALL_OLD') throw validation('ReturnValues can only be ALL_OLD or NONE');
}

function updateReturn(mode: string | undefined, w: PreparedWrite, r: WriteResult): Item | undefined {
  const paths = (w.actions ?? []).map((a) => a.path);
  switch (mode) {
    case 'ALL_OLD':
      return r.old;
    case 'ALL_NEW':
      return r.new;
    case 'UPDATED_OLD':
      return r.old ? project(r.old, paths) : undefined;
    case 'UPDATED_NEW':
      return r.new ? project(r.new, paths) : undefined;
    default:
      return undefined;
  }
}

function nonEmpty(item: Item | undefined): Item | undefined {
  return item && Object.keys(item).length ? item : undefined;
}

/** PutItem, GetItem, UpdateItem and DeleteItem. */
export function itemOperations(env: Env): Ops {
  const { store } = env;
  return {
    async PutItem(input, ctx) {
      oldOnly(input.ReturnValues);
      const meta = requireTable(env, ctx, input.TableName);
      const w = preparePut(meta, input.Item, input);
      const r = runWrite(env, w, input.ReturnValuesOnConditionCheckFailure);
      return {
        Attributes: input.ReturnValues === 'ALL_OLD' ? r.old : undefined,
        ConsumedCapacity: capacity(meta, input.ReturnConsumedCapacity, 'write', [itemSize(w.item!)]),
      };
    },

    async GetItem(input, ctx) {
      const meta = requireTable(env, ctx, input.TableName);
      const project = projectionOf(input);
      const found = store.getItem(meta.tid, tableKey(meta, checkItem(input.Key), false));
      return {
        Item: found ? project(found.item) : undefined,
        ConsumedCapacity: capacity(meta, input.ReturnConsumedCapacity, 'read', found ? [found.size] : [], input.ConsistentRead),
      };
    },

    async DeleteItem(input, ctx) {
      oldOnly(input.ReturnValues);
      const meta = requireTable(env, ctx, input.TableName);
      const w = prepareKeyed('Delete', meta, input.Key, input);
      const r = runWrite(env, w, input.ReturnValuesOnConditionCheckFailure);
      return {
        Attributes: input.ReturnValues === 'ALL_OLD' ? r.old : undefined,
        ConsumedCapacity: capacity(meta, input.ReturnConsumedCapacity, 'write', r.old ? [itemSize(r.old)] : []),
      };
    },

    async UpdateItem(input, ctx) {
      const meta = requireTable(env, ctx, input.TableName);
      const w = prepareKeyed('Update', meta, input.Key, input);
      const r = runWrite(env, w, input.ReturnValuesOnConditionCheckFailure);
      return {
        Attributes: nonEmpty(updateReturn(input.ReturnValues, w, r)),
        ConsumedCapacity: capacity(meta, input.ReturnConsumedCapacity, 'write', [itemSize(r.new ?? r.old ?? {})]),
      };
    },
  };
}
