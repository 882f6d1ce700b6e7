import { createHash } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import { ServiceError } from '../../core/errors.js';
import { checksumOf, isChecksumAlgorithm, type ChecksumAlgorithm, type Checksums } from './checksums.js';
import { commitVersion, dropBlobs, invalidArgument, newUploadId, noSuchUpload, ownerOf, parseTagging, quote, readVersion, reportedVersion, requireBucket, type S3Deps } from './common.js';
import { copySource } from './copy.js';
import { parseRange } from './http-rules.js';
import { checkKey } from './names.js';
import { checksumMembers, encryptionMembers, metaFrom } from './object-meta.js';
import { copyBytes, writeBody, type WrittenBody } from './object-io.js';
import { commonPrefixOf } from './listing.js';
import type { PartRecord, UploadRecord } from './upload-store.js';
import { storedContentEncoding } from './aws-chunked.js';

type Ops = Partial<S3Operations<RequestContext>>;

const MIN_PART = 5 * 1024 * 1024;

function uploadFor(deps: S3Deps, bucket: string, key: string, uploadId: string): UploadRecord {
  const u = deps.uploads.get(uploadId);
  if (!u || u.bucket !== bucket || u.key !== key) throw noSuchUpload(uploadId);
  return u;
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(n));
}

function uploadAlgorithm(u: UploadRecord): ChecksumAlgorithm[] {
  return u.checksumAlgorithm && isChecksumAlgorithm(u.checksumAlgorithm) ? [u.checksumAlgorithm] : [];
}

/** Records a part once its bytes are on disk; an upload aborted meanwhile takes the bytes with it. */
function savePart(deps: S3Deps, u: UploadRecord, partNumber: number, w: WrittenBody): PartRecord {
  if (!deps.uploads.get(u.uploadId)) {
    dropBlobs(deps, [w]);
    throw noSuchUpload(u.uploadId);
  }
  if (!w.blob) throw new Error('a part must be written to a blob');
  const part: PartRecord = { uploadId: u.uploadId, partNumber, blob: w.blob, size: w.size, etag: quote(w.md5.toString('hex')), checksums: w.checksums, lastModified: deps.clock.now() };
  const replaced = deps.uploads.putPart(part);
  if (replaced) dropBlobs(deps, [replaced]);
  return part;
}

function invalidPart(): ServiceError {
  return new ServiceError(
    'InvalidPart',
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
    { statusCode: 400 },
  );
}

/** The parts a CompleteMultipartUpload names, checked in AWS's order of complaints. */
function chosenParts(deps: S3Deps, u: UploadRecord, listed: { PartNumber?: number; ETag?: string }[]): PartRecord[] {
  if (listed.length === 0) {
    throw new ServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', { statusCode: 400 });
  }
  const parts: PartRecord[] = [];
  let previous = 0;
  for (const item of listed) {
    const n = item.PartNumber ?? 0;
    if (n <= previous) {
      throw new ServiceError('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', { statusCode: 400 });
    }
    previous = n;
    const part = deps.uploads.part(u.uploadId, n);
    if (!part || (item.ETag !== undefined && item.ETag.replace(/"/g, '') !== part.etag.replace(/"/g, ''))) throw invalidPart();
    parts.push(part);
  }
  parts.slice(0, -1).forEach((p) => {
    if (p.size < MIN_PART) {
      throw new ServiceError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
        statusCode: 400,
        fields: { ProposedSize: p.size, MinSizeAllowed: MIN_PART, PartNumber: p.partNumber, ETag: p.etag },
      });
    }
  });
  return parts;
}

