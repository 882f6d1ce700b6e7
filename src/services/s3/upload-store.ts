import type { Statement } from 'better-sqlite3';
import type { Database } from '../../state/database.js';
import type { Checksums } from './checksums.js';
import { SCHEMA, type ObjectMeta } from './store.js';

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  meta: ObjectMeta;
  /** The checksum algorithm the upload was created with, if any. */
  checksumAlgorithm?: string;
}

export interface PartRecord {
  uploadId: string;
  partNumber: number;
  blob: string;
  size: number;
  etag: string;
  checksums: Checksums;
  lastModified: number;
}

/** Multipart uploads in progress and their parts (the parts' bytes are blob files). */
export class UploadStore {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Database) {
    db.migrate('s3-v1', SCHEMA);
    const p = (sql: string) => db.sql.prepare(sql);
    this.s = {
      insertUpload: p('INSERT INTO s3_uploads (upload_id, bucket, key, initiated, body) VALUES (?, ?, ?, ?, ?)'),
      upload: p('SELECT body FROM s3_uploads WHERE upload_id = ?'),
      deleteUpload: p('DELETE FROM s3_uploads WHERE upload_id = ?'),
      uploads: p('SELECT body FROM s3_uploads WHERE bucket = ? ORDER BY key, initiated, upload_id'),
      putPart: p('INSERT INTO s3_parts (upload_id, part_number, body) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET body = excluded.body'),
      part: p('SELECT body FROM s3_parts WHERE upload_id = ? AND part_number = ?'),
      parts: p('SELECT body FROM s3_parts WHERE upload_id = ? ORDER BY part_number'),
      deleteParts: p('DELETE FROM s3_parts WHERE upload_id = ?'),
    };
  }

  create(u: UploadRecord): void {
    this.s.insertUpload.run(u.uploadId, u.bucket, u.key, u.initiated, JSON.stringify(u));
  }

  get(uploadId: string): UploadRecord | undefined {
    const r = this.s.upload.get(uploadId) as { body: string } | undefined;
    return r && (JSON.parse(r.body) as UploadRecord);
  }

  inBucket(bucket: string): UploadRecord[] {
    return (this.s.uploads.all(bucket) as { body: string }[]).map((r) => JSON.parse(r.body) as UploadRecord);
  }

  /** Stores a part; returns the part it replaced, whose blob is no longer needed. */
  putPart(p: PartRecord): PartRecord | undefined {
    return this.db.transaction(() => {
      const old = this.part(p.uploadId, p.partNumber);
      this.s.putPart.run(p.uploadId, p.partNumber, JSON.stringify(p));
      return old;
    });
  }

  part(uploadId: string, partNumber: number): PartRecord | undefined {
    const r = this.s.part.get(uploadId, partNumber) as { body: string } | undefined;
    return r && (JSON.parse(r.body) as PartRecord);
  }

  parts(uploadId: string): PartRecord[] {
    return (this.s.parts.all(uploadId) as { body: string }[]).map((r) => JSON.parse(r.body) as PartRecord);
  }

  /** Forgets an upload and its parts; returns the parts, whose blobs the caller removes. */
  delete(uploadId: string): PartRecord[] {
    return this.db.transaction(() => {
      const parts = this.parts(uploadId);
      this.s.deleteParts.run(uploadId);
      this.s.deleteUpload.run(uploadId);
      return parts;
    });
  }
}
