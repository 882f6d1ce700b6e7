import type { Stage } from './ast.js';
import { EventSource, type RawEvent, type Scope } from './event-source.js';
import { execute, Executor } from './execute.js';
import { LogRow } from './log-row.js';
import { jsonString } from '../json-text.js';
import { pushdown } from './pushdown.js';
import { compareValues, MapRow, toText, type Row } from './values.js';

export interface QueryOutput {
  /** The results as JSON text: what is stored and sent. */
  text: string;
  /** The results as rows (parsed from the text when read). */
  readonly results: { field: string; value: string }[][];
  statistics: { recordsMatched: number; recordsScanned: number; bytesScanned: number; logGroupsScanned: number };
}

function output(text: string, statistics: QueryOutput['statistics']): QueryOutput {
  let rows: QueryOutput['results'] | undefined;
  return {
    text,
    get results() {
      return (rows ??= JSON.parse(text) as QueryOutput['results']);
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
    // Raw events, newest first, filters decided in SQL: fetch only what can be returned.
    const cap = Math.min(limit, ...plan.rest.filter((s): s is Extract<Stage, { k: 'limit' }> => s.k === 'limit').map((s) => s.n));
    const found = source.newest(scope, plan.globs, cap, wide);
    const out = execute(plan.rest, found.rows.map(toRow), limit);
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

/**
 * The rows as the JSON text of GetQueryResults' `results`: `[{"field":..,"value":..},..]`
 * per row, written directly (10,000 rows of six fields are 60,000 objects otherwise).
 */
function format(rows: Row[], columns: string[] | undefined): string {
  const names = new Map<string, string>();
  const out = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let fields = '';
    for (const name of columns ?? row.keys()) {
      const v = toText(row.get(name));
      if (v === undefined) continue;
      let head = names.get(name);
      if (head === undefined) names.set(name, (head = `{"field":${JSON.stringify(name)},"value":`));
      fields += `${fields ? ',' : ''}${head}${jsonString(v)}}`;
    }
    if (row instanceof LogRow) fields += `${fields ? ',' : ''}{"field":"@ptr","value":"${Buffer.from(row.ptr).toString('base64')}"}`;
    out[r] = `[${fields}]`;
  }
  return `[${out.join(',')}]`;
}
