import { createHash, randomBytes } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { Tag } from '../../aws/models/generated/s3.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { BlobStore } from '../../state/blobs.js';
import type { S3Events } from './events.js';
import type { Readable } from 'node:stream';
import type { ByteRange } from './http-rules.js';
import { openSegments, type WrittenBody } from './object-io.js';
import type { BucketRecord, NewVersion, ObjectMeta, ObjectVersion, S3Store, Segment } from './store.js';
import type { UploadStore } from './upload-store.js';

/** What the S3 operations share. */
export interface S3Deps {
  store: S3Store;
  uploads: UploadStore;
  blobs: BlobStore;
  clock: Clock;
  log: Logger;
  events: S3Events;
  endpoint(): string;
}

export function noSuchBucket(name: string): ServiceError {
  return new ServiceError('NoSuchBucket', 'The specified bucket does not exist', { statusCode: 404, fields: { BucketName: name } });
}

export function noSuchKey(key: string, headers?: Record<string, string>): ServiceError {
  return new ServiceError('NoSuchKey', 'The specified key does not exist.', { statusCode: 404, fields: { Key: key }, headers });
}

export function noSuchVersion(key: string, versionId: string): ServiceError {
  return new ServiceError('NoSuchVersion', 'The specified version does not exist.', { statusCode: 404, fields: { Key: key, VersionId: versionId } });
}

export function noSuchUpload(uploadId: string): ServiceError {
  return new ServiceError('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', {
    statusCode: 404,
    fields: { UploadId: uploadId },
  });
}

export function invalidArgument(message: string, name?: string, value?: string): ServiceError {
  return new ServiceError('InvalidArgument', message, { statusCode: 400, fields: { ArgumentName: name, ArgumentValue: value } });
}

export function requireBucket(store: S3Store, name: string): BucketRecord {
  const b = store.bucket(name);
  if (!b) throw noSuchBucket(name);
  return b;
}

const VERSION_ID = /^[A-Za-z0-9._-]{1,1024}$/;

/** The version a request names, or the latest; missing ones answer AWS's errors. */
export function findVersion(store: S3Store, bucket: string, key: string, versionId: string | undefined): ObjectVersion {
  if (versionId === undefined) {
    const v = store.latest(bucket, key);
    if (!v) throw noSuchKey(key);
    return v;
  }
  if (!VERSION_ID.test(versionId)) throw invalidArgument('Invalid version id specified', 'versionId', versionId);
  const v = store.version(bucket, key, versionId);
  if (!v) throw noSuchVersion(key, versionId);
  return v;
}

/** The readable version a GET, HEAD or copy source names: delete markers are errors. */
export function readableVersion(store: S3Store, bucket: string, key: string, versionId: string | undefined): ObjectVersion {
  const v = findVersion(store, bucket, key, versionId);
  if (!v.deleteMarker) return v;
  const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.versionId };
  if (versionId === undefined) throw noSuchKey(key, headers);
  throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    statusCode: 405,
    fields: { Method: 'GET', ResourceType: 'DeleteMarker' },
    headers: { ...headers, 'last-modified': new Date(v.lastModified).toUTCString() },
  });
}

/** Version ids look like AWS's: 32 URL-safe characters. */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url').replace(/-/g, '.');
}

export function newUploadId(): string {
  return randomBytes(48).toString('base64url').replace(/-/g, '.');
}

export function quote(md5hex: string): string {
  return `"${md5hex}"`;
}

/** The VersionId a response carries: none for a bucket that never had versioning. */
export function reportedVersion(bucket: BucketRecord, versionId: string): string | undefined {
  return versionId !== 'null' || bucket.config.versioning ? versionId : undefined;
}

/** Adds a version as the latest (a fresh id when versioning is on, else the null version). */
export function commitVersion(deps: S3Deps, bucket: BucketRecord, v: Omit<NewVersion, 'versionId' | 'bucket'>): ObjectVersion {
  const versionId = bucket.config.versioning === 'Enabled' ? newVersionId() : 'null';
  const { added, replaced } = deps.store.addVersion({ ...v, bucket: bucket.name, versionId });
  if (replaced) dropBlobs(deps, replaced.segments);
  return added;
}

/** Removes blobs no longer referenced; a failure only leaks space, so it is logged. */
export function dropBlobs(deps: Pick<S3Deps, 'blobs' | 'log' | 'store'>, segments: Pick<Segment, 'blob'>[]): void {
  // Inside a batch the blobs go only once the change that unreferenced them is committed.
  deps.store.afterCommit(() => {
    for (const { blob } of segments) {
      if (blob) deps.blobs.delete(blob).catch((e: unknown) => deps.log.warn('blob could not be removed', { blob, error: String(e) }));
    }
  });
}

/** A reader of a version's bytes (or a range of them), wherever they are kept. */
export function readVersion(deps: S3Deps, v: ObjectVersion, range?: ByteRange): Readable {
  const inline = v.segments.some((s) => !s.blob) ? deps.store.data(v) : undefined;
  return openSegments(deps.blobs, v.segments, range, inline);
}

/** The bytes of an object kept in its row, sliced to a range: sent in one write, no stream needed. */
export function inlineBytes(deps: S3Deps, v: ObjectVersion, range?: ByteRange): Buffer | undefined {
  if (v.segments.length !== 1 || v.segments[0].blob) return undefined;
  const data = deps.store.data(v) ?? Buffer.alloc(0);
  return range ? data.subarray(range.start, range.end + 1) : data;
}

/** Parses `x-amz-tagging` / `Tagging` (URL query form: k1=v1&k2=v2) into tags. */
export function parseTagging(text: string | undefined): Tag[] {
  if (!text) return [];
  const tags = [...new URLSearchParams(text)].map(([Key, Value]) => ({ Key, Value }));
  checkTags(tags);
  return tags;
}

/** AWS's tag rules: unique keys, key 1-128 and value 0-256 characters, at most 50 (10 on objects). */
export function checkTags(tags: Tag[], max = 50): void {
  const invalid = (message: string) => new ServiceError('InvalidTag', message, { statusCode: 400 });
  if (tags.length > max) throw invalid(`Object tags cannot be greater than ${max}`);
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.Key)) throw invalid('Cannot provide multiple Tags with the same key');
    seen.add(t.Key);
    if (t.Key.length < 1 || t.Key.length > 128) throw invalid('The TagKey you have provided is invalid');
    if (t.Value.length > 256) throw invalid('The TagValue you have provided is invalid');
    if (t.Key.startsWith('aws:')) throw invalid('Your TagKey cannot be prefixed with aws:');
  }
}

/** The owner as S3 names it: a 64-hex canonical user id (derived from the account here). */
export function ownerOf(ctx: Pick<RequestContext, 'accountId'>): { ID: string; DisplayName: string } {
  return { ID: createHash('sha256').update(`s3-owner:${ctx.accountId}`).digest('hex'), DisplayName: ctx.accountId };
}

/** A new object version from a written body and its metadata. */
export function newObject(deps: S3Deps, key: string, w: WrittenBody, meta: Omit<ObjectMeta, 'checksums'>): Omit<NewVersion, 'versionId' | 'bucket'> {
  const checksumType = Object.keys(w.checksums).length ? ('FULL_OBJECT' as const) : undefined;
  return {
    key,
    deleteMarker: false,
    size: w.size,
    etag: quote(w.md5.toString('hex')),
    lastModified: deps.clock.now(),
    meta: { ...meta, checksums: w.checksums, checksumType },
    segments: [{ blob: w.blob, size: w.size }],
    data: w.inline,
  };
}
