import type { Statement } from 'better-sqlite3';
import type { Database } from '../../state/database.js';
import type { Checksums } from './checksums.js';
import type { NotificationConfiguration, ServerSideEncryptionConfiguration, Tag } from '../../aws/models/generated/s3.js';

/** Bucket-level settings kept as configuration. */
export interface BucketConfig {
  versioning?: 'Enabled' | 'Suspended';
  encryption?: ServerSideEncryptionConfiguration;
  tags?: Tag[];
  policy?: string;
  notification?: NotificationConfiguration;
}

export interface BucketRecord {
  name: string;
  account: string;
  region: string;
  created: number;
  config: BucketConfig;
}

/**
 * A run of an object's bytes: a blob file, or (no `blob`) bytes kept in the version's row.
 * Multipart objects are their parts' blobs in order.
 */
export interface Segment {
  blob?: string;
  size: number;
}

/** Headers and attributes stored with a version. */
export interface ObjectMeta {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  websiteRedirectLocation?: string;
  metadata: Record<string, string>;
  checksums: Checksums;
  checksumType?: 'COMPOSITE' | 'FULL_OBJECT';
  sse?: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
  storageClass: string;
  tags: Tag[];
  /** Part sizes of a multipart object, for GET ?partNumber=. */
  partSizes?: number[];
}

export interface ObjectVersion {
  seq: number;
  bucket: string;
  key: string;
  /** `null` for the null version (unversioned or suspended buckets). */
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  size: number;
  etag: string;
  lastModified: number;
  meta: ObjectMeta;
  segments: Segment[];
}

export type NewVersion = Omit<ObjectVersion, 'seq' | 'isLatest'> & {
  /** The bytes of a small object, stored in its row instead of a blob file. */
  data?: Buffer;
};

interface VersionRow {
  seq: number;
  bucket: string;
  key: string;
  version_id: string;
  is_latest: number;
  delete_marker: number;
  size: number;
  etag: string;
  last_modified: number;
  meta: string;
  segments: string;
}

export const SCHEMA = `
CREATE TABLE s3_buckets (name TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, created INTEGER NOT NULL, config TEXT NOT NULL);
CREATE INDEX s3_buckets_account ON s3_buckets (account, name);
CREATE TABLE s3_objects (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, bucket TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL,
  is_latest INTEGER NOT NULL, delete_marker INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL, meta TEXT NOT NULL, segments TEXT NOT NULL, data BLOB);
CREATE UNIQUE INDEX s3_objects_version ON s3_objects (bucket, key, version_id);
CREATE INDEX s3_objects_latest ON s3_objects (bucket, is_latest, key);
CREATE INDEX s3_objects_history ON s3_objects (bucket, key, seq);
CREATE TABLE s3_uploads (upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX s3_uploads_bucket ON s3_uploads (bucket, key, initiated);
CREATE TABLE s3_parts (upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (upload_id, part_number)) WITHOUT ROWID;
`;

function toVersion(r: VersionRow): ObjectVersion {
  return {
    seq: r.seq,
    bucket: r.bucket,
    key: r.key,
    versionId: r.version_id,
    isLatest: r.is_latest === 1,
    deleteMarker: r.delete_marker === 1,
    size: r.size,
    etag: r.etag,
    lastModified: r.last_modified,
    meta: JSON.parse(r.meta) as ObjectMeta,
    segments: JSON.parse(r.segments) as Segment[],
  };
}

