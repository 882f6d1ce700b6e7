import type { RequestContext } from '../../aws/gateway/context.js';
import type { DeletedObject, S3Operations, ErrorShape } from '../../aws/models/generated/s3.js';
import { isServiceError, ServiceError } from '../../core/errors.js';
import { storedContentEncoding } from './aws-chunked.js';
import { commitVersion, dropBlobs, findVersion, newObject, parseTagging, inlineBytes, readableVersion, readVersion, reportedVersion, requireBucket, type S3Deps } from './common.js';
import type { DeletedReason } from './events.js';
import { evaluateConditions, notModified, parseRange, preconditionFailed, type ByteRange } from './http-rules.js';
import { checkKey } from './names.js';
import { checksumMembers, describeObject, encryptionMembers, metaFrom } from './object-meta.js';
import { writeBody } from './object-io.js';
import type { BucketRecord, ObjectVersion } from './store.js';

type Ops = Partial<S3Operations<RequestContext>>;

/** If-None-Match: * and If-Match on a write, checked against the key's current version. */
function checkWriteConditions(deps: S3Deps, bucket: string, key: string, ifMatch?: string, ifNoneMatch?: string): void {
  if (ifMatch === undefined && ifNoneMatch === undefined) return;
  const current = deps.store.latest(bucket, key);
  const exists = current && !current.deleteMarker;
  if (ifNoneMatch !== undefined && exists) throw preconditionFailed('If-None-Match');
  if (ifMatch !== undefined) {
    if (!exists) throw new ServiceError('NoSuchKey', 'The specified key does not exist.', { statusCode: 404, fields: { Key: key } });
    if (evaluateConditions({ ifMatch }, current.etag, current.lastModified).outcome !== 'proceed') throw preconditionFailed('If-Match');
  }
}

/** The byte range a GET or HEAD serves: a part of a multipart object, a Range header, or all. */
function servedRange(v: ObjectVersion, partNumber: number | undefined, range: string | undefined): { range?: ByteRange; partsCount?: number } {
  if (partNumber === undefined) return { range: parseRange(range, v.size) };
  const sizes = v.meta.partSizes ?? [v.size];
  if (partNumber < 1 || partNumber > sizes.length) {
    throw new ServiceError('InvalidPartNumber', 'The requested partnumber is not satisfiable', { statusCode: 416, fields: { PartNumberRequested: partNumber, ActualPartCount: sizes.length } });
  }
  const start = sizes.slice(0, partNumber - 1).reduce((a, b) => a + b, 0);
  return { range: { start, end: start + sizes[partNumber - 1] - 1 }, partsCount: sizes.length };
}

interface ReadInput {
  Bucket: string;
  Key: string;
  VersionId?: string;
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
  Range?: string;
  PartNumber?: number;
  ChecksumMode?: string;
  ResponseCacheControl?: string;
  ResponseContentDisposition?: string;
  ResponseContentEncoding?: string;
  ResponseContentLanguage?: string;
  ResponseContentType?: string;
  ResponseExpires?: Date;
}

/** What GET and HEAD share: the version, its conditions, the range and the headers. */
function prepareRead(deps: S3Deps, input: ReadInput) {
  const bucket = requireBucket(deps.store, input.Bucket);
  const v = readableVersion(deps.store, bucket.name, input.Key, input.VersionId);
  const conditions = { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch, ifModifiedSince: input.IfModifiedSince, ifUnmodifiedSince: input.IfUnmodifiedSince };
  const verdict = evaluateConditions(conditions, v.etag, v.lastModified);
  if (verdict.outcome === 'precondition-failed') throw preconditionFailed(verdict.header!);
  if (verdict.outcome === 'not-modified') throw notModified(v.etag, new Date(v.lastModified));
  const { range, partsCount } = servedRange(v, input.PartNumber, input.Range);
  const whole = !range || (range.start === 0 && range.end === v.size - 1 && input.Range === undefined);
  const out = {
    ...describeObject(bucket, v, input.ChecksumMode === 'ENABLED' && whole && input.PartNumber === undefined),
    ...(range ? { ContentLength: range.end - range.start + 1, ContentRange: `bytes ${range.start}-${range.end}/${v.size}`, StatusCode: 206 } : {}),
    PartsCount: partsCount,
    ...overrides(input),
  };
  return { v, range, out };
}

function overrides(input: ReadInput) {
  const o: Record<string, string> = {};
  if (input.ResponseCacheControl !== undefined) o.CacheControl = input.ResponseCacheControl;
  if (input.ResponseContentDisposition !== undefined) o.ContentDisposition = input.ResponseContentDisposition;
  if (input.ResponseContentEncoding !== undefined) o.ContentEncoding = input.ResponseContentEncoding;
  if (input.ResponseContentLanguage !== undefined) o.ContentLanguage = input.ResponseContentLanguage;
  if (input.ResponseContentType !== undefined) o.ContentType = input.ResponseContentType;
  if (input.ResponseExpires !== undefined) o.Expires = input.ResponseExpires.toUTCString();
  return o;
}

export interface DeleteOutcome {
  deleteMarker?: boolean;
  versionId?: string;
  /** What to announce once the change is committed. */
  event?: { version: ObjectVersion; markerCreated: boolean };
}