/** AWS's multipart ETag: the MD5 of the parts' binary MD5s, then `-<number of parts>`. */
export function multipartEtag(partEtags: string[]): string {
  const md5 = createHash('md5');
  for (const e of partEtags) md5.update(Buffer.from(e.replace(/"/g, ''), 'hex'));
  return `"${md5.digest('hex')}-${partEtags.length}"`;
}

/** A composite checksum: the checksum of the parts' checksums, then `-<number of parts>`. */
function compositeChecksums(alg: ChecksumAlgorithm[], parts: PartRecord[]): Checksums {
  const out: Checksums = {};
  for (const a of alg) {
    if (parts.some((p) => !p.checksums[a])) continue;
    out[a] = `${checksumOf(a, Buffer.concat(parts.map((p) => Buffer.from(p.checksums[a]!, 'base64'))))}-${parts.length}`;
  }
  return out;
}

/** Multipart uploads: parts on disk as they arrive, the object assembled from them without copying. */
export function multipartOperations(deps: S3Deps): Ops {
  const { store } = deps;
  return {
    async CreateMultipartUpload(input) {
      const bucket = requireBucket(store, input.Bucket);
      checkKey(input.Key);
      const meta = { ...metaFrom(bucket, input, storedContentEncoding(input.ContentEncoding)), checksums: {}, tags: parseTagging(input.Tagging) };
      const u: UploadRecord = { uploadId: newUploadId(), bucket: bucket.name, key: input.Key, initiated: deps.clock.now(), meta, checksumAlgorithm: input.ChecksumAlgorithm };
      deps.uploads.create(u);
      return { Bucket: bucket.name, Key: input.Key, UploadId: u.uploadId, ...encryptionMembers(meta), ChecksumAlgorithm: input.ChecksumAlgorithm, ChecksumType: input.ChecksumAlgorithm ? 'COMPOSITE' : undefined };
    },

    async UploadPart(input, ctx) {
      requireBucket(store, input.Bucket);
      checkPartNumber(input.PartNumber);
      const u = uploadFor(deps, input.Bucket, input.Key, input.UploadId);
      const written = await writeBody(deps.blobs, input.Body, ctx.headers, { extra: uploadAlgorithm(u) });
      const part = savePart(deps, u, input.PartNumber, written);
      return { ETag: part.etag, ...encryptionMembers(u.meta), ...checksumMembers(written.checksums) };
    },

    async UploadPartCopy(input) {
      requireBucket(store, input.Bucket);
      checkPartNumber(input.PartNumber);
      const u = uploadFor(deps, input.Bucket, input.Key, input.UploadId);
      const { bucket: srcBucket, version: src } = copySource(deps, input.CopySource, input);
      let range;
      if (input.CopySourceRange !== undefined) {
        if (!/^bytes=\d+-\d+$/.test(input.CopySourceRange)) throw invalidArgument('The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', 'x-amz-copy-source-range', input.CopySourceRange);
        range = parseRange(input.CopySourceRange, src.size);
        const [, last] = input.CopySourceRange.slice(6).split('-').map(Number);
        if (last >= src.size) throw new ServiceError('InvalidRange', 'The requested range is not satisfiable', { statusCode: 416 });
      }
      const written = await copyBytes(deps.blobs, readVersion(deps, src, range), uploadAlgorithm(u));
      const part = savePart(deps, u, input.PartNumber, written);
      return {
        CopyPartResult: { ETag: part.etag, LastModified: new Date(part.lastModified), ...checksumMembers(written.checksums) },
        CopySourceVersionId: reportedVersion(srcBucket, src.versionId),
        ...encryptionMembers(u.meta),
      };
    },

    async CompleteMultipartUpload(input, ctx) {
      const bucket = requireBucket(store, input.Bucket);
      const u = uploadFor(deps, input.Bucket, input.Key, input.UploadId);
      const parts = chosenParts(deps, u, input.MultipartUpload?.Parts ?? []);
      const checksums = compositeChecksums(uploadAlgorithm(u), parts);
      const segments = parts.map((p) => ({ blob: p.blob, size: p.size }));
      const used = new Set(segments.map((s) => s.blob));
      const { added, leftover } = await store.batched(() => {
        // The upload may have been completed or aborted while this request waited its turn.
        uploadFor(deps, input.Bucket, input.Key, input.UploadId);
        const unused = deps.uploads.delete(u.uploadId).filter((p) => !used.has(p.blob));
        const version = commitVersion(deps, requireBucket(store, bucket.name), {
          key: u.key,
          deleteMarker: false,
          size: parts.reduce((n, p) => n + p.size, 0),
          etag: multipartEtag(parts.map((p) => p.etag)),
          lastModified: deps.clock.now(),
          meta: { ...u.meta, checksums, checksumType: Object.keys(checksums).length ? 'COMPOSITE' : undefined, partSizes: parts.map((p) => p.size) },
          segments,
        });
        return { added: version, leftover: unused };
      });
      dropBlobs(deps, leftover);
      deps.events.created(bucket, added, 'CompleteMultipartUpload', ctx);
      return {
        Location: `${deps.endpoint()}/${bucket.name}/${encodeURI(u.key)}`,
        Bucket: bucket.name,
        Key: u.key,
        ETag: added.etag,
        VersionId: reportedVersion(bucket, added.versionId),
        ...encryptionMembers(u.meta),
        ...checksumMembers(checksums),
        ChecksumType: added.meta.checksumType,
      };
    },

    async AbortMultipartUpload(input) {
      requireBucket(store, input.Bucket);
      uploadFor(deps, input.Bucket, input.Key, input.UploadId);
      dropBlobs(deps, deps.uploads.delete(input.UploadId));
      return {};
    },

    async ListParts(input, ctx) {
      requireBucket(store, input.Bucket);
      const u = uploadFor(deps, input.Bucket, input.Key, input.UploadId);
      const max = Math.min(input.MaxParts ?? 1000, 1000);
      const marker = input.PartNumberMarker ?? 0;
      const after = deps.uploads.parts(u.uploadId).filter((p) => p.partNumber > marker);
      const page = after.slice(0, max);
      const truncated = after.length > page.length;
      return {
        Bucket: u.bucket,
        Key: u.key,
        UploadId: u.uploadId,
        PartNumberMarker: marker,
        NextPartNumberMarker: page.length ? page[page.length - 1].partNumber : undefined,
        MaxParts: max,
        IsTruncated: truncated,
        Parts: page.map((p) => ({ PartNumber: p.partNumber, LastModified: new Date(p.lastModified), ETag: p.etag, Size: p.size, ...checksumMembers(p.checksums) })),
        Initiator: { ID: ownerOf(ctx).ID, DisplayName: ownerOf(ctx).DisplayName },
        Owner: ownerOf(ctx),
        StorageClass: u.meta.storageClass as 'STANDARD',
        ChecksumAlgorithm: u.checksumAlgorithm as 'CRC32' | undefined,
      };
    },

    async ListMultipartUploads(input, ctx) {
      const bucket = requireBucket(store, input.Bucket);
      const prefix = input.Prefix ?? '';
      const max = Math.min(input.MaxUploads ?? 1000, 1000);
      const keyMarker = input.KeyMarker ?? '';
      const idMarker = input.UploadIdMarker;
      const candidates = deps.uploads
        .inBucket(bucket.name)
        .filter((u) => u.key.startsWith(prefix) && (u.key > keyMarker || (idMarker !== undefined && u.key === keyMarker && u.uploadId > idMarker)));
      const uploads: UploadRecord[] = [];
      const prefixes: string[] = [];
      let truncated = false;
      for (const u of candidates) {
        const cp = commonPrefixOf(u.key, prefix, input.Delimiter || undefined);
        if (cp && prefixes.includes(cp)) continue;
        if (uploads.length + prefixes.length >= max) {
          truncated = true;
          break;
        }
        if (cp) prefixes.push(cp);
        else uploads.push(u);
      }
      const last = uploads[uploads.length - 1];
      return {
        Bucket: bucket.name,
        KeyMarker: keyMarker,
        UploadIdMarker: idMarker ?? '',
        NextKeyMarker: truncated && last ? last.key : undefined,
        NextUploadIdMarker: truncated && last ? last.uploadId : undefined,
        Prefix: prefix,
        Delimiter: input.Delimiter,
        MaxUploads: max,
        IsTruncated: truncated,
        Uploads: uploads.map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiated: new Date(u.initiated), StorageClass: 'STANDARD', Owner: ownerOf(ctx), Initiator: ownerOf(ctx) })),
        CommonPrefixes: prefixes.length ? prefixes.map((p) => ({ Prefix: p })) : undefined,
      };
    },
  };
}
