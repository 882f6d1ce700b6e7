import { accumulator, type Accumulator } from './aggregates.js';
import type { Stage } from './ast.js';
import { evaluate, truthy } from './evaluate.js';
import { compareValues, MapRow, toText, type Row, type Value } from './values.js';

export interface Execution {
  rows: Row[];
  /** The columns to return, in order; undefined means every field of each row. */
  columns: string[] | undefined;
  /** Rows that got past the filters before the first barrier (stats, sort, limit, dedup). */
  matched: number;
}

type PerRow = Extract<Stage, { k: 'fields' | 'filter' | 'parse' | 'display' }>;

/**
 * Runs a parsed query over rows fed in chunks. The leading per-row commands stream (so a
 * million events feed stats without being held); sort, limit and dedup work on what is left.
 */
export class Executor {
  private readonly head: PerRow[];
  private readonly first: Stage | undefined;
  private readonly groups: Grouper | undefined;
  private readonly cut: number;
  private rows: Row[] = [];
  private matched = 0;

  constructor(
    private readonly stages: Stage[],
    private readonly limit: number,
  ) {
    const cut = stages.findIndex((s) => s.k === 'stats' || s.k === 'sort' || s.k === 'limit' || s.k === 'dedup');
    this.cut = cut < 0 ? stages.length : cut;
    this.head = stages.slice(0, this.cut) as PerRow[];
    this.first = stages[this.cut];
    if (this.first?.k === 'stats') this.groups = new Grouper(this.first);
  }

  feed(source: Iterable<Row>): void {
    for (const row of source) {
      if (!applyPerRow(this.head, row)) continue;
      this.matched++;
      if (this.groups) this.groups.add(row);
      else this.rows.push(row);
    }
  }

  finish(): Execution {
    let columns = columnsAfter(this.head, undefined);
    let rows = this.rows;
    let rest = this.stages.slice(this.cut);
    if (this.groups && this.first?.k === 'stats') {
      rows = this.groups.rows();
      columns = [...this.first.by.map((b) => b.name), ...this.first.aggs.map((a) => a.name)];
      rest = rest.slice(1);
    }
    for (const stage of rest) ({ rows, columns } = applyStage(stage, rows, columns));
    return { rows: rows.slice(0, this.limit), columns, matched: this.matched };
  }
}

export function execute(stages: Stage[], source: Iterable<Row>, limit: number): Execution {
  const e = new Executor(stages, limit);
  e.feed(source);
  return e.finish();
}

function applyPerRow(stages: PerRow[], row: Row): boolean {
  for (const s of stages) {
    if (s.k === 'filter') { if (!truthy(evaluate(s.expr, row))) return false; }
    else if (s.k === 'fields') for (const item of s.items) { if (item.expr.k !== 'field' || item.name !== item.expr.name) row.set(item.name, evaluate(item.expr, row)); }
    else if (s.k === 'parse') parseInto(s, row);
  }
  return true;
}

function parseInto(s: Extract<Stage, { k: 'parse' }>, row: Row): void {
  const text = toText(evaluate(s.source, row));
  if (text === undefined) return;
  if (s.regex) {
    const groups = s.regex.exec(text)?.groups;
    if (groups) for (const n of s.names) if (groups[n] !== undefined) row.set(n, groups[n]);
    return;
  }
  // A glob: literal parts in order, each `*` capturing what lies between them.
  const parts = s.glob!;
  let pos = text.indexOf(parts[0]);
  if (pos < 0) return;
  pos += parts[0].length;
  const values: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const next = parts[i] === '' ? (i === parts.length - 1 ? text.length : pos) : text.indexOf(parts[i], pos);
    if (next < 0) return;
    values.push(text.slice(pos, next));
    pos = next + parts[i].length;
  }
  s.names.forEach((n, i) => row.set(n, values[i]));
}

/** The columns a query's per-row stages leave (undefined: every field of each row). */
export function columnsAfter(stages: Stage[], start: string[] | undefined): string[] | undefined {
  let cols = start;
  let display: string[] | undefined;
  for (const s of stages) {
    if (s.k === 'fields') cols = [...(cols ?? []), ...s.items.map((i) => i.name).filter((n) => !(cols ?? []).includes(n))];
    else if (s.k === 'parse' && cols) cols = [...cols, ...s.names.filter((n) => !cols!.includes(n))];
    else if (s.k === 'display') display = s.names;
  }
  return display ?? cols;
}

function applyStage(stage: Stage, rows: Row[], columns: string[] | undefined): { rows: Row[]; columns: string[] | undefined } {
  switch (stage.k) {
    case 'filter': return { rows: rows.filter((r) => truthy(evaluate(stage.expr, r))), columns };
    case 'fields':
    case 'parse':
    case 'display':
      rows.forEach((r) => applyPerRow([stage], r));
      return { rows, columns: columnsAfter([stage], columns) };
    case 'limit': return { rows: rows.slice(0, stage.n), columns };
    case 'sort': {
      const keyed = rows.map((r) => ({ r, keys: stage.keys.map((k) => evaluate(k.expr, r)) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < stage.keys.length; i++) {
          const c = compareValues(a.keys[i], b.keys[i]);
          if (c !== 0) return stage.keys[i].desc ? -c : c;
        }
        return 0;
      });
      return { rows: keyed.map((k) => k.r), columns };
    }
    case 'dedup': {
      const seen = new Set<string>();
      return {
        rows: rows.filter((r) => {
          const key = JSON.stringify(stage.names.map((n) => toText(r.get(n)) ?? null));
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        }),
        columns,
      };
    }
    case 'stats': {
      const g = new Grouper(stage);
      rows.forEach((r) => g.add(r));
      return { rows: g.rows(), columns: [...stage.by.map((b) => b.name), ...stage.aggs.map((a) => a.name)] };
    }
  }
}

/** stats: one set of accumulators per distinct combination of the `by` values. */
class Grouper {
  private readonly groups = new Map<string, { keys: Value[]; accs: Accumulator[] }>();
  private readonly makers: (() => Accumulator)[];

  constructor(private readonly stage: Extract<Stage, { k: 'stats' }>) {
    this.makers = stage.aggs.map(accumulator);
  }

  add(row: Row): void {
    const keys = this.stage.by.map((b) => evaluate(b.expr, row));
    const id = keys.length === 1 ? (toText(keys[0]) ?? '\u0000') : JSON.stringify(keys.map((k) => toText(k) ?? null));
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = { keys, accs: this.makers.map((m) => m()) }));
    for (const a of g.accs) a.add(row);
  }

  rows(): Row[] {
    const all = [...this.groups.values()];
    all.sort((a, b) => {
      for (let i = 0; i < a.keys.length; i++) {
        const c = compareValues(a.keys[i], b.keys[i]);
        if (c !== 0) return c;
      }
      return 0;
    });
    return all.map((g) => {
      const row = new MapRow();
      this.stage.by.forEach((b, i) => row.set(b.name, g.keys[i]));
      this.stage.aggs.forEach((a, i) => row.set(a.name, g.accs[i].result()));
      return row;
    });
  }
}
