import type { FunctionConfiguration } from '../../aws/models/generated/lambda.js';
import type { Scope } from '../../core/scope.js';
import type { Database } from '../../state/database.js';
import { Collection } from '../../state/collection.js';

/** A function's $LATEST or one of its published versions: its configuration and code snapshot. */
export interface VersionRecord {
  config: FunctionConfiguration;
  /** The blob holding the deployment package (immutable: a code update writes a new blob). */
  codeBlob: string;
}

/** The function as a whole: $LATEST plus what belongs to every version. */
export interface FunctionRecord {
  latest: VersionRecord;
  /** The last version number handed out (versions are never reused, even after deletion). */
  lastVersion: number;
  tags: Record<string, string>;
  /** Resource-based policy statements by qualifier ($LATEST for the unqualified function). */
  policies?: Record<string, PolicyStatement[]>;
  policyRevision?: string;
  reservedConcurrency?: number;
}

export interface PolicyStatement {
  Sid: string;
  [key: string]: unknown;
}

export interface AliasRecord {
  name: string;
  functionName: string;
  functionVersion: string;
  description: string;
  weights?: Record<string, number>;
  revisionId: string;
}

/** Lambda's state: functions by name, versions by `name/version`, aliases by `name/alias`. */
export class LambdaStore {
  readonly functions: Collection<FunctionRecord>;
  readonly versions: Collection<VersionRecord>;
  readonly aliases: Collection<AliasRecord>;

  constructor(db: Database) {
    this.functions = new Collection(db, 'lambda.functions');
    this.versions = new Collection(db, 'lambda.versions');
    this.aliases = new Collection(db, 'lambda.aliases');
  }

  /** Published versions in numeric order. */
  versionsOf(scope: Scope, name: string): VersionRecord[] {
    return this.versions.list(scope, `${name}/`).sort((a, b) => Number(a.config.Version) - Number(b.config.Version));
  }

  aliasesOf(scope: Scope, name: string): AliasRecord[] {
    return this.aliases.list(scope, `${name}/`);
  }

  /** Whether any version or $LATEST of any function still uses the blob. */
  blobInUse(blob: string): boolean {
    return this.functions.all().some((f) => f.value.latest.codeBlob === blob) || this.versions.all().some((v) => v.value.codeBlob === blob);
  }
}
