import { ServiceError } from '../../core/errors.js';
import type { AttributeDefinition, UpdateTableInput } from '../../aws/models/generated/dynamodb.js';
import { indexKey, tableKey } from './keys.js';
import { validation } from './numbers.js';
import type { DynamoStore } from './store.js';
import { buildIndex, keyNames, type TableMeta } from './table-meta.js';

const invalid = (m: string) => validation(`One or more parameter values were invalid: ${m}`);

/** Applies UpdateTable inside a transaction and returns the new metadata; a new index is backfilled at once. */
export function updateTable(store: DynamoStore, current: TableMeta, input: UpdateTableInput, now: number): TableMeta {
  const meta: TableMeta = structuredClone(current);
  const billing = input.BillingMode ?? meta.billingMode;
  if (input.BillingMode && input.BillingMode !== meta.billingMode) {
    meta.billingMode = input.BillingMode;
    meta.billingModeSet = true;
    if (input.BillingMode === 'PAY_PER_REQUEST') {
      meta.billingModeChangedAt = now;
      meta.throughput = { read: 0, write: 0 };
      for (const ix of meta.indexes) if (ix.kind === 'GSI') ix.throughput = undefined;
    } else if (!input.ProvisionedThroughput) {
      throw invalid('ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED');
    }
  }
  if (input.ProvisionedThroughput) {
    if (billing === 'PAY_PER_REQUEST') throw invalid('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
    const t = input.ProvisionedThroughput;
    const old = meta.throughput;
    if (t.ReadCapacityUnits === old.read && t.WriteCapacityUnits === old.write && !input.BillingMode) {
      throw validation(`The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: ${old.read}. Requested ReadCapacityUnits: ${t.ReadCapacityUnits}. Current WriteCapacityUnits provisioned for the table: ${old.write}. Requested WriteCapacityUnits: ${t.WriteCapacityUnits}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.`);
    }
    const increased = t.ReadCapacityUnits > old.read || t.WriteCapacityUnits > old.write;
    meta.throughput = { read: t.ReadCapacityUnits, write: t.WriteCapacityUnits, lastIncrease: increased ? now : old.lastIncrease, lastDecrease: increased ? old.lastDecrease : now };
  }
  if (input.StreamSpecification) {
    const s = input.StreamSpecification;
    if (s.StreamEnabled && meta.stream?.enabled) throw validation(`Table already has an enabled stream: ${meta.arn}/stream/${meta.stream.label}`);
    meta.stream = s.StreamEnabled ? { enabled: true, viewType: s.StreamViewType, label: new Date(now).toISOString().replace('Z', '') } : undefined;
  }
  if (input.DeletionProtectionEnabled !== undefined) meta.deletionProtection = input.DeletionProtectionEnabled;
  if (input.TableClass) meta.tableClass = input.TableClass;
  applyIndexUpdates(store, meta, input, billing);
  store.saveTable(meta);
  return meta;
}

function applyIndexUpdates(store: DynamoStore, meta: TableMeta, input: UpdateTableInput, billing: string): void {
  const updates = input.GlobalSecondaryIndexUpdates ?? [];
  if (updates.filter((u) => u.Create || u.Delete).length > 1) {
    throw validation('Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table');
  }
  for (const u of updates) {
    if (u.Create) createIndex(store, meta, u.Create, input.AttributeDefinitions ?? [], billing);
    if (u.Delete) {
      const ix = meta.indexes.find((i) => i.kind === 'GSI' && i.name === u.Delete!.IndexName);
      if (!ix) throw new ResourceMissing(`Requested resource not found: Index: ${u.Delete.IndexName} not found`);
      meta.indexes = meta.indexes.filter((i) => i !== ix);
      store.dropIndex(meta.tid, ix.name);
      pruneDefinitions(meta);
    }
    if (u.Update) {
      const ix = meta.indexes.find((i) => i.kind === 'GSI' && i.name === u.Update!.IndexName);
      if (!ix) throw new ResourceMissing(`Requested resource not found: Index: ${u.Update.IndexName} not found`);
      const t = u.Update.ProvisionedThroughput;
      if (t) ix.throughput = { read: t.ReadCapacityUnits, write: t.WriteCapacityUnits };
    }
  }
}

class ResourceMissing extends ServiceError {
  constructor(message: string) {
    super('ResourceNotFoundException', message, { statusCode: 400 });
  }
}

function createIndex(store: DynamoStore, meta: TableMeta, def: Parameters<typeof buildIndex>[1], defs: AttributeDefinition[], billing: string): void {
  if (meta.indexes.some((i) => i.name === def.IndexName)) throw invalid(`Attempting to create an index which already exists: ${def.IndexName}`);
  for (const d of defs) {
    const existing = meta.attributeDefinitions.find((a) => a.AttributeName === d.AttributeName);
    if (existing && existing.AttributeType !== d.AttributeType) throw invalid(`Cannot change the type of attribute ${d.AttributeName}`);
    if (!existing) meta.attributeDefinitions.push(d);
  }
  const defined = new Set(meta.attributeDefinitions.map((a) => a.AttributeName));
  const ix = buildIndex('GSI', def, billing, defined, meta.arn, keyNames(meta.keySchema));
  meta.indexes.push(ix);
  if (meta.indexes.filter((i) => i.kind === 'GSI').length > 20) throw validation('Subscriber limit exceeded: The number of GlobalSecondaryIndexes exceeds the per-table limit of 20');
  pruneDefinitions(meta);
  // Backfill: items whose index key has the wrong type are left out, as DynamoDB reports them as violations.
  for (const row of [...store.scan(meta, undefined)]) {
    let key;
    try {
      key = indexKey(meta, ix, row.item);
    } catch {
      continue;
    }
    if (key) store.putIndexKey(meta.tid, ix.name, key, tableKey(meta, row.item, true));
  }
}

function pruneDefinitions(meta: TableMeta): void {
  const used = new Set([...meta.keySchema, ...meta.indexes.flatMap((i) => i.keySchema)].map((k) => k.AttributeName));
  meta.attributeDefinitions = meta.attributeDefinitions.filter((a) => used.has(a.AttributeName));
}
