import type {
  AttributeDefinition, CreateTableInput, GlobalSecondaryIndex, KeySchemaElement, LocalSecondaryIndex, Projection, ProvisionedThroughput, Tag,
} from '../../aws/models/generated/dynamodb.js';
import { validation } from './numbers.js';

export interface Throughput {
  read: number;
  write: number;
  lastIncrease?: number;
  lastDecrease?: number;
}

export interface IndexMeta {
  name: string;
  kind: 'GSI' | 'LSI';
  keySchema: KeySchemaElement[];
  projection: Projection;
  throughput?: Throughput;
  arn: string;
}

export interface TableMeta {
  tid: number;
  name: string;
  arn: string;
  tableId: string;
  createdAt: number;
  keySchema: KeySchemaElement[];
  attributeDefinitions: AttributeDefinition[];
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  /** Whether the caller named a billing mode (DescribeTable shows BillingModeSummary then). */
  billingModeSet: boolean;
  billingModeChangedAt?: number;
  throughput: Throughput;
  indexes: IndexMeta[];
  stream?: { enabled: boolean; viewType?: string; label?: string };
  ttl?: { attribute: string; enabled: boolean; since?: number };
  tags: Tag[];
  tableClass?: string;
  deletionProtection: boolean;
}

/** The attributes of a key schema: the partition (hash) key and the optional sort (range) key. */
export interface KeyNames {
  hash: string;
  range?: string;
}

export function keyNames(schema: KeySchemaElement[]): KeyNames {
  return { hash: schema.find((k) => k.KeyType === 'HASH')!.AttributeName, range: schema.find((k) => k.KeyType === 'RANGE')?.AttributeName };
}

export function attributeType(meta: Pick<TableMeta, 'attributeDefinitions'>, name: string): 'S' | 'N' | 'B' {
  return meta.attributeDefinitions.find((a) => a.AttributeName === name)!.AttributeType as 'S' | 'N' | 'B';
}

const invalid = (m: string) => validation(`One or more parameter values were invalid: ${m}`);

export function checkKeySchema(schema: KeySchemaElement[], defined: Set<string>, what = 'KeySchema'): void {
  if (schema.length > 2) throw validation(`1 validation error detected: Value '${JSON.stringify(schema)}' at '${what === 'KeySchema' ? 'keySchema' : what}' failed to satisfy constraint: Member must have length less than or equal to 2`);
  if (schema[0].KeyType !== 'HASH') throw validation(`Invalid ${what}: The first KeySchemaElement is not a HASH key type`);
  if (schema[1] && schema[1].KeyType !== 'RANGE') throw validation(`Invalid ${what}: The second KeySchemaElement is not a RANGE key type`);
  if (schema[1] && schema[1].AttributeName === schema[0].AttributeName) {
    throw validation(`Invalid ${what}: Both the Hash Key and the Range Key element in the KeySchema have the same name`);
  }
  const missing = schema.map((k) => k.AttributeName).filter((n) => !defined.has(n));
  if (missing.length) {
    throw invalid(`Some index key attributes are not defined in AttributeDefinitions. Keys: [${missing.join(', ')}], AttributeDefinitions: [${[...defined].join(', ')}]`);
  }
}

function checkProjection(p: Projection, index: string): Projection {
  const type = p.ProjectionType ?? 'ALL';
  if (type === 'INCLUDE' && !p.NonKeyAttributes?.length) throw invalid(`NonKeyAttributes must be specified when ProjectionType is INCLUDE for index: ${index}`);
  if (type !== 'INCLUDE' && p.NonKeyAttributes) throw invalid(`ProjectionType is ${type}, but NonKeyAttributes is specified`);
  return { ProjectionType: type, NonKeyAttributes: p.NonKeyAttributes };
}

