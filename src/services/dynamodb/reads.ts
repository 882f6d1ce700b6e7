import type { RequestContext } from '../../aws/gateway/context.js';
import type { QueryInput, ScanInput } from '../../aws/models/generated/dynamodb.js';
import type { Item } from './attributes.js';
import { capacity, requireTable, type Env, type Ops } from './common.js';
import type { Condition, Path } from './expressions/ast.js';
import { ExpressionContext } from './expressions/context.js';
import { checkCondition, evaluate } from './expressions/evaluate.js';
import { parseCondition } from './expressions/parser.js';
import { keyLookup } from './key-condition.js';
import { keyAttributeNames, pickAttributes, startPosition } from './keys.js';
import { validation } from './numbers.js';
import { projectionPaths, projector } from './projection.js';
import type { Row } from './store.js';
import type { IndexMeta, TableMeta } from './table-meta.js';
import { rejectLegacy } from './writes.js';

const PAGE_BYTES = 1024 * 1024;

interface ReadPlan {
  meta: TableMeta;
  index?: IndexMeta;
  filter?: Condition;
  paths?: Path[];
  ctx: ExpressionContext;
  count: boolean;
  projectIndex: boolean;
}

type ReadInput = QueryInput | ScanInput;

function plan(env: Env, rc: RequestContext, input: ReadInput): ReadPlan {
  rejectLegacy(input as unknown as Record<string, unknown>, ['KeyConditions', 'QueryFilter', 'ScanFilter', 'ConditionalOperator']);
  const meta = requireTable(env, rc, input.TableName);
  const index = input.IndexName === undefined ? undefined : meta.indexes.find((i) => i.name === input.IndexName);
  if (input.IndexName !== undefined && !index) throw validation(`The table does not have the specified index: ${input.IndexName}`);
  if (index?.kind === 'GSI' && input.ConsistentRead) throw validation('Consistent reads are not supported on global secondary indexes');
  const ctx = new ExpressionContext(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  let filter: Condition | undefined;
  if (input.FilterExpression !== undefined) {
    filter = parseCondition('FilterExpression', input.FilterExpression, ctx);
    checkCondition(filter, 'FilterExpression');
  }
  const paths = projectionPaths(input.ProjectionExpression, input.AttributesToGet, ctx);
  const select = input.Select ?? (paths ? 'SPECIFIC_ATTRIBUTES' : index && index.kind === 'GSI' ? 'ALL_PROJECTED_ATTRIBUTES' : 'ALL_ATTRIBUTES');
  if (select === 'COUNT' && paths) throw validation('Cannot specify the AttributesToGet when choosing to get only the Count');
  if (select === 'SPECIFIC_ATTRIBUTES' && !paths) throw validation('Select type SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet');
  if (select === 'ALL_PROJECTED_ATTRIBUTES' && !index) throw validation('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
  if (select === 'ALL_ATTRIBUTES' && index?.kind === 'GSI' && index.projection.ProjectionType !== 'ALL') {
    throw validation(`One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${index.name} because its projection type is not ALL`);
  }
  return { meta, index, filter, paths, ctx, count: select === 'COUNT', projectIndex: !!index && (index.kind === 'GSI' || select === 'ALL_PROJECTED_ATTRIBUTES') };
}

/** What a secondary index holds of an item: its keys, plus the projected attributes. */
function indexView(p: ReadPlan, item: Item): Item {
  const ix = p.index!;
  if (ix.projection.ProjectionType === 'ALL') return item;
  const names = [...keyAttributeNames(p.meta, ix), ...(ix.projection.NonKeyAttributes ?? [])];
  return pickAttributes(item, names);
}

/** Reads rows until Limit items were evaluated or 1 MB was read; filters apply after the limit, as in DynamoDB. */
function readPage(p: ReadPlan, rows: Iterable<Row>, limit: number | undefined, accept: (r: Row) => boolean = () => true) {
  const project = projector(p.paths);
  const items: Item[] = [];
  const sizes: number[] = [];
  let scanned = 0;
  let bytes = 0;
  let last: Row | undefined;
  let more = false;
  for (const row of rows) {
    if (!accept(row)) continue;
    if ((limit !== undefined && scanned >= limit) || bytes >= PAGE_BYTES) {
      more = true;
      break;
    }
    scanned++;
    bytes += row.size;
    sizes.push(row.size);
    last = row;
    const view = p.projectIndex ? indexView(p, row.item) : row.item;
    if (p.filter && !evaluate(p.filter, view)) continue;
    if (!p.count) items.push(project(view));
    else items.push({});
  }
  // DynamoDB answers a LastEvaluatedKey whenever it stopped at the limit.
  const stopped = more || (limit !== undefined && scanned === limit);
  const lastKey = stopped && last ? pickAttributes(last.item, keyAttributeNames(p.meta, p.index)) : undefined;
  return { items, scanned, lastKey, sizes };
}

function checkFilterKeys(p: ReadPlan, filter: Condition | undefined, keys: string[]): void {
  if (!filter) return;
  const seen: string[] = [];
  const walk = (c: unknown): void => {
    if (!c || typeof c !== 'object') return;
    const o = c as { kind?: string; path?: Path };
    if ((o.kind === 'path' || o.kind === 'size' || o.kind === 'exists' || o.kind === 'not_exists' || o.kind === 'attribute_type') && o.path) {
      const first = o.path.segments[0];
      if (first && 'name' in first) seen.push(first.name);
    }
    for (const v of Object.values(c)) if (v && typeof v === 'object') walk(v);
  };
  walk(filter);
  const bad = seen.find((n) => keys.includes(n));
  if (bad) throw validation(`Filter Expression can only contain non-primary key attributes: Primary key attribute: ${bad}`);
  void p;
}

/** Query and Scan. */
export function readOperations(env: Env): Ops {
  const { store } = env;
  return {
    async Query(input, rc) {
      const p = plan(env, rc, input);
      if (input.KeyConditionExpression === undefined) throw validation('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
      const keyCond = parseCondition('KeyConditionExpression', input.KeyConditionExpression, p.ctx);
      checkCondition(keyCond, 'KeyConditionExpression');
      p.ctx.checkAllUsed();
      const schema = p.index?.keySchema ?? p.meta.keySchema;
      const lookup = keyLookup(p.meta, schema, keyCond);
      checkFilterKeys(p, p.filter, schema.map((k) => k.AttributeName));
      const start = input.ExclusiveStartKey ? startPosition(p.meta, p.index, input.ExclusiveStartKey) : undefined;
      const forward = input.ScanIndexForward ?? true;
      const page = readPage(p, store.query(p.meta, p.index, lookup.pk, lookup.range, forward, start), input.Limit);
      return {
        Items: p.count ? undefined : page.items,
        Count: page.items.length,
        ScannedCount: page.scanned,
        LastEvaluatedKey: page.lastKey,
        ConsumedCapacity: capacity(p.meta, input.ReturnConsumedCapacity, 'read', [page.sizes.reduce((a, b) => a + b, 0)], input.ConsistentRead),
      };
    },

    async Scan(input, rc) {
      const p = plan(env, rc, input);
      p.ctx.checkAllUsed();
      const { Segment: segment, TotalSegments: total } = input;
      if (segment !== undefined && total === undefined) throw validation('The TotalSegments parameter is required but was not present in the request when Segment parameter is present');
      if (total !== undefined && segment === undefined) throw validation('The Segment parameter is required but was not present in the request when parameter TotalSegments is present');
      if (segment !== undefined && total !== undefined && segment >= total) {
        throw validation(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`);
      }
      const start = input.ExclusiveStartKey ? startPosition(p.meta, p.index, input.ExclusiveStartKey) : undefined;
      const accept = total ? (r: Row) => segmentOf(r.pk, total) === segment : undefined;
      const page = readPage(p, store.scan(p.meta, p.index, start), input.Limit, accept);
      return {
        Items: p.count ? undefined : page.items,
        Count: page.items.length,
        ScannedCount: page.scanned,
        LastEvaluatedKey: page.lastKey,
        ConsumedCapacity: capacity(p.meta, input.ReturnConsumedCapacity, 'read', [page.sizes.reduce((a, b) => a + b, 0)], input.ConsistentRead),
      };
    },
  };
}

/** A parallel scan's segment of a partition: a stable hash of the partition key. */
export function segmentOf(pk: Buffer, total: number): number {
  let h = 0x811c9dc5;
  for (const b of pk) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % total;
}
