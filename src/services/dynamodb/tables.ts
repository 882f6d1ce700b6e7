import type { RequestContext } from '../../aws/gateway/context.js';
import type { Tag } from '../../aws/models/generated/dynamodb.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import { parseArn } from '../../core/arn.js';
import { findTable, notFound, tableArn, type Env, type Ops } from './common.js';
import { describeTable } from './describe.js';
import { validation } from './numbers.js';
import { buildTableMeta, type TableMeta } from './table-meta.js';
import { updateTable } from './table-updates.js';

function describeOrThrow(env: Env, ctx: RequestContext, name: string): TableMeta {
  const meta = findTable(env, ctx, name);
  if (!meta) throw notFound(`Requested resource not found: Table: ${name} not found`);
  return meta;
}

function tableForArn(env: Env, ctx: RequestContext, arn: string): TableMeta {
  const parsed = parseArn(arn);
  const meta = parsed?.service === 'dynamodb' && parsed.accountId === ctx.accountId && parsed.region === ctx.region ? findTable(env, ctx, arn) : undefined;
  if (!meta) throw notFound(`Requested resource not found: ResourcArn: ${arn} not found`);
  return meta;
}

function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) byKey.set(t.Key, t);
  if (byKey.size > 50) throw validation('One or more parameter values were invalid: The number of tags exceeds the limit of 50');
  return [...byKey.values()];
}

/** Tables: create, describe, list, update, delete; time to live; tags. */
export function tableOperations(env: Env, onTtlEnabled: (ctx: RequestContext, table: string) => void): Ops {
  const { store, clock } = env;
  return {
    async CreateTable(input, ctx) {
      const meta = buildTableMeta(input, tableArn(ctx, input.TableName), uuid(), clock.now());
      const created = store.transaction(() => {
        if (store.getTable(ctx, input.TableName)) {
          throw new ServiceError('ResourceInUseException', `Table already exists: ${input.TableName}`, { statusCode: 400 });
        }
        return store.insertTable(ctx, meta);
      });
      // Creation is immediate here, so the table is ACTIVE as soon as CreateTable answers.
      return { TableDescription: describeTable(store, created) };
    },

    async DescribeTable(input, ctx) {
      return { Table: describeTable(store, describeOrThrow(env, ctx, input.TableName)) };
    },

    async ListTables(input, ctx) {
      const limit = input.Limit ?? 100;
      const names = store.tableNames(ctx).filter((n) => input.ExclusiveStartTableName === undefined || n > input.ExclusiveStartTableName);
      const page = names.slice(0, limit);
      return { TableNames: page, LastEvaluatedTableName: names.length > limit ? page[page.length - 1] : undefined };
    },

    async DeleteTable(input, ctx) {
      const meta = describeOrThrow(env, ctx, input.TableName);
      if (meta.deletionProtection) {
        throw validation('Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
      }
      const description = describeTable(store, meta);
      store.transaction(() => store.dropTable(meta.tid));
      return { TableDescription: { ...description, TableStatus: 'DELETING' } };
    },

    async UpdateTable(input, ctx) {
      const meta = describeOrThrow(env, ctx, input.TableName);
      const next = store.transaction(() => updateTable(store, meta, input, clock.now()));
      return { TableDescription: describeTable(store, next) };
    },

    async DescribeTimeToLive(input, ctx) {
      const meta = describeOrThrow(env, ctx, input.TableName);
      const ttl = meta.ttl;
      return { TimeToLiveDescription: ttl?.enabled ? { TimeToLiveStatus: 'ENABLED', AttributeName: ttl.attribute } : { TimeToLiveStatus: 'DISABLED' } };
    },

    async UpdateTimeToLive(input, ctx) {
      const meta = describeOrThrow(env, ctx, input.TableName);
      const spec = input.TimeToLiveSpecification;
      if (spec.Enabled && meta.ttl?.enabled) throw validation('TimeToLive is already enabled');
      if (!spec.Enabled && !meta.ttl?.enabled) throw validation('TimeToLive is already disabled');
      if (!spec.Enabled && meta.ttl && meta.ttl.attribute !== spec.AttributeName) {
        throw validation(`TimeToLive is active on a different AttributeName: current AttributeName is ${meta.ttl.attribute}`);
      }
      store.transaction(() => store.saveTable({ ...meta, ttl: { attribute: spec.AttributeName, enabled: spec.Enabled, since: clock.now() } }));
      if (spec.Enabled) onTtlEnabled(ctx, meta.name);
      return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
    },

    async TagResource(input, ctx) {
      const meta = tableForArn(env, ctx, input.ResourceArn);
      store.transaction(() => store.saveTable({ ...meta, tags: mergeTags(meta.tags, input.Tags) }));
      return {};
    },

    async UntagResource(input, ctx) {
      const meta = tableForArn(env, ctx, input.ResourceArn);
      const drop = new Set(input.TagKeys);
      store.transaction(() => store.saveTable({ ...meta, tags: meta.tags.filter((t) => !drop.has(t.Key)) }));
      return {};
    },

    async ListTagsOfResource(input, ctx) {
      const meta = tableForArn(env, ctx, input.ResourceArn);
      return { Tags: meta.tags };
    },
  };
}
