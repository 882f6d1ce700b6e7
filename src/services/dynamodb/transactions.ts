import { createHash } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { CancellationReason, TransactWriteItemsInput } from '../../aws/models/generated/dynamodb.js';
import { isServiceError, ServiceError } from '../../core/errors.js';
import { checkItem, type Item } from './attributes.js';
import { requireTable, type Env, type Ops } from './common.js';
import { evaluate } from './expressions/evaluate.js';
import { tableKey } from './keys.js';
import { validation } from './numbers.js';
import { projectionOf } from './projection.js';
import { execute, prepareKeyed, preparePut, type PreparedWrite } from './writes.js';

/** ClientRequestToken stays valid for ten minutes. */
const TOKEN_TTL_MS = 10 * 60 * 1000;

function cancelled(reasons: CancellationReason[]): ServiceError {
  const codes = reasons.map((r) => r.Code).join(', ');
  return new ServiceError('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`, {
    statusCode: 400,
    fields: { CancellationReasons: reasons },
  });
}

function prepare(env: Env, ctx: RequestContext, input: TransactWriteItemsInput): { writes: PreparedWrite[]; returnOld: (string | undefined)[] } {
  const writes: PreparedWrite[] = [];
  const returnOld: (string | undefined)[] = [];
  for (const t of input.TransactItems) {
    const ops = [t.Put, t.Update, t.Delete, t.ConditionCheck].filter((x) => x !== undefined);
    if (ops.length !== 1) throw validation('TransactItems can only contain one of Check, Put, Update or Delete');
    if (t.Put) writes.push(preparePut(requireTable(env, ctx, t.Put.TableName), t.Put.Item, t.Put));
    else if (t.Update) writes.push(prepareKeyed('Update', requireTable(env, ctx, t.Update.TableName), t.Update.Key, t.Update));
    else if (t.Delete) writes.push(prepareKeyed('Delete', requireTable(env, ctx, t.Delete.TableName), t.Delete.Key, t.Delete));
    else writes.push(prepareKeyed('ConditionCheck', requireTable(env, ctx, t.ConditionCheck!.TableName), t.ConditionCheck!.Key, t.ConditionCheck!));
    returnOld.push(ops[0]!.ReturnValuesOnConditionCheckFailure);
  }
  const ids = writes.map((w) => `${w.meta.tid}:${w.key.pk.toString('base64')}:${w.key.sk.toString('base64')}`);
  if (new Set(ids).size !== ids.length) throw validation('Transaction request cannot include multiple operations on one item');
  return { writes, returnOld };
}

/** All conditions are checked first, then every write runs; any failure rolls the whole SQLite transaction back. */
function run(env: Env, writes: PreparedWrite[], returnOld: (string | undefined)[]): void {
  const { store } = env;
  store.transaction(() => {
    const reasons: CancellationReason[] = writes.map((w, i) => {
      if (!w.condition) return { Code: 'None' };
      const old = store.getItem(w.meta.tid, w.key)?.item;
      if (evaluate(w.condition, old)) return { Code: 'None' };
      return { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: returnOld[i] === 'ALL_OLD' ? old : undefined };
    });
    if (reasons.some((r) => r.Code !== 'None')) throw cancelled(reasons);
    writes.forEach((w, i) => {
      try {
        execute(store, { ...w, condition: undefined });
      } catch (e) {
        if (!isServiceError(e) || e.code !== 'ValidationException') throw e;
        reasons[i] = { Code: 'ValidationError', Message: e.message };
        throw cancelled(reasons);
      }
    });
  });
}

/** TransactWriteItems (all or nothing, idempotent by ClientRequestToken) and TransactGetItems. */
export function transactionOperations(env: Env): Ops {
  const { store, clock } = env;
  return {
    async TransactWriteItems(input, ctx) {
      const { writes, returnOld } = prepare(env, ctx, input);
      const token = input.ClientRequestToken;
      const hash = createHash('sha256').update(JSON.stringify(input.TransactItems)).digest('hex');
      if (token) {
        const seen = store.token(ctx, token, clock.now());
        if (seen === hash) return {};
        if (seen !== undefined) throw new ServiceError('IdempotentParameterMismatchException', 'Request has the same ClientRequestToken as a previous request but different parameters', { statusCode: 400 });
      }
      run(env, writes, returnOld);
      if (token) store.transaction(() => store.saveToken(ctx, token, hash, clock.now() + TOKEN_TTL_MS));
      return {};
    },

    async TransactGetItems(input, ctx) {
      const gets = input.TransactItems.map((t) => {
        const g = t.Get;
        const meta = requireTable(env, ctx, g.TableName);
        return { meta, key: tableKey(meta, checkItem(g.Key), false), project: projectionOf(g) };
      });
      const ids = gets.map((g) => `${g.meta.tid}:${g.key.pk.toString('base64')}:${g.key.sk.toString('base64')}`);
      if (new Set(ids).size !== ids.length) throw validation('Transaction request cannot include multiple operations on one item');
      const items: (Item | undefined)[] = store.transaction(() => gets.map((g) => store.getItem(g.meta.tid, g.key)?.item));
      return { Responses: items.map((item, i) => (item ? { Item: gets[i].project(item) } : {})) };
    },
  };
}