/** DeleteObject's rules for one key, with or without a version id, in each versioning state (run inside a batch). */
export function deleteOne(deps: S3Deps, bucket: BucketRecord, key: string, versionId: string | undefined): DeleteOutcome {
  const { store } = deps;
  if (versionId !== undefined) {
    let v: ObjectVersion;
    try {
      v = findVersion(store, bucket.name, key, versionId);
    } catch (e) {
      // Deleting a version that is not there succeeds, as in S3.
      if (isServiceError(e) && e.code === 'NoSuchVersion') return { versionId };
      throw e;
    }
    store.removeVersion(v);
    dropBlobs(deps, v.segments);
    return { versionId, deleteMarker: v.deleteMarker || undefined, event: { version: v, markerCreated: false } };
  }
  if (bucket.config.versioning) {
    const marker = commitVersion(deps, bucket, { key, deleteMarker: true, size: 0, etag: '', lastModified: deps.clock.now(), meta: { metadata: {}, checksums: {}, storageClass: 'STANDARD', tags: [] }, segments: [] });
    return { deleteMarker: true, versionId: marker.versionId, event: { version: marker, markerCreated: true } };
  }
  const current = store.latest(bucket.name, key);
  if (!current) return {};
  store.removeVersion(current);
  dropBlobs(deps, current.segments);
  return { event: { version: current, markerCreated: false } };
}

function announce(deps: S3Deps, bucket: BucketRecord, r: DeleteOutcome, reason: DeletedReason, ctx: RequestContext): void {
  if (r.event) deps.events.deleted(bucket, r.event.version, reason, ctx, r.event.markerCreated);
}

/** PutObject, GetObject, HeadObject, DeleteObject and DeleteObjects. */
export function objectOperations(deps: S3Deps): Ops {
  const { store } = deps;
  return {
    async PutObject(input, ctx) {
      const bucket = requireBucket(store, input.Bucket);
      checkKey(input.Key);
      checkWriteConditions(deps, bucket.name, input.Key, input.IfMatch, input.IfNoneMatch);
      const tags = parseTagging(input.Tagging);
      const meta = metaFrom(bucket, input, storedContentEncoding(input.ContentEncoding));
      const written = await writeBody(deps.blobs, input.Body, ctx.headers, { inline: true });
      const v = await store
        .batched(() => {
          // Checked again where the write happens: another request may have won meanwhile.
          checkWriteConditions(deps, bucket.name, input.Key, input.IfMatch, input.IfNoneMatch);
          return commitVersion(deps, requireBucket(store, bucket.name), newObject(deps, input.Key, written, { ...meta, tags }));
        })
        .catch((e: unknown) => {
          dropBlobs(deps, [written]);
          throw e;
        });
      deps.events.created(bucket, v, 'PutObject', ctx);
      return { ETag: v.etag, VersionId: reportedVersion(bucket, v.versionId), ...encryptionMembers(v.meta), ...checksumMembers(written.checksums), ChecksumType: v.meta.checksumType, Size: v.size };
    },

    async GetObject(input) {
      const { v, range, out } = prepareRead(deps, input);
      return { ...out, Body: inlineBytes(deps, v, range) ?? readVersion(deps, v, range) };
    },

    async HeadObject(input) {
      return prepareRead(deps, input).out;
    },

    async DeleteObject(input, ctx) {
      const bucket = requireBucket(store, input.Bucket);
      const r = await store.batched(() => deleteOne(deps, requireBucket(store, bucket.name), input.Key, input.VersionId));
      announce(deps, bucket, r, 'DeleteObject', ctx);
      return { DeleteMarker: r.deleteMarker, VersionId: r.versionId };
    },

    async DeleteObjects(input, ctx) {
      const bucket = requireBucket(store, input.Bucket);
      const objects = input.Delete.Objects ?? [];
      if (objects.length === 0 || objects.length > 1000) {
        throw new ServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', { statusCode: 400 });
      }
      const deleted: DeletedObject[] = [];
      const errors: ErrorShape[] = [];
      // One transaction for the whole batch; a key that fails is reported and undone alone.
      const outcomes = await store.batched(() =>
        objects.map((o) => {
          try {
            return deps.store.savepoint(() => deleteOne(deps, requireBucket(store, bucket.name), o.Key, o.VersionId));
          } catch (e) {
            if (!isServiceError(e)) throw e;
            return e;
          }
        }),
      );
      outcomes.forEach((r, i) => {
        const o = objects[i];
        if (isServiceError(r)) {
          errors.push({ Key: o.Key, VersionId: o.VersionId, Code: r.code, Message: r.message });
          return;
        }
        announce(deps, bucket, r, 'DeleteObjects', ctx);
        const marker = r.deleteMarker && o.VersionId === undefined;
        deleted.push({ Key: o.Key, VersionId: o.VersionId, DeleteMarker: r.deleteMarker, DeleteMarkerVersionId: marker ? r.versionId : undefined });
      });
      return { Deleted: input.Delete.Quiet ? undefined : deleted, Errors: errors.length ? errors : undefined };
    },
  };
}
