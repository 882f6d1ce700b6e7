import { gzipSync } from 'node:zlib';
import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { LogsConfig, LogsLocation } from '../../aws/models/generated/codebuild.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';

/** Where a build's S3 log goes: `<location>/<build-uuid>.gz`, location being `bucket[/prefix]` or its ARN. */
export function s3LogObject(config: LogsConfig | undefined, uuid: string): { bucket: string; key: string } | undefined {
  const s3 = config?.s3Logs;
  if (s3?.status !== 'ENABLED' || !s3.location) return undefined;
  const location = s3.location.replace(/^arn:aws[\w-]*:s3:::/, '').replace(/\/+$/, '');
  const slash = location.indexOf('/');
  const bucket = slash < 0 ? location : location.slice(0, slash);
  const prefix = slash < 0 ? '' : `${location.slice(slash + 1)}/`;
  return { bucket, key: `${prefix}${uuid}.gz` };
}

/** The `logs` fields BatchGetBuilds adds for an S3 log. */
export function s3LogFields(config: LogsConfig | undefined, uuid: string, region: string): Pick<LogsLocation, 's3DeepLink' | 's3LogsArn'> {
  const o = s3LogObject(config, uuid);
  if (!o) return {};
  return { s3DeepLink: `https://s3.console.aws.amazon.com/s3/object/${o.bucket}/${o.key}?region=${region}`, s3LogsArn: `arn:aws:s3:::${o.bucket}/${o.key}` };
}

/** Writes the build's whole log, gzipped, when the build ends; a failure is Slipway's warning, not the build's. */
export async function writeS3Log(aws: AwsClient, scope: Scope, config: LogsConfig | undefined, uuid: string, lines: readonly string[], log: Logger): Promise<void> {
  const o = s3LogObject(config, uuid);
  if (!o) return;
  const body = gzipSync(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'));
  try {
    await aws.service<S3Operations>('s3', scope).PutObject({ Bucket: o.bucket, Key: o.key, Body: body, ContentType: 'application/gzip' });
  } catch (e) {
    log.warn('build log could not be written to S3', { bucket: o.bucket, key: o.key, error: errorMessage(e) });
  }
}