/** S3's state in SQLite: buckets and every object version (multipart uploads: upload-store.ts). */
export class S3Store {
  private readonly s: Record<string, Statement>;
  private readonly bucketCache = new Map<string, BucketRecord>();
  private pending: { fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  /** After-commit work of the batch being written, if one is. */
  private hooks: (() => void)[] | undefined;

  constructor(private readonly db: Database) {
    db.migrate('s3-v1', SCHEMA);
    const p = (sql: string) => db.sql.prepare(sql);
    const cols = 'seq, bucket, key, version_id, is_latest, delete_marker, size, etag, last_modified, meta, segments';
    this.s = {
      bucket: p('SELECT * FROM s3_buckets WHERE name = ?'),
      insertBucket: p('INSERT INTO s3_buckets (name, account, region, created, config) VALUES (?, ?, ?, ?, ?)'),
      bucketConfig: p('UPDATE s3_buckets SET config = ? WHERE name = ?'),
      deleteBucket: p('DELETE FROM s3_buckets WHERE name = ?'),
      buckets: p('SELECT * FROM s3_buckets WHERE account = ? ORDER BY name'),
      anyObject: p('SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1'),
      latest: p(`SELECT ${cols} FROM s3_objects WHERE bucket = ? AND key = ? AND is_latest = 1`),
      version: p(`SELECT ${cols} FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?`),
      clearLatest: p('UPDATE s3_objects SET is_latest = 0 WHERE bucket = ? AND key = ? AND is_latest = 1'),
      insert: p(
        'INSERT INTO s3_objects (bucket, key, version_id, is_latest, delete_marker, size, etag, last_modified, meta, segments, data) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)',
      ),
      deleteSeq: p('DELETE FROM s3_objects WHERE seq = ?'),
      data: p('SELECT data FROM s3_objects WHERE seq = ?'),
      newest: p('SELECT seq FROM s3_objects WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1'),
      setLatest: p('UPDATE s3_objects SET is_latest = 1 WHERE seq = ?'),
      setMeta: p('UPDATE s3_objects SET meta = ? WHERE seq = ?'),
      current: p(`SELECT ${cols} FROM s3_objects WHERE bucket = ? AND is_latest = 1 AND key >= ? AND key > ? ORDER BY key LIMIT ?`),
      versionsFrom: p(`SELECT ${cols} FROM s3_objects WHERE bucket = ? AND key >= ? AND (key > ? OR (key = ? AND seq < ?)) ORDER BY key, seq DESC LIMIT ?`),
    };
  }

  /**
   * Group commit: runs `fn` in a transaction shared with the other writes queued in the same
   * turn of the event loop, so concurrent requests pay for one commit between them. Each
   * write has its own savepoint (one that throws is undone alone) and its promise settles
   * only after the shared commit: nothing is acknowledged before it is durable.
   */
  batched<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Runs `fn` in a savepoint: undone alone if it throws, its after-commit work dropped with it. */
  savepoint<T>(fn: () => T): T {
    const outer = this.hooks;
    const mine: (() => void)[] = [];
    this.hooks = mine;
    try {
      const result = this.db.transaction(fn);
      if (outer) outer.push(...mine);
      else for (const h of mine) h();
      return result;
    } finally {
      this.hooks = outer;
    }
  }

  /** Work that must wait for the commit (removing replaced blobs); runs at once outside a batch. */
  afterCommit(fn: () => void): void {
    if (this.hooks) this.hooks.push(fn);
    else fn();
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const done: (() => void)[] = [];
    const hooks: (() => void)[] = [];
    this.hooks = hooks;
    try {
      this.db.transaction(() => {
        for (const item of batch) {
          try {
            const result = this.savepoint(item.fn);
            done.push(() => item.resolve(result));
          } catch (e) {
            done.push(() => item.reject(e));
          }
        }
      });
    } catch (e) {
      this.bucketCache.clear();
      for (const item of batch) item.reject(e);
      return;
    } finally {
      this.hooks = undefined;
    }
    for (const h of hooks) h();
    for (const d of done) d();
  }

  // ---- buckets

  /** A copy of the bucket's record; every request needs one, so they are cached (this process is the only writer). */
  bucket(name: string): BucketRecord | undefined {
    let b = this.bucketCache.get(name);
    if (!b) {
      const r = this.s.bucket.get(name) as (Omit<BucketRecord, 'config'> & { config: string }) | undefined;
      if (!r) return undefined;
      b = { ...r, config: JSON.parse(r.config) as BucketConfig };
      this.bucketCache.set(name, b);
    }
    return { ...b, config: structuredClone(b.config) };
  }

  createBucket(b: BucketRecord): void {
    this.s.insertBucket.run(b.name, b.account, b.region, b.created, JSON.stringify(b.config));
    this.bucketCache.delete(b.name);
  }

  setBucketConfig(name: string, config: BucketConfig): void {
    this.s.bucketConfig.run(JSON.stringify(config), name);
    this.bucketCache.delete(name);
  }

  /** Forgets cached records (POST /_slipway/reset wiped the tables). */
  clearCache(): void {
    this.bucketCache.clear();
  }

  buckets(account: string): BucketRecord[] {
    return (this.s.buckets.all(account) as (Omit<BucketRecord, 'config'> & { config: string })[]).map((r) => ({ ...r, config: JSON.parse(r.config) as BucketConfig }));
  }

  isEmpty(bucket: string): boolean {
    return this.s.anyObject.get(bucket) === undefined;
  }

  deleteBucket(name: string): void {
    this.s.deleteBucket.run(name);
    this.bucketCache.delete(name);
  }

  // ---- object versions

  latest(bucket: string, key: string): ObjectVersion | undefined {
    const r = this.s.latest.get(bucket, key) as VersionRow | undefined;
    return r && toVersion(r);
  }

  version(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    const r = this.s.version.get(bucket, key, versionId) as VersionRow | undefined;
    return r && toVersion(r);
  }

  /**
   * Adds a version as the latest. A `null` version replaces the existing null version
   * (returned, so its blobs can go); other versions only stack up.
   */
  addVersion(v: NewVersion): { added: ObjectVersion; replaced?: ObjectVersion } {
    return this.db.transaction(() => {
      const replaced = v.versionId === 'null' ? this.version(v.bucket, v.key, 'null') : undefined;
      if (replaced) this.s.deleteSeq.run(replaced.seq);
      this.s.clearLatest.run(v.bucket, v.key);
      const { data, ...version } = v;
      const info = this.s.insert.run(v.bucket, v.key, v.versionId, v.deleteMarker ? 1 : 0, v.size, v.etag, v.lastModified, JSON.stringify(v.meta), JSON.stringify(v.segments), data ?? null);
      return { added: { ...version, seq: Number(info.lastInsertRowid), isLatest: true }, replaced };
    });
  }

  /** The bytes a small object keeps in its row. */
  data(v: ObjectVersion): Buffer | undefined {
    const r = this.s.data.get(v.seq) as { data: Buffer | null } | undefined;
    return r?.data ?? undefined;
  }

  /** Removes one version for good; the next newest becomes the latest. */
  removeVersion(v: ObjectVersion): void {
    this.db.transaction(() => {
      this.s.deleteSeq.run(v.seq);
      if (!v.isLatest) return;
      const next = this.s.newest.get(v.bucket, v.key) as { seq: number } | undefined;
      if (next) this.s.setLatest.run(next.seq);
    });
  }

  setMeta(v: ObjectVersion, meta: ObjectMeta): void {
    this.s.setMeta.run(JSON.stringify(meta), v.seq);
  }

  /** Latest versions (delete markers included) with key >= `low` and key > `after`, in key order. */
  current(bucket: string, low: string, after: string, limit: number): ObjectVersion[] {
    return (this.s.current.all(bucket, low, after, limit) as VersionRow[]).map(toVersion);
  }

  /** Every version from a position: keys >= `low`, after (`afterKey`, `beforeSeq`), newest first per key. */
  versionsFrom(bucket: string, low: string, afterKey: string, beforeSeq: number, limit: number): ObjectVersion[] {
    return (this.s.versionsFrom.all(bucket, low, afterKey, afterKey, beforeSeq, limit) as VersionRow[]).map(toVersion);
  }
}
