import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { NotificationConfiguration } from '../../aws/models/generated/s3.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import { publishEvent } from '../common/events.js';
import { NotificationSender } from './notification-sender.js';
import { destinations, matches, sequencer, type ObjectChange, type S3EventName } from './notifications.js';
import type { BucketRecord, ObjectVersion } from './store.js';

interface EventJob {
  scope: Scope;
  detailType: 'Object Created' | 'Object Deleted' | 'Object Tags Added' | 'Object Tags Deleted';
  detail: Record<string, unknown>;
  bucket: string;
  time: number;
}

export type CreatedReason = 'PutObject' | 'CopyObject' | 'CompleteMultipartUpload';
export type DeletedReason = 'DeleteObject' | 'DeleteObjects';

const CREATED_EVENT: Record<CreatedReason, S3EventName> = { PutObject: 'ObjectCreated:Put', CopyObject: 'ObjectCreated:Copy', CompleteMultipartUpload: 'ObjectCreated:CompleteMultipartUpload' };

/**
 * Bucket notifications. With EventBridgeConfiguration, object changes become `aws.s3` events on
 * the default bus of the bucket's account and region; queue and topic configurations get S3's
 * event records (see notification-sender.ts). Each delivery is a durable job, so a restart does
 * not lose it.
 */
export class S3Events {
  private readonly enqueue: (job: EventJob) => void;
  private readonly sender: NotificationSender;

  constructor(jobs: JobQueue, aws: AwsClient, log: Logger, private readonly clock: Clock) {
    this.sender = new NotificationSender(jobs, aws, log, clock);
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
    const change: ObjectChange = { version: v, event: CREATED_EVENT[reason], time: v.lastModified };
    this.notify(bucket, change, ctx);
    if (!enabled(bucket)) return;
    const object = { key: v.key, size: v.size, etag: v.etag.replace(/"/g, ''), ...versionOf(bucket, v), sequencer: sequencer(change) };
    this.send(bucket, 'Object Created', { ...base(bucket, ctx), object, reason }, v.lastModified);
  }

  deleted(bucket: BucketRecord, v: ObjectVersion, reason: DeletedReason, ctx: RequestContext, markerCreated: boolean): void {
    // A permanent delete happens now, not when the removed version was written.
    const change: ObjectChange = { version: v, event: markerCreated ? 'ObjectRemoved:DeleteMarkerCreated' : 'ObjectRemoved:Delete', time: markerCreated ? v.lastModified : this.clock.now() };
    this.notify(bucket, change, ctx);
    if (!enabled(bucket)) return;
    const object = { key: v.key, ...(v.deleteMarker ? {} : { etag: v.etag.replace(/"/g, '') }), ...versionOf(bucket, v), sequencer: sequencer(change) };
    const deletionType = markerCreated ? 'Delete Marker Created' : 'Permanently Deleted';
    this.send(bucket, 'Object Deleted', { ...base(bucket, ctx), object, reason, 'deletion-type': deletionType }, change.time);
  }

  /** PutObjectTagging and DeleteObjectTagging on a version. */
  tagged(bucket: BucketRecord, v: ObjectVersion, ctx: RequestContext, removed: boolean): void {
    const change: ObjectChange = { version: v, event: removed ? 'ObjectTagging:Delete' : 'ObjectTagging:Put', time: this.clock.now() };
    this.notify(bucket, change, ctx);
    if (!enabled(bucket)) return;
    const object = { key: v.key, etag: v.etag.replace(/"/g, ''), ...versionOf(bucket, v) };
    this.send(bucket, removed ? 'Object Tags Deleted' : 'Object Tags Added', { ...base(bucket, ctx), object }, change.time);
  }

  /** Sends the change to each queue and topic whose events and key filter it matches. */
  private notify(bucket: BucketRecord, change: ObjectChange, ctx: RequestContext): void {
    for (const d of destinations(bucket.config.notification)) {
      if (matches(d, change.event, change.version.key)) this.sender.record(bucket, d, change, ctx);
    }
  }

  /** Checks that a new configuration's queues and topics exist (AWS's destination validation). */
  validate(n: NotificationConfiguration, scope: Scope): Promise<void> {
    return this.sender.validate(destinations(n), scope);
  }

  /** The `s3:TestEvent` S3 sends each queue and topic of a new configuration. */
  announce(bucket: BucketRecord, n: NotificationConfiguration, ctx: RequestContext): void {
    for (const d of destinations(n)) this.sender.testEvent(bucket, d, ctx);
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
