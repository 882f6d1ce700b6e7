import type { RequestContext } from '../../../aws/gateway/context.js';
import type { LogsOperations, QueryInfo } from '../../../aws/models/generated/logs.js';
import { errorMessage, ServiceError } from '../../../core/errors.js';
import { uuid } from '../../../core/ids.js';
import type { Scope } from '../../../core/scope.js';
import type { ServiceDeps } from '../../service.js';
import { groupNameOf, invalidParameter } from '../common.js';
import type { LogsStore, QueryRecord } from '../store.js';
import { EventSource } from './event-source.js';
import { parseQuery } from './parser.js';
import { completeResults } from './results-body.js';
import { runQuery } from './run-query.js';

type Ops = Partial<LogsOperations<RequestContext>>;

const MAX_GROUPS = 50;
const DEFAULT_LIMIT = 10_000;
const RECENT_RESULTS = 8;
const EMPTY = Buffer.from('[]');

interface QueryJob {
  scope: Scope;
  queryId: string;
}

/** Logs Insights: queries are parsed when started, then run in the background by a durable job. */
export function insightsOperations(store: LogsStore, deps: ServiceDeps): Ops {
  const source = new EventSource(store.db, store.blocks);
  // The results of the queries completed last, as JSON: GetQueryResults, which clients
  // call right after completion, then sends them without reading megabytes back.
  const recent = new Map<string, Buffer>();
  const keyOf = (scope: Scope, id: string) => `${scope.accountId}/${scope.region}/${id}`;
  const update = (scope: Scope, id: string, change: Partial<QueryRecord>) => {
    const q = store.queries.get(scope, id);
    if (q) store.queries.put(scope, id, { ...q, ...change });
  };

  const enqueue = deps.jobs.define<QueryJob>(
    'logs.query',
    async ({ scope, queryId }) => {
      const q = store.queries.get(scope, queryId);
      if (!q || (q.status !== 'Scheduled' && q.status !== 'Running')) return;
      update(scope, queryId, { status: 'Running' });
      // Yield between chunks of the scan: the StartQuery response goes out first, other
      // requests are served meanwhile, and StopQuery takes effect.
      const pause = async () => {
        await new Promise((r) => setImmediate(r));
        return store.queries.get(scope, queryId)?.status === 'Running';
      };
      if (!(await pause())) return;
      try {
        const groups = q.logGroupNames.map((name) => store.group(scope, name)).filter((g) => g !== undefined).map((g) => ({ id: g.id, name: `${scope.accountId}:${g.name}` }));
        const range = { groups, start: q.startTime * 1000, end: q.endTime * 1000 + 999 };
        const out = await runQuery(source, parseQuery(q.queryString), range, q.limit ?? DEFAULT_LIMIT, pause);
        if (!out || store.queries.get(scope, queryId)?.status !== 'Running') return;
        // The same bytes are stored and sent.
        const text = out.json;
        store.db.transaction(() => {
          store.putQueryResults(scope, queryId, text);
          update(scope, queryId, { status: 'Complete', statistics: out.statistics, finishedTime: deps.clock.now() });
        });
        recent.set(keyOf(scope, queryId), text);
        if (recent.size > RECENT_RESULTS) recent.delete(recent.keys().next().value!);
      } catch (e) {
        update(scope, queryId, { status: 'Failed', error: errorMessage(e), finishedTime: deps.clock.now() });
      }
    },
    { concurrency: 2, maxAttempts: 1 },
  );

  return {
    async StartQuery(input, ctx) {
      if (input.queryLanguage && input.queryLanguage !== 'CWLI') {
        throw invalidParameter(`Slipway runs Logs Insights QL queries (CWLI); ${input.queryLanguage} is not supported.`);
      }
      const names = groupsOf(input);
      for (const n of names) if (!store.group(ctx, n)) throw new ServiceError('ResourceNotFoundException', `Log group '${n}' does not exist for account ID '${ctx.accountId}'`);
      if (input.endTime < input.startTime) throw invalidParameter('The end time of the query must be later than its start time.');
      parseQuery(input.queryString);
      const queryId = uuid();
      store.queries.put(ctx, queryId, {
        queryId, queryString: input.queryString, logGroupNames: names, startTime: input.startTime, endTime: input.endTime,
        limit: input.limit, status: 'Scheduled', createTime: deps.clock.now(),
      });
      enqueue({ scope: { accountId: ctx.accountId, region: ctx.region }, queryId });
      return { queryId };
    },

    async GetQueryResults(input, ctx) {
      const q = requireQuery(store, ctx, input.queryId);
      const statistics = q.statistics ?? { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
      if (q.status !== 'Complete') return { queryLanguage: 'CWLI', status: q.status, results: [], statistics };
      return completeResults(recent.get(keyOf(ctx, q.queryId)) ?? store.queryResults(ctx, q.queryId) ?? EMPTY, statistics);
    },

    async StopQuery(input, ctx) {
      const q = requireQuery(store, ctx, input.queryId);
      if (q.status !== 'Scheduled' && q.status !== 'Running') return { success: false };
      update(ctx, q.queryId, { status: 'Cancelled', finishedTime: deps.clock.now() });
      return { success: true };
    },

    async DescribeQueries(input, ctx) {
      if (input.queryLanguage && input.queryLanguage !== 'CWLI') return { queries: [] };
      const all = store.queries.list(ctx)
        .filter((q) => (!input.status || q.status === input.status) && (!input.logGroupName || q.logGroupNames.includes(input.logGroupName)))
        .sort((a, b) => b.createTime - a.createTime || (a.queryId < b.queryId ? -1 : 1));
      const offset = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64url').toString('utf8').replace(/^queries:/, '')) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`The specified nextToken is invalid: ${input.nextToken}`);
      const max = input.maxResults ?? 1000;
      const page = all.slice(offset, offset + max);
      return {
        queries: page.map(info),
        nextToken: offset + max < all.length ? Buffer.from(`queries:${offset + max}`).toString('base64url') : undefined,
      };
    },
  };
}

function groupsOf(input: { logGroupName?: string; logGroupNames?: string[]; logGroupIdentifiers?: string[] }): string[] {
  const given = [input.logGroupName, input.logGroupNames, input.logGroupIdentifiers].filter((x) => x !== undefined);
  if (given.length !== 1) throw invalidParameter('Specify exactly one of logGroupName, logGroupNames and logGroupIdentifiers.');
  const names = [...new Set((input.logGroupIdentifiers ?? input.logGroupNames ?? [input.logGroupName!]).map(groupNameOf))];
  if (!names.length) throw invalidParameter('At least one log group must be specified.');
  if (names.length > MAX_GROUPS) throw invalidParameter(`A query can search at most ${MAX_GROUPS} log groups.`);
  return names;
}

function requireQuery(store: LogsStore, scope: Scope, id: string): QueryRecord {
  const q = store.queries.get(scope, id);
  if (!q) throw new ServiceError('ResourceNotFoundException', `Query ${id} does not exist.`);
  return q;
}

function info(q: QueryRecord): QueryInfo {
  return {
    queryLanguage: 'CWLI',
    queryId: q.queryId,
    queryString: q.queryString,
    status: q.status,
    createTime: q.createTime,
    logGroupName: q.logGroupNames[0],
    queryDuration: q.finishedTime !== undefined ? q.finishedTime - q.createTime : undefined,
    bytesScanned: q.statistics?.bytesScanned,
  };
}
