import type { Statement } from 'better-sqlite3';
import type { Scope } from '../core/scope.js';
import type { Database } from './database.js';

interface Row {
  account: string;
  region: string;
  id: string;
  body: string;
}

/**
 * A persistent map of JSON documents of one kind (IAM roles, CodeBuild projects), keyed
 * by account, region and id. Every write is committed before it returns. Stores build on
 * collections; services with heavier needs (log events, metrics) add tables of their own.
 */
export class Collection<T> {
  private readonly getStmt: Statement;
  private readonly putStmt: Statement;
  private readonly deleteStmt: Statement;
  private readonly listStmt: Statement;
  private readonly listPrefixStmt: Statement;
  private readonly allStmt: Statement;

  constructor(
    db: Database,
    readonly namespace: string,
  ) {
    db.migrate(
      'documents-v1',
      `CREATE TABLE documents (
         namespace TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
         PRIMARY KEY (namespace, account, region, id)) WITHOUT ROWID`,
    );
    const sql = db.sql;
    this.getStmt = sql.prepare('SELECT body FROM documents WHERE namespace = ? AND account = ? AND region = ? AND id = ?');
    this.putStmt = sql.prepare(
      'INSERT INTO documents (namespace, account, region, id, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET body = excluded.body',
    );
    this.deleteStmt = sql.prepare('DELETE FROM documents WHERE namespace = ? AND account = ? AND region = ? AND id = ?');
    this.listStmt = sql.prepare('SELECT body FROM documents WHERE namespace = ? AND account = ? AND region = ? ORDER BY id');
    this.listPrefixStmt = sql.prepare(
      'SELECT body FROM documents WHERE namespace = ? AND account = ? AND region = ? AND id >= ? AND id < ? ORDER BY id',
    );
    this.allStmt = sql.prepare('SELECT account, region, id, body FROM documents WHERE namespace = ? ORDER BY account, region, id');
  }

  get(scope: Scope, id: string): T | undefined {
    const row = this.getStmt.get(this.namespace, scope.accountId, scope.region, id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as T) : undefined;
  }

  has(scope: Scope, id: string): boolean {
    return this.getStmt.get(this.namespace, scope.accountId, scope.region, id) !== undefined;
  }

  put(scope: Scope, id: string, value: T): void {
    this.putStmt.run(this.namespace, scope.accountId, scope.region, id, JSON.stringify(value));
  }

  delete(scope: Scope, id: string): boolean {
    return this.deleteStmt.run(this.namespace, scope.accountId, scope.region, id).changes > 0;
  }

  /** Documents in id order, optionally only those whose id starts with `prefix`. */
  list(scope: Scope, prefix?: string): T[] {
    const rows = (
      prefix
        ? this.listPrefixStmt.all(this.namespace, scope.accountId, scope.region, prefix, prefix + '\uffff')
        : this.listStmt.all(this.namespace, scope.accountId, scope.region)
    ) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  /** Every document across accounts and regions, for engines resuming work after a restart. */
  all(): { scope: Scope; id: string; value: T }[] {
    return (this.allStmt.all(this.namespace) as Row[]).map((r) => ({
      scope: { accountId: r.account, region: r.region },
      id: r.id,
      value: JSON.parse(r.body) as T,
    }));
  }
}
