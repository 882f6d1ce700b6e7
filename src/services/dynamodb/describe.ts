import type { StreamSpecification, TableClassSummary, TableDescription } from '../../aws/models/generated/dynamodb.js';
import type { DynamoStore } from './store.js';
import type { TableMeta, Throughput } from './table-meta.js';

function throughput(t: Throughput | undefined) {
  return {
    NumberOfDecreasesToday: 0,
    ReadCapacityUnits: t?.read ?? 0,
    WriteCapacityUnits: t?.write ?? 0,
    LastIncreaseDateTime: t?.lastIncrease ? new Date(t.lastIncrease) : undefined,
    LastDecreaseDateTime: t?.lastDecrease ? new Date(t.lastDecrease) : undefined,
  };
}

/** DescribeTable's view of a table, with live item counts and sizes. */
export function describeTable(store: DynamoStore, meta: TableMeta, status: TableDescription['TableStatus'] = 'ACTIVE'): TableDescription {
  const stats = status === 'ACTIVE' ? store.stats(meta.tid) : { count: 0, bytes: 0 };
  const indexes = meta.indexes.map((ix) => ({ ix, stats: status === 'ACTIVE' ? store.indexStats(meta.tid, ix.name) : { count: 0, bytes: 0 } }));
  const gsis = indexes.filter(({ ix }) => ix.kind === 'GSI');
  const lsis = indexes.filter(({ ix }) => ix.kind === 'LSI');
  return {
    TableName: meta.name,
    TableArn: meta.arn,
    TableId: meta.tableId,
    TableStatus: status,
    CreationDateTime: new Date(meta.createdAt),
    AttributeDefinitions: meta.attributeDefinitions,
    KeySchema: meta.keySchema,
    ProvisionedThroughput: throughput(meta.throughput),
    BillingModeSummary:
      meta.billingModeSet || meta.billingMode === 'PAY_PER_REQUEST'
        ? { BillingMode: meta.billingMode, LastUpdateToPayPerRequestDateTime: meta.billingModeChangedAt ? new Date(meta.billingModeChangedAt) : undefined }
        : undefined,
    TableSizeBytes: stats.bytes,
    ItemCount: stats.count,
    GlobalSecondaryIndexes: gsis.length
      ? gsis.map(({ ix, stats: s }) => ({
          IndexName: ix.name,
          KeySchema: ix.keySchema,
          Projection: ix.projection,
          IndexStatus: status === 'DELETING' ? 'DELETING' : 'ACTIVE',
          ProvisionedThroughput: throughput(ix.throughput),
          IndexSizeBytes: s.bytes,
          ItemCount: s.count,
          IndexArn: ix.arn,
        }))
      : undefined,
    LocalSecondaryIndexes: lsis.length
      ? lsis.map(({ ix, stats: s }) => ({ IndexName: ix.name, KeySchema: ix.keySchema, Projection: ix.projection, IndexSizeBytes: s.bytes, ItemCount: s.count, IndexArn: ix.arn }))
      : undefined,
    StreamSpecification: meta.stream ? { StreamEnabled: meta.stream.enabled, StreamViewType: meta.stream.viewType as StreamSpecification['StreamViewType'] } : undefined,
    LatestStreamLabel: meta.stream?.label,
    LatestStreamArn: meta.stream?.label ? `${meta.arn}/stream/${meta.stream.label}` : undefined,
    TableClassSummary: meta.tableClass ? { TableClass: meta.tableClass as TableClassSummary['TableClass'] } : undefined,
    DeletionProtectionEnabled: meta.deletionProtection,
  };
}
