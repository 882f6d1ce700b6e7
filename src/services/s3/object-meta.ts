import type { GetObjectOutput } from '../../aws/models/generated/s3.js';
import { ServiceError } from '../../core/errors.js';
import { CHECKSUM_ALGORITHMS, type Checksums } from './checksums.js';
import { reportedVersion } from './common.js';
import { DEFAULT_ENCRYPTION } from './bucket-config.js';
import type { BucketRecord, ObjectMeta, ObjectVersion } from './store.js';

/** The request members that describe an object (PutObject, CreateMultipartUpload, CopyObject REPLACE). */
export interface MetaInput {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  Expires?: string;
  WebsiteRedirectLocation?: string;
  Metadata?: Record<string, string>;
  StorageClass?: string;
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  BucketKeyEnabled?: boolean;
}

type Encryption = Pick<ObjectMeta, 'sse' | 'kmsKeyId' | 'bucketKeyEnabled'>;

/** The encryption an object gets: what the request asks for, else the bucket's default. */
export function encryptionFor(bucket: BucketRecord, input: MetaInput): Encryption {
  const rule = (bucket.config.encryption ?? DEFAULT_ENCRYPTION).Rules[0];
  const requested = input.ServerSideEncryption;
  if (requested !== undefined && requested !== 'AES256' && requested !== 'aws:kms' && requested !== 'aws:kms:dsse') {
    throw new ServiceError('InvalidArgument', `The encryption method specified is not supported`, { statusCode: 400, fields: { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: requested } });
  }
  const sse = (requested ?? rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? 'AES256') as Encryption['sse'];
  if (sse === 'AES256') return { sse };
  const kmsKeyId = input.SSEKMSKeyId ?? rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? `arn:aws:kms:${bucket.region}:${bucket.account}:alias/aws/s3`;
  return { sse, kmsKeyId, bucketKeyEnabled: input.BucketKeyEnabled ?? rule.BucketKeyEnabled };
}

export function metaFrom(bucket: BucketRecord, input: MetaInput, contentEncoding: string | undefined): Omit<ObjectMeta, 'checksums' | 'tags'> {
  return {
    contentType: input.ContentType,
    contentEncoding,
    contentDisposition: input.ContentDisposition,
    contentLanguage: input.ContentLanguage,
    cacheControl: input.CacheControl,
    expires: input.Expires,
    websiteRedirectLocation: input.WebsiteRedirectLocation,
    metadata: lowerKeys(input.Metadata ?? {}),
    storageClass: input.StorageClass ?? 'STANDARD',
    ...encryptionFor(bucket, input),
  };
}

/** User metadata names are case-insensitive on the wire; S3 keeps them lower-cased. */
function lowerKeys(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k.toLowerCase()] = v;
  return out;
}

/** Checksum members of an output (ChecksumCRC32...), from stored or computed values. */
export function checksumMembers(sums: Checksums): Record<string, string> {
  const out: Record<string, string> = {};
  for (const alg of CHECKSUM_ALGORITHMS) if (sums[alg]) out[`Checksum${alg}`] = sums[alg];
  return out;
}

export function encryptionMembers(meta: Encryption): Pick<GetObjectOutput, 'ServerSideEncryption' | 'SSEKMSKeyId' | 'BucketKeyEnabled'> {
  return { ServerSideEncryption: meta.sse, SSEKMSKeyId: meta.kmsKeyId, BucketKeyEnabled: meta.bucketKeyEnabled || undefined };
}

/** The headers GET and HEAD describe a version with. */
export function describeObject(bucket: BucketRecord, v: ObjectVersion, withChecksums: boolean): GetObjectOutput {
  const m = v.meta;
  return {
    ETag: v.etag,
    LastModified: new Date(v.lastModified),
    ContentLength: v.size,
    ContentType: m.contentType ?? 'binary/octet-stream',
    ContentEncoding: m.contentEncoding,
    ContentDisposition: m.contentDisposition,
    ContentLanguage: m.contentLanguage,
    CacheControl: m.cacheControl,
    Expires: m.expires,
    WebsiteRedirectLocation: m.websiteRedirectLocation,
    AcceptRanges: 'bytes',
    Metadata: m.metadata,
    VersionId: reportedVersion(bucket, v.versionId),
    StorageClass: m.storageClass === 'STANDARD' ? undefined : (m.storageClass as GetObjectOutput['StorageClass']),
    TagCount: m.tags.length || undefined,
    ...encryptionMembers(m),
    ...(withChecksums ? { ...checksumMembers(m.checksums), ChecksumType: Object.keys(m.checksums).length ? (m.checksumType ?? 'FULL_OBJECT') : undefined } : {}),
  };
}
