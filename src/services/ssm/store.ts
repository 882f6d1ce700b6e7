import type { Tag } from '../../aws/models/generated/ssm.js';
import type { Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterTier = 'Standard' | 'Advanced';

/** One version of a parameter. A SecureString's `value` is ciphertext (see SecretBox). */
export interface ParameterVersion {
  version: number;
  type: ParameterType;
  value: string;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: ParameterTier;
  dataType: string;
  labels: string[];
  modified: number;
  user: string;
}

/** A parameter: its versions oldest first (AWS keeps the last 100) and its tags. */
export interface ParameterRecord {
  name: string;
  versions: ParameterVersion[];
  tags: Tag[];
}

export function latest(p: ParameterRecord): ParameterVersion {
  return p.versions[p.versions.length - 1];
}

/** Parameters by name (names are case-sensitive), one document each, in name order. */
export class ParameterStore {
  private readonly parameters: Collection<ParameterRecord>;

  constructor(db: Database) {
    this.parameters = new Collection<ParameterRecord>(db, 'ssm-parameters');
  }

  get(scope: Scope, name: string): ParameterRecord | undefined {
    return this.parameters.get(scope, name);
  }

  put(scope: Scope, record: ParameterRecord): void {
    this.parameters.put(scope, record.name, record);
  }

  delete(scope: Scope, name: string): boolean {
    return this.parameters.delete(scope, name);
  }

  /** Every parameter, or those whose name starts with `prefix`, in name order. */
  list(scope: Scope, prefix?: string): ParameterRecord[] {
    return this.parameters.list(scope, prefix);
  }
}
