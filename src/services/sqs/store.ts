import type { Statement } from 'better-sqlite3';
import type { Scope } from '../../core/scope.js';
import type { Database } from '../../state/database.js';
import type { QueueRef } from './queue-url.js';

/** A queue: its settable attributes as SQS reports them, tags and timestamps (ms). */
export interface QueueRecord extends QueueRef {
  /** Row id; messages refer to it, and a queue created again under the same name gets a new one. */
  id: number;
  fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
  lastPurgeAt?: number;
}

type Body = Omit<QueueRecord, 'id' | 'accountId' | 'region' | 'name'>;

interface Row {
  id: number;
  account: string;
  region: string;
  name: string;
  body: string;
}

/** Queues in a table of their own, so messages can refer to them by row id. */
export class QueueStore {
  private readonly byName: Statement;
  private readonly byId: Statement;
  private readonly insert: Statement;
  private readonly update: Statement;
  private readonly remove: Statement;
  private readonly inScope: Statement;

  constructor(db: Database) {
    db.migrate(
      'sqs-queues-v1',
      `CREATE TABLE sqs_queues (id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL,
         name TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (account, region, name))`,
    );
    const sql = db.sql;
    this.byName = sql.prepare('SELECT * FROM sqs_queues WHERE account = ? AND region = ? AND name = ?');
    this.byId = sql.prepare('SELECT * FROM sqs_queues WHERE id = ?');
    this.insert = sql.prepare('INSERT INTO sqs_queues (account, region, name, body) VALUES (?, ?, ?, ?)');
    this.update = sql.prepare('UPDATE sqs_queues SET body = ? WHERE id = ?');
    this.remove = sql.prepare('DELETE FROM sqs_queues WHERE id = ?');
    this.inScope = sql.prepare('SELECT * FROM sqs_queues WHERE account = ? AND region = ? ORDER BY name');
  }

  get(ref: QueueRef): QueueRecord | undefined {
    const row = this.byName.get(ref.accountId, ref.region, ref.name) as Row | undefined;
    return row && toRecord(row);
  }

  getById(id: number): QueueRecord | undefined {
    const row = this.byId.get(id) as Row | undefined;
    return row && toRecord(row);
  }

  create(ref: QueueRef, body: Body): QueueRecord {
    const id = Number(this.insert.run(ref.accountId, ref.region, ref.name, JSON.stringify(body)).lastInsertRowid);
    return { ...body, id, accountId: ref.accountId, region: ref.region, name: ref.name };
  }

  save(queue: QueueRecord): void {
    const { id, accountId: _a, region: _r, name: _n, ...body } = queue;
    this.update.run(JSON.stringify(body), id);
  }

  delete(queue: QueueRecord): void {
    this.remove.run(queue.id);
  }

  /** Queues of one account and region in name order. */
  list(scope: Scope): QueueRecord[] {
    return (this.inScope.all(scope.accountId, scope.region) as Row[]).map(toRecord);
  }
}

function toRecord(row: Row): QueueRecord {
  return { ...(JSON.parse(row.body) as Body), id: row.id, accountId: row.account, region: row.region, name: row.name };
}
