import type { RequestContext } from '../../aws/gateway/context.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import { ServiceError } from '../../core/errors.js';
import { tryDecodeUri } from '../../aws/protocol/values.js';
import { isChecksumAlgorithm, type ChecksumAlgorithm } from './checksums.js';
import { commitVersion, dropBlobs, invalidArgument, newObject, parseTagging, readableVersion, readVersion, reportedVersion, requireBucket, type S3Deps } from './common.js';
import { evaluateConditions, preconditionFailed } from './http-rules.js';
import { checkKey } from './names.js';
import { checksumMembers, encryptionMembers, metaFrom } from './object-meta.js';
import { copyBytes } from './object-io.js';
import type { BucketRecord, ObjectVersion } from './store.js';

type Ops = Partial<S3Operations<RequestContext>>;

/** `x-amz-copy-source`: `bucket/key` or `/bucket/key`, URL-encoded, with an optional `?versionId=`. */
export function parseCopySource(text: string): { bucket: string; key: string; versionId?: string } {
  const [pathPart, query] = text.split('?', 2);
  const path = tryDecodeUri(pathPart.replace(/^\//, ''));
  const slash = path?.indexOf('/') ?? -1;
  if (!path || slash <= 0 || slash === path.length - 1) throw invalidArgument('Invalid copy source object key', 'x-amz-copy-source', text);
  const versionId = query ? (new URLSearchParams(query).get('versionId') ?? undefined) : undefined;
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1), versionId };
}

export interface CopyConditions {
  CopySourceIfMatch?: string;
  CopySourceIfNoneMatch?: string;
  CopySourceIfModifiedSince?: Date;
  CopySourceIfUnmodifiedSince?: Date;
}

/** The copy source version, with its conditions applied: any condition that fails is 412 for a copy. */
export function copySource(deps: S3Deps, text: string, c: CopyConditions): { bucket: BucketRecord; version: ObjectVersion } {
  const src = parseCopySource(text);
  const bucket = requireBucket(deps.store, src.bucket);
  let version: ObjectVersion;
  try {
    version = readableVersion(deps.store, bucket.name, src.key, src.versionId);
  } catch (e) {
    if (e instanceof ServiceError && e.code === 'MethodNotAllowed') {
      throw new ServiceError('InvalidRequest', 'The source of a copy request may not specifically refer to a delete marker by version id.', { statusCode: 400 });
    }
    throw e;
  }
  const verdict = evaluateConditions(
    { ifMatch: c.CopySourceIfMatch, ifNoneMatch: c.CopySourceIfNoneMatch, ifModifiedSince: c.CopySourceIfModifiedSince, ifUnmodifiedSince: c.CopySourceIfUnmodifiedSince },
    version.etag,
    version.lastModified,
  );
  if (verdict.outcome !== 'proceed') throw preconditionFailed(verdict.header ?? (c.CopySourceIfNoneMatch !== undefined ? 'x-amz-copy-source-If-None-Match' : 'x-amz-copy-source-If-Modified-Since'));
  return { bucket, version };
}

/** CopyObject: bytes copied into a new version; metadata and tags copied or replaced as directed. */
export function copyOperations(deps: S3Deps): Ops {
  return {
    async CopyObject(input, ctx) {
      const dest = requireBucket(deps.store, input.Bucket);
      checkKey(input.Key);
      const { bucket: srcBucket, version: src } = copySource(deps, input.CopySource, input);
      const replaceMeta = input.MetadataDirective === 'REPLACE';
      if (srcBucket.name === dest.name && src.key === input.Key) checkSelfCopy(input);
      // Storage class and encryption come from the request (or the destination's default) either way.
      const fresh = metaFrom(dest, input, input.ContentEncoding);
      const base = replaceMeta ? fresh : { ...fresh, ...pick(src.meta) };
      const tags = input.TaggingDirective === 'REPLACE' ? parseTagging(input.Tagging) : src.meta.tags;
      const algorithms = new Set<ChecksumAlgorithm>(Object.keys(src.meta.checksums).filter(isChecksumAlgorithm));
      if (input.ChecksumAlgorithm && isChecksumAlgorithm(input.ChecksumAlgorithm)) algorithms.add(input.ChecksumAlgorithm);
      const written = await copyBytes(deps.blobs, readVersion(deps, src), [...algorithms]);
      const v = await deps.store
        .batched(() => commitVersion(deps, requireBucket(deps.store, dest.name), newObject(deps, input.Key, written, { ...base, tags })))
        .catch((e: unknown) => {
          dropBlobs(deps, [written]);
          throw e;
        });
      deps.events.created(dest, v, 'CopyObject', ctx);
      return {
        CopyObjectResult: { ETag: v.etag, LastModified: new Date(v.lastModified), ...checksumMembers(written.checksums), ChecksumType: v.meta.checksumType },
        CopySourceVersionId: reportedVersion(srcBucket, src.versionId),
        VersionId: reportedVersion(dest, v.versionId),
        ...encryptionMembers(v.meta),
      };
    },
  };
}

/** AWS refuses a copy onto itself that would change nothing. */
function checkSelfCopy(input: { MetadataDirective?: string; StorageClass?: string; ServerSideEncryption?: string; WebsiteRedirectLocation?: string; TaggingDirective?: string }): void {
  if (input.MetadataDirective === 'REPLACE' || input.StorageClass || input.ServerSideEncryption || input.WebsiteRedirectLocation || input.TaggingDirective === 'REPLACE') return;
  throw new ServiceError(
    'InvalidRequest',
    "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    { statusCode: 400 },
  );
}

/** The descriptive headers a COPY directive carries over from the source. */
function pick(m: ObjectVersion['meta']) {
  return {
    contentType: m.contentType,
    contentEncoding: m.contentEncoding,
    contentDisposition: m.contentDisposition,
    contentLanguage: m.contentLanguage,
    cacheControl: m.cacheControl,
    expires: m.expires,
    metadata: m.metadata,
  };
}
