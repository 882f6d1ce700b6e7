import type { Statement } from 'better-sqlite3';
import type { Database } from './database.js';

/** An access key Slipway issued (IAM CreateAccessKey, STS AssumeRole) and whose it is. */
export interface IssuedCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  accountId: string;
  principalArn: string;
  userId: string;
  /** Epoch ms; absent for long-term keys. */
  expiresAt?: number;
}

/**
 * The keys Slipway has issued, shared by IAM and STS (which write them) and the gateway
 * (which reads them to know a request's account and, in strict mode, to verify it).
 */
export class CredentialStore {
  private readonly cache = new Map<string, IssuedCredential | null>();
  private readonly getStmt: Statement;
  private readonly putStmt: Statement;
  private readonly deleteStmt: Statement;

  constructor(db: Database) {
    db.migrate(
      'credentials-v1',
      `CREATE TABLE credentials (access_key_id TEXT PRIMARY KEY, body TEXT NOT NULL, expires_at INTEGER)`,
    );
    this.getStmt = db.sql.prepare('SELECT body FROM credentials WHERE access_key_id = ?');
    this.putStmt = db.sql.prepare(
      'INSERT INTO credentials (access_key_id, body, expires_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET body = excluded.body, expires_at = excluded.expires_at',
    );
    this.deleteStmt = db.sql.prepare('DELETE FROM credentials WHERE access_key_id = ?');
  }

  put(cred: IssuedCredential): void {
    this.putStmt.run(cred.accessKeyId, JSON.stringify(cred), cred.expiresAt ?? null);
    this.cache.set(cred.accessKeyId, cred);
  }

  get(accessKeyId: string): IssuedCredential | undefined {
    let cred = this.cache.get(accessKeyId);
    if (cred === undefined) {
      const row = this.getStmt.get(accessKeyId) as { body: string } | undefined;
      cred = row ? (JSON.parse(row.body) as IssuedCredential) : null;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(accessKeyId, cred);
    }
    return cred ?? undefined;
  }

  delete(accessKeyId: string): void {
    this.deleteStmt.run(accessKeyId);
    this.cache.delete(accessKeyId);
  }

  clearCache(): void {
    this.cache.clear();
  }
}
