import type { Tag } from '../../aws/models/generated/secretsmanager.js';
import type { Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';

/** One version of a secret's value, encrypted (see SecretBox): a string or bytes, never both. */
export interface SecretVersion {
  id: string;
  stages: string[];
  created: number;
  lastAccessed?: number;
  /** Ciphertext of the SecretString. */
  string?: string;
  /** Ciphertext of the SecretBinary. */
  binary?: string;
}

export interface SecretRecord {
  name: string;
  arn: string;
  description?: string;
  kmsKeyId?: string;
  type?: string;
  tags: Tag[];
  created: number;
  lastChanged: number;
  /** Midnight (UTC) of the day the value was last read. */
  lastAccessed?: number;
  /** When DeleteSecret was called; set while the secret waits out its recovery window. */
  deletedAt?: number;
  /** When the secret is removed for good. */
  deletionDate?: number;
  /** Oldest first. */
  versions: SecretVersion[];
}

/** Secrets by name, one document each. */
export class SecretStore {
  private readonly secrets: Collection<SecretRecord>;

  constructor(db: Database) {
    this.secrets = new Collection<SecretRecord>(db, 'secretsmanager-secrets');
  }

  get(scope: Scope, name: string): SecretRecord | undefined {
    return this.secrets.get(scope, name);
  }

  put(scope: Scope, record: SecretRecord): void {
    this.secrets.put(scope, record.name, record);
  }

  delete(scope: Scope, name: string): boolean {
    return this.secrets.delete(scope, name);
  }

  list(scope: Scope): SecretRecord[] {
    return this.secrets.list(scope);
  }
}
