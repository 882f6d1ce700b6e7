import type { Statement } from 'better-sqlite3';
import type { Scope } from '../../core/scope.js';
import type { Database } from '../../state/database.js';
import { deserializeItem, serializeItem, type Item } from './attributes.js';
import type { IndexMeta, TableMeta } from './table-meta.js';

/** A primary key as stored: order-preserving bytes of the partition and sort key (empty without one). */
export interface StoredKey {
  pk: Buffer;
  sk: Buffer;
}

export interface Row extends StoredKey {
  item: Item;
  size: number;
  /** For index rows: the base table key of the item. */
  tpk: Buffer;
  tsk: Buffer;
}

export interface Bound {
  value: Buffer;
  inclusive: boolean;
}

export interface KeyRange {
  lower?: Bound;
  upper?: Bound;
}

interface RawRow {
  pk: Buffer;
  sk: Buffer;
  tpk?: Buffer;
  tsk?: Buffer;
  item: string;
  size: number;
}

const SCHEMA = `
  CREATE TABLE ddb_tables (tid INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
    meta TEXT NOT NULL, UNIQUE (account, region, name));
  CREATE TABLE ddb_items (tid INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL, item TEXT NOT NULL, size INTEGER NOT NULL,
    PRIMARY KEY (tid, pk, sk)) WITHOUT ROWID;
  CREATE TABLE ddb_index_keys (tid INTEGER NOT NULL, idx TEXT NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL, tpk BLOB NOT NULL, tsk BLOB NOT NULL,
    PRIMARY KEY (tid, idx, pk, sk, tpk, tsk)) WITHOUT ROWID;
  CREATE TABLE ddb_tokens (account TEXT NOT NULL, region TEXT NOT NULL, token TEXT NOT NULL, hash TEXT NOT NULL, expires INTEGER NOT NULL,
    PRIMARY KEY (account, region, token)) WITHOUT ROWID;`;

/**
 * DynamoDB's state in SQLite tables of its own: one row per item keyed (table, partition
 * key, sort key) so a Query is an index range scan, and one row per secondary-index entry
 * pointing back at its item. Callers wrap each write in one transaction.
 */
export class DynamoStore {
  private readonly statements = new Map<string, Statement>();
  /** Table metadata by account, region and name: every item operation reads it. */
  private readonly tables = new Map<string, TableMeta | null>();

