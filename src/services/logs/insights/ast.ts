/** The Logs Insights query language as a tree: a pipeline of commands over expressions. */
export type Expr =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 're'; re: RegExp }
  | { k: 'field'; name: string }
  | { k: 'op'; op: string; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'neg'; e: Expr }
  | { k: 'like'; e: Expr; pat: Expr; negate: boolean }
  | { k: 'in'; e: Expr; list: Expr[]; negate: boolean }
  | { k: 'call'; fn: string; args: Expr[] };

export interface Named {
  expr: Expr;
  name: string;
}

export interface Aggregate {
  fn: string;
  args: Expr[];
  /** count(*) */
  star: boolean;
  name: string;
}

export type Stage =
  | { k: 'fields'; items: Named[] }
  | { k: 'display'; names: string[] }
  | { k: 'filter'; expr: Expr }
  | { k: 'stats'; aggs: Aggregate[]; by: Named[] }
  | { k: 'sort'; keys: { expr: Expr; desc: boolean }[] }
  | { k: 'limit'; n: number }
  | { k: 'parse'; source: Expr; glob?: string[]; regex?: RegExp; names: string[] }
  | { k: 'dedup'; names: string[] };

export const AGGREGATES = new Set(['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'pct', 'stddev', 'earliest', 'latest', 'sortsfirst', 'sortslast']);
