import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import { publishEvent } from '../common/events.js';
import type { BucketRecord, ObjectVersion } from './store.js';

interface EventJob {
  scope: Scope;
  detailType: 'Object Created' | 'Object Deleted';
  detail: Record<string, unknown>;
  bucket: string;
  time: number;
}

export type CreatedReason = 'PutObject' | 'CopyObject' | 'CompleteMultipartUpload';
export type DeletedReason = 'DeleteObject' | 'DeleteObjects';

/**
 * Bucket notifications to EventBridge: when a bucket's notification configuration has
 * EventBridgeConfiguration, object changes become `aws.s3` events on the default bus of the
 * bucket's account and region. Each event is a durable job, so a restart does not lose it.
 */
export class S3Events {
  private readonly enqueue: (job: EventJob) => void;

  constructor(jobs: JobQueue, aws: AwsClient, log: Logger) {
    this.enqueue = jobs.define<EventJob>('s3.eventbridge', async (job) => {
      await publishEvent(aws, log, job.scope, {
        source: 'aws.s3',
        detailType: job.detailType,
        detail: job.detail,
        resources: [`arn:aws:s3:::${job.bucket}`],
        time: new Date(job.time),
      });
    });
  }

  created(bucket: BucketRecord, v: ObjectVersion, reason: CreatedReason, ctx: RequestContext): void {
    if (!enabled(bucket)) return;
    const object = { key: v.key, size: v.size, etag: v.etag.replace(/"/g, ''), ...versionOf(bucket, v), sequencer: sequencer(v) };
    this.send(bucket, 'Object Created', { ...base(bucket, ctx), object, reason }, v.lastModified);
  }

  deleted(bucket: BucketRecord, v: ObjectVersion, reason: DeletedReason, ctx: RequestContext, markerCreated: boolean): void {
    if (!enabled(bucket)) return;
    const object = { key: v.key, ...(v.deleteMarker ? {} : { etag: v.etag.replace(/"/g, '') }), ...versionOf(bucket, v), sequencer: sequencer(v) };
    const deletionType = markerCreated ? 'Delete Marker Created' : 'Permanently Deleted';
    this.send(bucket, 'Object Deleted', { ...base(bucket, ctx), object, reason, 'deletion-type': deletionType }, v.lastModified);
  }

  private send(bucket: BucketRecord, detailType: EventJob['detailType'], detail: Record<string, unknown>, time: number): void {
    this.enqueue({ scope: { accountId: bucket.account, region: bucket.region }, detailType, detail, bucket: bucket.name, time });
  }
}

function enabled(bucket: BucketRecord): boolean {
  return bucket.config.notification?.EventBridgeConfiguration !== undefined;
}

function base(bucket: BucketRecord, ctx: RequestContext): Record<string, unknown> {
  return { version: '0', bucket: { name: bucket.name }, 'request-id': ctx.requestId, requester: ctx.accountId };
}

function versionOf(bucket: BucketRecord, v: ObjectVersion): Record<string, string> {
  return v.versionId !== 'null' || bucket.config.versioning ? { 'version-id': v.versionId } : {};
}

/** Increases with every change to the bucket's objects, as AWS's sequencer does per key. */
function sequencer(v: ObjectVersion): string {
  return v.seq.toString(16).toUpperCase().padStart(16, '0');
}
