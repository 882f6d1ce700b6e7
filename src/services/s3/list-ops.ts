import type { RequestContext } from '../../aws/gateway/context.js';
import type { ObjectShape, S3Operations } from '../../aws/models/generated/s3.js';
import { invalidArgument, ownerOf, reportedVersion, requireBucket, type S3Deps } from './common.js';
import { listKeys, urlEncodeKey, type Cursor } from './listing.js';
import type { BucketRecord, ObjectVersion } from './store.js';

type Ops = Partial<S3Operations<RequestContext>>;

function maxKeysOf(value: number | undefined): number {
  if (value === undefined) return 1000;
  if (value < 0) throw invalidArgument('Argument maxKeys must be an integer between 0 and 2147483647', 'maxKeys', String(value));
  return Math.min(value, 1000);
}

function tokenOf(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function keyOfToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (!token || tokenOf(key) !== token) throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  return key;
}

/** Encodes names for encoding-type=url, leaves them as they are otherwise. */
function encoder(type: string | undefined): (s: string | undefined) => string | undefined {
  return type === 'url' ? (s) => (s === undefined ? undefined : urlEncodeKey(s)) : (s) => s;
}

function checkEncoding(type: string | undefined): void {
  if (type !== undefined && type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
}

function entry(v: ObjectVersion, enc: (s: string) => string | undefined, owner?: ReturnType<typeof ownerOf>): ObjectShape {
  return {
    Key: enc(v.key),
    LastModified: new Date(v.lastModified),
    ETag: v.etag,
    Size: v.size,
    StorageClass: v.meta.storageClass as ObjectShape['StorageClass'],
    ChecksumAlgorithm: Object.keys(v.meta.checksums) as ObjectShape['ChecksumAlgorithm'],
    ChecksumType: v.meta.checksumType,
    Owner: owner,
  };
}

function currentFetch(deps: S3Deps, bucket: string) {
  return (c: Cursor, limit: number) => deps.store.current(bucket, c.low, c.after, limit);
}

const live = (v: ObjectVersion) => !v.deleteMarker;

/** ListObjects (v1), ListObjectsV2 and ListObjectVersions. */
export function listOperations(deps: S3Deps): Ops {
  const { store } = deps;
  return {
    async ListObjectsV2(input, ctx) {
      const b = requireBucket(store, input.Bucket);
      checkEncoding(input.EncodingType);
      const enc = encoder(input.EncodingType);
      const prefix = input.Prefix ?? '';
      const after = input.ContinuationToken !== undefined ? keyOfToken(input.ContinuationToken) : (input.StartAfter ?? '');
      const maxKeys = maxKeysOf(input.MaxKeys);
      const r = listKeys({ prefix, delimiter: input.Delimiter || undefined, after, maxKeys }, currentFetch(deps, b.name), live);
      const owner = input.FetchOwner ? ownerOf(ctx) : undefined;
      return {
        Name: b.name,
        Prefix: enc(prefix),
        Delimiter: enc(input.Delimiter),
        MaxKeys: input.MaxKeys ?? 1000,
        EncodingType: input.EncodingType,
        KeyCount: r.items.length + r.prefixes.length,
        IsTruncated: r.truncated,
        ContinuationToken: input.ContinuationToken,
        NextContinuationToken: r.truncated && r.last !== undefined ? tokenOf(r.last) : undefined,
        StartAfter: enc(input.StartAfter),
        Contents: r.items.length ? r.items.map((v) => entry(v, (s) => enc(s)!, owner)) : undefined,
        CommonPrefixes: r.prefixes.length ? r.prefixes.map((p) => ({ Prefix: enc(p) })) : undefined,
      };
    },

    async ListObjects(input, ctx) {
      const b = requireBucket(store, input.Bucket);
      checkEncoding(input.EncodingType);
      const enc = encoder(input.EncodingType);
      const prefix = input.Prefix ?? '';
      const r = listKeys({ prefix, delimiter: input.Delimiter || undefined, after: input.Marker ?? '', maxKeys: maxKeysOf(input.MaxKeys) }, currentFetch(deps, b.name), live);
      return {
        Name: b.name,
        Prefix: enc(prefix),
        Delimiter: enc(input.Delimiter),
        Marker: enc(input.Marker ?? ''),
        MaxKeys: input.MaxKeys ?? 1000,
        EncodingType: input.EncodingType,
        IsTruncated: r.truncated,
        // S3 gives NextMarker only with a delimiter; without one the last key is the marker.
        NextMarker: r.truncated && input.Delimiter ? enc(r.last) : undefined,
        Contents: r.items.length ? r.items.map((v) => entry(v, (s) => enc(s)!, ownerOf(ctx))) : undefined,
        CommonPrefixes: r.prefixes.length ? r.prefixes.map((p) => ({ Prefix: enc(p) })) : undefined,
      };
    },

    async ListObjectVersions(input, ctx) {
      const b = requireBucket(store, input.Bucket);
      checkEncoding(input.EncodingType);
      const enc = encoder(input.EncodingType);
      const prefix = input.Prefix ?? '';
      const keyMarker = input.KeyMarker ?? '';
      let beforeSeq = 0;
      if (input.VersionIdMarker !== undefined) {
        if (!keyMarker) throw invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', input.VersionIdMarker);
        const marker = store.version(b.name, keyMarker, input.VersionIdMarker);
        if (!marker) throw invalidArgument('Invalid version id specified', 'version-id-marker', input.VersionIdMarker);
        beforeSeq = marker.seq;
      }
      const r = listKeys(
        { prefix, delimiter: input.Delimiter || undefined, after: keyMarker, maxKeys: maxKeysOf(input.MaxKeys), beforeSeq },
        (c, limit) => store.versionsFrom(b.name, c.low, c.after, c.beforeSeq, limit),
      );
      const owner = ownerOf(ctx);
      const last = r.items[r.items.length - 1];
      const lastIsPrefix = r.truncated && r.last !== undefined && (!last || r.last !== last.key);
      return {
        Name: b.name,
        Prefix: enc(prefix),
        Delimiter: enc(input.Delimiter),
        KeyMarker: enc(keyMarker),
        VersionIdMarker: input.VersionIdMarker ?? '',
        MaxKeys: input.MaxKeys ?? 1000,
        EncodingType: input.EncodingType,
        IsTruncated: r.truncated,
        NextKeyMarker: r.truncated ? enc(r.last) : undefined,
        NextVersionIdMarker: r.truncated && !lastIsPrefix && last ? versionLabel(b, last) : undefined,
        Versions: nonEmpty(r.items.filter((v) => !v.deleteMarker).map((v) => ({ ...entry(v, (s) => enc(s)!, owner), StorageClass: 'STANDARD' as const, VersionId: versionLabel(b, v), IsLatest: v.isLatest }))),
        DeleteMarkers: nonEmpty(r.items.filter((v) => v.deleteMarker).map((v) => ({ Key: enc(v.key), VersionId: versionLabel(b, v), IsLatest: v.isLatest, LastModified: new Date(v.lastModified), Owner: owner }))),
        CommonPrefixes: nonEmpty(r.prefixes.map((p) => ({ Prefix: enc(p) }))),
      };
    },
  };
}

function versionLabel(b: BucketRecord, v: ObjectVersion): string {
  return reportedVersion(b, v.versionId) ?? 'null';
}

function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length ? items : undefined;
}