function throughputOf(t: ProvisionedThroughput | undefined, billing: string, index?: string): Throughput | undefined {
  if (billing === 'PAY_PER_REQUEST') {
    if (t) throw invalid('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
    return undefined;
  }
  if (!t) throw invalid(index ? `ProvisionedThroughput must be specified for index: ${index}` : 'ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED');
  return { read: t.ReadCapacityUnits, write: t.WriteCapacityUnits };
}

export function buildIndex(
  kind: 'GSI' | 'LSI', def: GlobalSecondaryIndex | LocalSecondaryIndex, billing: string, defined: Set<string>, tableArn: string, tableKeys: KeyNames,
): IndexMeta {
  checkKeySchema(def.KeySchema, defined, 'KeySchema');
  const keys = keyNames(def.KeySchema);
  if (kind === 'LSI') {
    if (!tableKeys.range) throw invalid('Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex');
    if (keys.hash !== tableKeys.hash) throw invalid(`Index KeySchema does not have the same leading hash key as table KeySchema for index: ${def.IndexName}. index hash key: ${keys.hash}, table hash key: ${tableKeys.hash}`);
    if (!keys.range) throw invalid(`Index KeySchema does not have a range key for index: ${def.IndexName}`);
  }
  return {
    name: def.IndexName,
    kind,
    keySchema: def.KeySchema,
    projection: checkProjection(def.Projection, def.IndexName),
    throughput: kind === 'GSI' ? throughputOf((def as GlobalSecondaryIndex).ProvisionedThroughput, billing, def.IndexName) : undefined,
    arn: `${tableArn}/index/${def.IndexName}`,
  };
}

/** Validates CreateTable's schema with DynamoDB's messages and returns the table's metadata (without its row id). */
export function buildTableMeta(input: CreateTableInput, arn: string, tableId: string, now: number): Omit<TableMeta, 'tid'> {
  const defs = input.AttributeDefinitions ?? [];
  if (!input.KeySchema?.length) throw validation("1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must not be null");
  const defined = new Set<string>();
  for (const d of defs) {
    if (defined.has(d.AttributeName)) throw invalid(`Duplicate AttributeName found in AttributeDefinitions: ${d.AttributeName}`);
    defined.add(d.AttributeName);
  }
  checkKeySchema(input.KeySchema, defined);
  const billing = input.BillingMode ?? 'PROVISIONED';
  const throughput = throughputOf(input.ProvisionedThroughput, billing) ?? { read: 0, write: 0 };
  const tableKeys = keyNames(input.KeySchema);
  const indexes = [
    ...(input.LocalSecondaryIndexes ?? []).map((d) => buildIndex('LSI', d, billing, defined, arn, tableKeys)),
    ...(input.GlobalSecondaryIndexes ?? []).map((d) => buildIndex('GSI', d, billing, defined, arn, tableKeys)),
  ];
  if ((input.LocalSecondaryIndexes?.length ?? 0) > 5) throw invalid('Number of LocalSecondaryIndexes exceeds per-table limit of 5');
  if ((input.GlobalSecondaryIndexes?.length ?? 0) > 20) throw validation('Subscriber limit exceeded: The number of GlobalSecondaryIndexes exceeds the per-table limit of 20');
  const names = new Set<string>();
  for (const ix of indexes) {
    if (names.has(ix.name)) throw invalid(`Duplicate index name: ${ix.name}`);
    names.add(ix.name);
  }
  const used = new Set([...input.KeySchema, ...indexes.flatMap((i) => i.keySchema)].map((k) => k.AttributeName));
  if (used.size !== defined.size) {
    throw invalid('Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
  }
  const stream = input.StreamSpecification;
  if (stream?.StreamEnabled && !stream.StreamViewType) throw invalid('You must specify a StreamViewType when enabling a stream');
  return {
    name: input.TableName,
    arn,
    tableId,
    createdAt: now,
    keySchema: input.KeySchema,
    attributeDefinitions: defs,
    billingMode: billing,
    billingModeSet: input.BillingMode !== undefined,
    billingModeChangedAt: billing === 'PAY_PER_REQUEST' ? now : undefined,
    throughput,
    indexes,
    stream: stream?.StreamEnabled ? { enabled: true, viewType: stream.StreamViewType, label: new Date(now).toISOString().replace('Z', '') } : undefined,
    tags: input.Tags ?? [],
    tableClass: input.TableClass,
    deletionProtection: input.DeletionProtectionEnabled ?? false,
  };
}
