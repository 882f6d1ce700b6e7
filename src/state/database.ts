import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Checkpointer } from './checkpointer.js';

/**
 * The embedded SQLite database every store writes to. WAL mode with synchronous=NORMAL:
 * a committed transaction survives the process being killed (only a power loss can
 * drop the last ones), and readers never wait for writers. Checkpoints run off the main
 * thread (see Checkpointer), so commits never wait for the database file's fsync.
 */
export class Database {
  readonly sql: BetterSqlite3.Database;
  /** Runs WAL checkpoints on a thread of their own (file databases only). */
  readonly checkpointer: Checkpointer | undefined;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.sql = new BetterSqlite3(file);
    this.sql.pragma('journal_mode = WAL');
    this.sql.pragma('synchronous = NORMAL');
    this.sql.pragma('busy_timeout = 5000');
    this.sql.pragma('foreign_keys = ON');
    if (file !== ':memory:') this.checkpointer = new Checkpointer(file, this.sql);
    this.sql.exec('CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  }

  /** Runs a named schema change once per database. */
  migrate(name: string, ddl: string): void {
    const done = this.sql.prepare('SELECT 1 FROM _migrations WHERE name = ?').get(name);
    if (done) return;
    this.transaction(() => {
      this.sql.exec(ddl);
      this.sql.prepare('INSERT INTO _migrations (name, applied_at) VALUES (?, ?)').run(name, Date.now());
    });
  }

  transaction<T>(fn: () => T): T {
    return this.sql.transaction(fn)();
  }

  /** Deletes every row of every table (the schema stays), for POST /_slipway/reset. */
  wipe(): void {
    const tables = this.sql
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_migrations'")
      .all() as { name: string }[];
    this.transaction(() => {
      for (const t of tables) this.sql.exec(`DELETE FROM "${t.name}"`);
    });
  }

  close(): void {
    this.checkpointer?.close();
    if (this.sql.open) this.sql.close();
  }
}