  constructor(readonly db: Database) {
    db.migrate('dynamodb-v1', SCHEMA);
  }

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.sql.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn);
    } catch (e) {
      // A rolled-back table change must not survive in the cache.
      this.tables.clear();
      throw e;
    }
  }

  // ---- tables

  insertTable(scope: Scope, meta: Omit<TableMeta, 'tid'>): TableMeta {
    this.tables.clear();
    const r = this.stmt('INSERT INTO ddb_tables (account, region, name, meta) VALUES (?, ?, ?, ?)').run(scope.accountId, scope.region, meta.name, '{}');
    const full = { ...meta, tid: Number(r.lastInsertRowid) };
    this.saveTable(full);
    return full;
  }

  saveTable(meta: TableMeta): void {
    this.stmt('UPDATE ddb_tables SET meta = ? WHERE tid = ?').run(JSON.stringify(meta), meta.tid);
    this.tables.clear();
  }

  /** Forgets cached metadata (after POST /_slipway/reset, or a rolled-back transaction). */
  clearCache(): void {
    this.tables.clear();
  }

  getTable(scope: Scope, name: string): TableMeta | undefined {
    const id = `${scope.accountId}\0${scope.region}\0${name}`;
    let meta = this.tables.get(id);
    if (meta === undefined) {
      meta = this.readTable(scope, name) ?? null;
      this.tables.set(id, meta);
    }
    return meta ? structuredClone(meta) : undefined;
  }

  private readTable(scope: Scope, name: string): TableMeta | undefined {
    const row = this.stmt('SELECT meta FROM ddb_tables WHERE account = ? AND region = ? AND name = ?').get(scope.accountId, scope.region, name) as
      | { meta: string }
      | undefined;
    return row ? (JSON.parse(row.meta) as TableMeta) : undefined;
  }

  tableNames(scope: Scope): string[] {
    const rows = this.stmt('SELECT name FROM ddb_tables WHERE account = ? AND region = ? ORDER BY name').all(scope.accountId, scope.region) as { name: string }[];
    return rows.map((r) => r.name);
  }

  /** Every table of every account and region (for the TTL sweeper). */
  allTables(): { scope: Scope; meta: TableMeta }[] {
    const rows = this.stmt('SELECT account, region, meta FROM ddb_tables ORDER BY tid').all() as { account: string; region: string; meta: string }[];
    return rows.map((r) => ({ scope: { accountId: r.account, region: r.region }, meta: JSON.parse(r.meta) as TableMeta }));
  }

  dropTable(tid: number): void {
    this.tables.clear();
    this.stmt('DELETE FROM ddb_index_keys WHERE tid = ?').run(tid);
    this.stmt('DELETE FROM ddb_items WHERE tid = ?').run(tid);
    this.stmt('DELETE FROM ddb_tables WHERE tid = ?').run(tid);
  }

  dropIndex(tid: number, index: string): void {
    this.stmt('DELETE FROM ddb_index_keys WHERE tid = ? AND idx = ?').run(tid, index);
  }

  stats(tid: number): { count: number; bytes: number } {
    return this.stmt('SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM ddb_items WHERE tid = ?').get(tid) as { count: number; bytes: number };
  }

  indexStats(tid: number, index: string): { count: number; bytes: number } {
    return this.stmt(
      `SELECT COUNT(*) AS count, COALESCE(SUM(i.size), 0) AS bytes FROM ddb_index_keys k
       JOIN ddb_items i ON i.tid = k.tid AND i.pk = k.tpk AND i.sk = k.tsk WHERE k.tid = ? AND k.idx = ?`,
    ).get(tid, index) as { count: number; bytes: number };
  }

  // ---- items

  getItem(tid: number, key: StoredKey): { item: Item; size: number } | undefined {
    const row = this.stmt('SELECT item, size FROM ddb_items WHERE tid = ? AND pk = ? AND sk = ?').get(tid, key.pk, key.sk) as RawRow | undefined;
    return row ? { item: deserializeItem(row.item), size: row.size } : undefined;
  }

  putItem(tid: number, key: StoredKey, item: Item, size: number): void {
    this.stmt('INSERT INTO ddb_items (tid, pk, sk, item, size) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET item = excluded.item, size = excluded.size').run(
      tid, key.pk, key.sk, serializeItem(item), size,
    );
  }

  deleteItem(tid: number, key: StoredKey): void {
    this.stmt('DELETE FROM ddb_items WHERE tid = ? AND pk = ? AND sk = ?').run(tid, key.pk, key.sk);
  }

  putIndexKey(tid: number, index: string, key: StoredKey, table: StoredKey): void {
    this.stmt('INSERT OR IGNORE INTO ddb_index_keys (tid, idx, pk, sk, tpk, tsk) VALUES (?, ?, ?, ?, ?, ?)').run(tid, index, key.pk, key.sk, table.pk, table.sk);
  }

  deleteIndexKey(tid: number, index: string, key: StoredKey, table: StoredKey): void {
    this.stmt('DELETE FROM ddb_index_keys WHERE tid = ? AND idx = ? AND pk = ? AND sk = ? AND tpk = ? AND tsk = ?').run(tid, index, key.pk, key.sk, table.pk, table.sk);
  }

  /** Items of one partition in sort-key order (or reverse), after an optional exclusive start. */
  *query(meta: TableMeta, index: IndexMeta | undefined, pk: Buffer, range: KeyRange, forward: boolean, start?: Row): Generator<Row> {
    const where: string[] = [];
    const args: unknown[] = [];
    const col = index ? 'k.sk' : 'sk';
    for (const [b, lt] of [[range.lower, false], [range.upper, true]] as const) {
      if (!b) continue;
      where.push(`${col} ${lt ? '<' : '>'}${b.inclusive ? '=' : ''} ?`);
      args.push(b.value);
    }
    if (start) {
      where.push(index ? `(k.sk, k.tpk, k.tsk) ${forward ? '>' : '<'} (?, ?, ?)` : `sk ${forward ? '>' : '<'} ?`);
      args.push(...(index ? [start.sk, start.tpk, start.tsk] : [start.sk]));
    }
    const dir = forward ? 'ASC' : 'DESC';
    const extra = where.map((w) => ` AND ${w}`).join('');
    const sql = index
      ? `SELECT k.pk, k.sk, k.tpk, k.tsk, i.item, i.size FROM ddb_index_keys k JOIN ddb_items i ON i.tid = k.tid AND i.pk = k.tpk AND i.sk = k.tsk
         WHERE k.tid = ? AND k.idx = ? AND k.pk = ?${extra} ORDER BY k.sk ${dir}, k.tpk ${dir}, k.tsk ${dir}`
      : `SELECT pk, sk, item, size FROM ddb_items WHERE tid = ? AND pk = ?${extra} ORDER BY sk ${dir}`;
    const head = index ? [meta.tid, index.name, pk] : [meta.tid, pk];
    yield* this.rows(sql, [...head, ...args]);
  }

  /** Every item (or index entry) in key order, after an optional exclusive start. */
  *scan(meta: TableMeta, index: IndexMeta | undefined, start?: Row): Generator<Row> {
    const sql = index
      ? `SELECT k.pk, k.sk, k.tpk, k.tsk, i.item, i.size FROM ddb_index_keys k JOIN ddb_items i ON i.tid = k.tid AND i.pk = k.tpk AND i.sk = k.tsk
         WHERE k.tid = ? AND k.idx = ?${start ? ' AND (k.pk, k.sk, k.tpk, k.tsk) > (?, ?, ?, ?)' : ''} ORDER BY k.pk, k.sk, k.tpk, k.tsk`
      : `SELECT pk, sk, item, size FROM ddb_items WHERE tid = ?${start ? ' AND (pk, sk) > (?, ?)' : ''} ORDER BY pk, sk`;
    const head = index ? [meta.tid, index.name] : [meta.tid];
    const tail = start ? (index ? [start.pk, start.sk, start.tpk, start.tsk] : [start.pk, start.sk]) : [];
    yield* this.rows(sql, [...head, ...tail]);
  }

  private *rows(sql: string, args: unknown[]): Generator<Row> {
    // Streams rows; callers read synchronously and stop early (Limit, 1 MB pages).
    for (const r of this.stmt(sql).iterate(...args) as IterableIterator<RawRow>) yield { pk: r.pk, sk: r.sk, tpk: r.tpk ?? r.pk, tsk: r.tsk ?? r.sk, item: deserializeItem(r.item), size: r.size };
  }

  // ---- idempotency tokens of TransactWriteItems

  token(scope: Scope, token: string, now: number): string | undefined {
    const row = this.stmt('SELECT hash, expires FROM ddb_tokens WHERE account = ? AND region = ? AND token = ?').get(scope.accountId, scope.region, token) as
      | { hash: string; expires: number }
      | undefined;
    return row && row.expires > now ? row.hash : undefined;
  }

  saveToken(scope: Scope, token: string, hash: string, expires: number): void {
    this.stmt('INSERT INTO ddb_tokens (account, region, token, hash, expires) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET hash = excluded.hash, expires = excluded.expires').run(
      scope.accountId, scope.region, token, hash, expires,
    );
  }
}
