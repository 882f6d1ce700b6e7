import type { S3Operations } from '../../aws/models/generated/s3.js';
import { getArtifact, putArtifact, readBody, safeEntryPath, unzipEntries } from './artifacts.js';
import { failed, type ActionContext, type ActionOutcome, type ActionProvider } from './provider-types.js';

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html', htm: 'text/html', css: 'text/css', js: 'application/javascript', mjs: 'application/javascript', json: 'application/json',
  txt: 'text/plain', svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', xml: 'application/xml',
  zip: 'application/zip', ico: 'image/x-icon', wasm: 'application/wasm',
};

function contentType(path: string): string {
  return CONTENT_TYPES[path.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}

/** Source action: the object (a specific version when a start asked for one) becomes the artifact. */
export const s3Source: ActionProvider = {
  async start(ctx: ActionContext): Promise<ActionOutcome> {
    const s3 = ctx.deps.aws.service<S3Operations>('s3', ctx.scope);
    const overrides = ctx.execution.sourceOverrides.filter((o) => o.actionName === ctx.action.name);
    const versionId = overrides.find((o) => o.revisionType === 'S3_OBJECT_VERSION_ID')?.revisionValue;
    const keyOverride = overrides.find((o) => o.revisionType === 'S3_OBJECT_KEY')?.revisionValue;
    if (keyOverride && ctx.config.AllowOverrideForS3ObjectKey !== 'true') return failed('The S3 object key cannot be overridden: AllowOverrideForS3ObjectKey is not true.', { code: 'ConfigurationError' });
    const bucket = ctx.config.S3Bucket;
    const key = keyOverride ?? ctx.config.S3ObjectKey;
    const obj = await s3.GetObject({ Bucket: bucket, Key: key, VersionId: versionId });
    await putArtifact(ctx.deps.aws, ctx.scope, ctx.outputs[0], await readBody(obj.Body));
    const etag = (obj.ETag ?? '').replace(/"/g, '');
    const variables: Record<string, string> = { ETag: etag };
    if (obj.VersionId && obj.VersionId !== 'null') variables.VersionId = obj.VersionId;
    const revisionId = variables.VersionId ?? etag;
    return {
      status: 'Succeeded',
      summary: `Amazon S3 version id: ${revisionId}`,
      externalExecutionId: revisionId,
      externalExecutionUrl: `https://console.aws.amazon.com/s3/home?region=${ctx.scope.region}#/${bucket}/${key}`,
      outputVariables: variables,
      revision: { revisionId, revisionSummary: `Amazon S3 version id: ${revisionId}`, created: obj.LastModified?.getTime() },
    };
  },
};

/** Deploy action: the input artifact, extracted into the bucket (under ObjectKey) or copied as one object. */
export const s3Deploy: ActionProvider = {
  async start(ctx: ActionContext): Promise<ActionOutcome> {
    const s3 = ctx.deps.aws.service<S3Operations>('s3', ctx.scope);
    const { BucketName: bucket, ObjectKey: objectKey, CannedACL, CacheControl } = ctx.config;
    const zip = await getArtifact(ctx.deps.aws, ctx.scope, ctx.inputs[0]);
    const extra = { ACL: CannedACL as never, CacheControl };
    const url = `https://s3.console.aws.amazon.com/s3/buckets/${bucket}?region=${ctx.scope.region}&prefix=${objectKey ?? ''}`;
    if (ctx.config.Extract.toLowerCase() === 'false') {
      await s3.PutObject({ Bucket: bucket, Key: objectKey, Body: zip, ContentType: contentType(objectKey), ...extra });
      return { status: 'Succeeded', summary: `Deployed ${ctx.inputs[0].name} to s3://${bucket}/${objectKey}`, externalExecutionId: objectKey, externalExecutionUrl: url };
    }
    const entries = unzipEntries(zip);
    const prefix = objectKey ? objectKey.replace(/\/+$/, '') + '/' : '';
    for (const entry of entries) {
      const path = safeEntryPath(entry.path);
      if (!path) return failed(`The artifact ${ctx.inputs[0].name} contains an entry outside its root: ${entry.path}`);
      await s3.PutObject({ Bucket: bucket, Key: prefix + path, Body: entry.data, ContentType: contentType(path), ...extra });
    }
    return { status: 'Succeeded', summary: `Extracted ${entries.length} files of ${ctx.inputs[0].name} to s3://${bucket}/${prefix}`, externalExecutionId: bucket, externalExecutionUrl: url };
  },
};
