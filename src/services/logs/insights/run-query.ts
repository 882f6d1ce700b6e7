import type { Stage } from './ast.js';
import { EventSource, type RawEvent, type Scope } from './event-source.js';
import { columnsAfter, execute, Executor } from './execute.js';
import { LogRow } from './log-row.js';
import { newestHits, rawEvent } from './newest-hits.js';
import { pushdown } from './pushdown.js';
import { hitText, resultText as format, writesHits } from './result-text.js';
import { compareValues, MapRow, type Row } from './values.js';

export interface QueryOutput {
  /** The results as JSON, UTF-8: what is stored and sent. */
  json: Buffer;
  /** The results as rows (parsed from the JSON when read). */
  readonly results: { field: string; value: string }[][];
  statistics: { recordsMatched: number; recordsScanned: number; bytesScanned: number; logGroupsScanned: number };
}

function output(text: string | Buffer, statistics: QueryOutput['statistics']): QueryOutput {
  let rows: QueryOutput['results'] | undefined;
  const json = typeof text === 'string' ? Buffer.from(text) : text;
  return {
    json,
    get results() {
      return (rows ??= JSON.parse(json.toString('utf8')) as QueryOutput['results']);
    },
    statistics,
  };
}

/**
 * Runs a parsed query over the events of some log groups in a time range. Filters on
 * @message become GLOBs in SQLite; counts by time bin are answered by SQLite alone; the
 * rest streams through the JavaScript executor.
 */
/** Called between chunks of a long scan: yields the thread; false means the query was stopped. */
export type Pause = () => Promise<boolean>;

/** Stages that only pick fields or cut the rows: no values computed. */
function plainStage(s: Stage): boolean {
  return s.k === 'limit' || s.k === 'display' || (s.k === 'fields' && s.items.every((i) => i.expr.k === 'field' && i.expr.name === i.name));
}

export async function runQuery(source: EventSource, stages: Stage[], scope: Scope, limit: number, pause: Pause = async () => true): Promise<QueryOutput | undefined> {
  const plan = pushdown(stages);
  const scanned = source.scanned(scope);
  const wide = source.wide(scope, scanned.records);
  const statistics = (matched: number) => ({ recordsMatched: matched, recordsScanned: scanned.records, bytesScanned: scanned.bytes, logGroupsScanned: scope.groups.length });

  if (plan.counts) {
    const counts = plan.counts;
    const groups = source.countBy(scope, plan.globs, counts, wide);
    // Stats rows come out ordered by their group keys, as the executor orders them.
    groups.sort((a, b) => {
      for (let i = 0; i < a.keys.length; i++) {
        const c = compareValues(a.keys[i], b.keys[i]);
        if (c !== 0) return c;
      }
      return 0;
    });
    const rows = groups.map((g) => {
      const row = new MapRow();
      counts.by.forEach((b, i) => row.set(b.name, b.bin ? new Date(g.keys[i] as number) : g.keys[i]));
      for (const c of counts.counts) row.set(c, g.n);
      return row as Row;
    });
    const matched = rows.reduce((n, r) => n + (r.get(counts.counts[0]) as number), 0);
    const out = execute(counts.after, rows, limit);
    return output(format(out.rows, out.columns ?? [...counts.by.map((b) => b.name), ...counts.counts]), statistics(matched));
  }

  const streams = source.streamNames();
  const groups = new Map(scope.groups.map((g) => [g.id, g.name]));
  const toRow = (e: RawEvent) => new LogRow(e.ts, e.ingest, e.message, streams.get(e.stream_id) ?? '', groups.get(e.group_id) ?? '', `${e.group_id}:${e.id}`);
  const simple = plan.exact && plan.rest.every((s) => s.k === 'fields' || s.k === 'display' || s.k === 'parse' || s.k === 'limit');
  if (simple) {
    // Raw events, newest first, filters decided by the globs: fetch only what can be returned.
    const cap = Math.min(limit, ...plan.rest.filter((s): s is Extract<Stage, { k: 'limit' }> => s.k === 'limit').map((s) => s.n));
    // Every filter was pushed down; the other stages (`fields` among them) shape the rows.
    const shaping = stages.filter((s) => s.k !== 'filter');
    const columns = columnsAfter(shaping, undefined);
    if (plan.globs.length && shaping.every(plainStage) && writesHits(columns)) {
      // Plain columns of raw matches: written straight from the blocks.
      const found = newestHits(source.blocks, scope, plan.globs, cap);
      return output(hitText(found.hits, columns, streams, groups), statistics(found.count));
    }
    const hits = plan.globs.length ? newestHits(source.blocks, scope, plan.globs, cap) : undefined;
    const found = hits ? { rows: hits.hits.map(rawEvent), count: hits.count } : source.newest(scope, cap, wide);
    const out = execute(shaping, found.rows.map(toRow), limit);
    return output(format(out.rows, out.columns), statistics(found.count));
  }
  // Stats and sort do not care in which order rows arrive.
  const barrier = stages.find((s) => s.k === 'stats' || s.k === 'sort' || s.k === 'limit' || s.k === 'dedup');
  const ordered = barrier?.k !== 'stats' && barrier?.k !== 'sort';
  const executor = new Executor(stages, limit);
  for (const chunk of source.chunks(scope, plan.globs, ordered, wide)) {
    executor.feed(chunk.map(toRow));
    if (!(await pause())) return undefined;
  }
  const out = executor.finish();
  return output(format(out.rows, out.columns), statistics(out.matched));
}
