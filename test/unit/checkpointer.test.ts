import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/state/database.js';

const dirs: string[] = [];
function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoint-'));
  dirs.push(dir);
  return join(dir, 'db.sqlite');
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function fill(db: Database, rows: number): void {
  db.sql.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)');
  const ins = db.sql.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) ins.run(`row ${i} `.repeat(20));
  });
}

describe('Checkpointer', () => {
  it('turns SQLite automatic checkpoints off on the main connection', () => {
    const db = new Database(dbFile());
    expect(db.sql.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(db.checkpointer?.threaded).toBe(false);
    db.close();
  });

  it('checkpoints the whole log on its own thread while the main connection keeps writing', async () => {
    const file = dbFile();
    const db = new Database(file);
    fill(db, 20_000);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1_000_000);
    const r = await db.checkpointer!.checkpoint();
    expect(db.checkpointer!.threaded).toBe(true);
    expect(r.busy).toBe(0);
    expect(r.log).toBeGreaterThan(0);
    expect(r.checkpointed).toBe(r.log);
    // Later commits start the log again from its beginning and are checkpointed too.
    fill(db, 10);
    const again = await db.checkpointer!.checkpoint();
    expect(again.checkpointed).toBe(again.log);
    expect(again.log).toBeLessThan(r.log);
    db.close();
    const reopened = new Database(file);
    expect((reopened.sql.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(20_010);
    reopened.close();
  });

  it('in-memory databases have no checkpointer', () => {
    const db = new Database(':memory:');
    expect(db.checkpointer).toBeUndefined();
    db.close();
  });
});
