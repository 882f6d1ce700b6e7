import type { RequestContext } from '../../aws/gateway/context.js';
import type { ConsumedCapacity, DynamodbOperations } from '../../aws/models/generated/dynamodb.js';
import { ServiceError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { parseArn } from '../../core/arn.js';
import type { DynamoStore } from './store.js';
import type { TableMeta } from './table-meta.js';

export type Ops = Partial<DynamodbOperations<RequestContext>>;

export interface Env {
  store: DynamoStore;
  clock: Clock;
}

export function notFound(message = 'Requested resource not found'): ServiceError {
  return new ServiceError('ResourceNotFoundException', message, { statusCode: 400 });
}

/** A table named by name or ARN (the TableName parameters accept both). */
export function tableName(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  const arn = parseArn(nameOrArn);
  return arn?.resource.startsWith('table/') ? arn.resource.slice('table/'.length).split('/')[0] : nameOrArn;
}

export function findTable(env: Env, ctx: RequestContext, nameOrArn: string): TableMeta | undefined {
  return env.store.getTable(ctx, tableName(nameOrArn));
}

/** The table for an item operation; missing tables answer as DynamoDB does. */
export function requireTable(env: Env, ctx: RequestContext, nameOrArn: string): TableMeta {
  const meta = findTable(env, ctx, nameOrArn);
  if (!meta) throw notFound();
  return meta;
}

export function tableArn(ctx: RequestContext, name: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name}`;
}

/** Capacity units DynamoDB would charge: writes per 1 KB, reads per 4 KB (halved when eventually consistent). */
export function capacity(
  meta: TableMeta, mode: string | undefined, kind: 'read' | 'write', bytes: number[], consistent = false,
): ConsumedCapacity | undefined {
  if (!mode || mode === 'NONE') return undefined;
  const units = bytes.reduce((n, b) => n + (kind === 'write' ? Math.max(1, Math.ceil(b / 1024)) : Math.max(1, Math.ceil(b / 4096)) * (consistent ? 1 : 0.5)), 0);
  const total = bytes.length ? units : kind === 'write' ? 1 : consistent ? 1 : 0.5;
  const out: ConsumedCapacity = { TableName: meta.name, CapacityUnits: total };
  if (kind === 'read') out.ReadCapacityUnits = total;
  else out.WriteCapacityUnits = total;
  if (mode === 'INDEXES') out.Table = { CapacityUnits: total };
  return out;
}
