import type { RequestContext } from '../../aws/gateway/context.js';
import type { S3Operations, ServerSideEncryptionConfiguration } from '../../aws/models/generated/s3.js';
import { ServiceError } from '../../core/errors.js';
import { checkTags, findVersion, invalidArgument, reportedVersion, requireBucket, type S3Deps } from './common.js';
import { normalizeNotification } from './notifications.js';
import type { BucketConfig, BucketRecord } from './store.js';

type Ops = Partial<S3Operations<RequestContext>>;

/** Every bucket encrypts with SSE-S3 unless configured otherwise, as S3 has since January 2023. */
export const DEFAULT_ENCRYPTION: ServerSideEncryptionConfiguration = {
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
};

function malformedXml(): ServiceError {
  return new ServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', { statusCode: 400 });
}

function checkEncryption(config: ServerSideEncryptionConfiguration): void {
  if (!config.Rules?.length) throw malformedXml();
  for (const rule of config.Rules) {
    const d = rule.ApplyServerSideEncryptionByDefault;
    if (!d) throw malformedXml();
    if (d.KMSMasterKeyID && d.SSEAlgorithm === 'AES256') {
      throw invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', 'ApplyServerSideEncryptionByDefault');
    }
  }
}

function checkPolicy(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (!text.trimStart().startsWith('{') || typeof doc !== 'object' || doc === null) {
    throw new ServiceError('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", { statusCode: 400 });
  }
  if (!('Statement' in doc)) throw new ServiceError('MalformedPolicy', 'Missing required field Statement', { statusCode: 400 });
}

/** Versioning, default encryption, tags, policy and notifications: configuration kept with the bucket. */
export function bucketConfigOperations(deps: S3Deps): Ops {
  const { store } = deps;
  const update = (name: string, change: (c: BucketConfig, b: BucketRecord) => void): void => {
    const b = requireBucket(store, name);
    change(b.config, b);
    store.setBucketConfig(name, b.config);
  };
  return {
    async PutBucketVersioning(input) {
      const status = input.VersioningConfiguration.Status;
      if (!status) throw malformedXml();
      update(input.Bucket, (c) => (c.versioning = status));
      return {};
    },
    async GetBucketVersioning(input) {
      const b = requireBucket(store, input.Bucket);
      return b.config.versioning ? { Status: b.config.versioning } : {};
    },

    async PutBucketEncryption(input) {
      checkEncryption(input.ServerSideEncryptionConfiguration);
      update(input.Bucket, (c) => (c.encryption = input.ServerSideEncryptionConfiguration));
      return {};
    },
    async GetBucketEncryption(input) {
      return { ServerSideEncryptionConfiguration: requireBucket(store, input.Bucket).config.encryption ?? DEFAULT_ENCRYPTION };
    },
    async DeleteBucketEncryption(input) {
      update(input.Bucket, (c) => delete c.encryption);
      return {};
    },

    async PutBucketTagging(input) {
      checkTags(input.Tagging.TagSet);
      update(input.Bucket, (c) => (c.tags = input.Tagging.TagSet));
      return {};
    },
    async GetBucketTagging(input) {
      const tags = requireBucket(store, input.Bucket).config.tags;
      if (!tags) throw new ServiceError('NoSuchTagSet', 'The TagSet does not exist', { statusCode: 404, fields: { BucketName: input.Bucket } });
      return { TagSet: tags };
    },
    async DeleteBucketTagging(input) {
      update(input.Bucket, (c) => delete c.tags);
      return {};
    },

    async PutBucketPolicy(input) {
      checkPolicy(input.Policy);
      update(input.Bucket, (c) => (c.policy = input.Policy));
      return {};
    },
    async GetBucketPolicy(input) {
      const policy = requireBucket(store, input.Bucket).config.policy;
      if (!policy) throw new ServiceError('NoSuchBucketPolicy', 'The bucket policy does not exist', { statusCode: 404, fields: { BucketName: input.Bucket } });
      return { Policy: policy };
    },
    async DeleteBucketPolicy(input) {
      update(input.Bucket, (c) => delete c.policy);
      return {};
    },

    async PutBucketNotificationConfiguration(input, ctx) {
      const b = requireBucket(store, input.Bucket);
      const n = normalizeNotification(input.NotificationConfiguration);
      // Checked before anything is stored: a refused configuration leaves the old one in place.
      if (!input.SkipDestinationValidation) await deps.events.validate(n, { accountId: b.account, region: b.region });
      update(input.Bucket, (c) => (Object.keys(n).length ? (c.notification = n) : delete c.notification));
      deps.events.announce(requireBucket(store, input.Bucket), n, ctx);
      return {};
    },
    async GetBucketNotificationConfiguration(input) {
      return requireBucket(store, input.Bucket).config.notification ?? {};
    },

    async PutObjectTagging(input, ctx) {
      const b = requireBucket(store, input.Bucket);
      checkTags(input.Tagging.TagSet, 10);
      const v = findVersion(store, b.name, input.Key, input.VersionId);
      if (v.deleteMarker) throw methodNotAllowed();
      store.setMeta(v, { ...v.meta, tags: input.Tagging.TagSet });
      deps.events.tagged(b, v, ctx, false);
      return { VersionId: reportedVersion(b, v.versionId) };
    },
    async GetObjectTagging(input) {
      const b = requireBucket(store, input.Bucket);
      const v = findVersion(store, b.name, input.Key, input.VersionId);
      if (v.deleteMarker) throw methodNotAllowed();
      return { TagSet: v.meta.tags, VersionId: reportedVersion(b, v.versionId) };
    },
    async DeleteObjectTagging(input, ctx) {
      const b = requireBucket(store, input.Bucket);
      const v = findVersion(store, b.name, input.Key, input.VersionId);
      if (v.deleteMarker) throw methodNotAllowed();
      store.setMeta(v, { ...v.meta, tags: [] });
      deps.events.tagged(b, v, ctx, true);
      return { VersionId: reportedVersion(b, v.versionId) };
    },
  };
}

function methodNotAllowed(): ServiceError {
  return new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', { statusCode: 405 });
}
