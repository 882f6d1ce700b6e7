import type { Expr, Stage } from './ast.js';

/** What SQLite can do for a query before any row reaches JavaScript. */
export interface Pushdown {
  /** Substrings every matching @message contains (checked with GLOB). */
  globs: string[];
  /** True when the leading filters are decided by the globs alone. */
  exact: boolean;
  /** The stages left to run once the pushed filters are applied (meaningful when exact). */
  rest: Stage[];
  /** `stats count(*) by bin(...)`-style queries that SQLite can answer by itself. */
  counts?: CountPlan;
}

export interface CountPlan {
  /** Names of the count columns. */
  counts: string[];
  /** The group keys in order: a time bin (ms) or a built-in field. */
  by: { name: string; bin?: number; field?: '@logStream' | '@log' }[];
  /** Stages after stats (sort, limit, display, ...). */
  after: Stage[];
}

const META = /[\\^$.|?*+()[\]{}]/;

/** The substring a regex requires, if one can be read off it safely. */
export function requiredLiteral(re: RegExp): { text: string; exact: boolean } | undefined {
  if (re.flags.includes('i')) return undefined;
  const src = re.source;
  if (!META.test(src)) return src.length ? { text: src, exact: true } : undefined;
  if (/[|()]/.test(src)) return undefined;
  let best = '';
  let run = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    const optional = /[?*{]/.test(src[i + 1] ?? '');
    if (/[A-Za-z0-9_ :=/@#,;'"-]/.test(c) && !optional) run += c;
    else {
      if (run.length > best.length) best = run;
      run = '';
      if (c === '\\' || c === '[') {
        // skip the escaped character or the whole class
        i = c === '\\' ? i + 1 : Math.max(i, src.indexOf(']', i));
      }
    }
  }
  if (run.length > best.length) best = run;
  return best.length >= 2 ? { text: best, exact: false } : undefined;
}

function conjuncts(e: Expr): Expr[] {
  return e.k === 'op' && e.op === 'and' ? [...conjuncts(e.l), ...conjuncts(e.r)] : [e];
}

function messageLiteral(e: Expr): { text: string; exact: boolean } | undefined {
  if (e.k !== 'like' || e.negate || e.e.k !== 'field' || e.e.name !== '@message') return undefined;
  if (e.pat.k === 'str') return e.pat.v ? { text: e.pat.v, exact: true } : undefined;
  if (e.pat.k === 're') return requiredLiteral(e.pat.re);
  return undefined;
}

const plainFields = (s: Stage) => s.k === 'fields' && s.items.every((i) => i.expr.k === 'field' && i.expr.name === i.name);

export function pushdown(stages: Stage[]): Pushdown {
  const globs: string[] = [];
  let exact = true;
  let i = 0;
  for (; i < stages.length; i++) {
    const s = stages[i];
    if (s.k === 'filter') {
      for (const c of conjuncts(s.expr)) {
        const lit = messageLiteral(c);
        if (lit) globs.push(lit.text);
        if (!lit?.exact) exact = false;
      }
    } else if (!plainFields(s)) break;
  }
  const plan: Pushdown = { globs, exact, rest: stages.slice(i) };
  const stats = stages[i];
  if (exact && stats?.k === 'stats') plan.counts = countPlan(stats, stages.slice(i + 1));
  return plan;
}

function countPlan(stats: Extract<Stage, { k: 'stats' }>, after: Stage[]): CountPlan | undefined {
  if (!stats.aggs.every((a) => a.fn === 'count' && (a.star || a.args.length === 0))) return undefined;
  const by: CountPlan['by'] = [];
  for (const b of stats.by) {
    const e = b.expr;
    if (e.k === 'call' && e.fn === 'bin' && e.args.length === 1 && e.args[0].k === 'num' && e.args[0].v > 0) by.push({ name: b.name, bin: e.args[0].v });
    else if (e.k === 'field' && (e.name === '@logStream' || e.name === '@log')) by.push({ name: b.name, field: e.name });
    else return undefined;
  }
  return { counts: stats.aggs.map((a) => a.name), by, after };
}
