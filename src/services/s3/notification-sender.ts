import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { SnsOperations } from '../../aws/models/generated/sns.js';
import type { SqsOperations } from '../../aws/models/generated/sqs.js';
import { parseArn } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage, isServiceError, ServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import { ownerOf } from './common.js';
import { encodeEventKey, sequencer, type Destination, type ObjectChange } from './notifications.js';
import type { BucketRecord } from './store.js';

interface NotifyJob {
  scope: Scope;
  kind: Destination['kind'];
  arn: string;
  message: string;
}

const SUBJECT = 'Amazon S3 Notification';

/**
 * Delivers S3's event notification messages (`{"Records": [...]}` and `s3:TestEvent`) to SQS
 * queues and SNS topics through their own APIs, one durable job per message and destination.
 */
export class NotificationSender {
  private readonly enqueue: (job: NotifyJob) => void;

  constructor(
    jobs: JobQueue,
    private readonly aws: AwsClient,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.enqueue = jobs.define<NotifyJob>('s3.notify', (job) => this.deliver(job), { maxAttempts: 10 });
  }

  record(bucket: BucketRecord, d: Destination, change: ObjectChange, ctx: RequestContext): void {
    this.enqueue({ scope: scopeOf(bucket), kind: d.kind, arn: d.arn, message: JSON.stringify({ Records: [eventRecord(bucket, d.id, change, ctx)] }) });
  }

  testEvent(bucket: BucketRecord, d: Destination, ctx: RequestContext): void {
    const message = { Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date(this.clock.now()).toISOString(), Bucket: bucket.name, RequestId: ctx.requestId, HostId: hostId(ctx) };
    this.enqueue({ scope: scopeOf(bucket), kind: d.kind, arn: d.arn, message: JSON.stringify(message) });
  }

  /** Every destination must exist, or S3 refuses the whole configuration. */
  async validate(all: Destination[], scope: Scope): Promise<void> {
    const failed: [string, string][] = [];
    for (const d of all) {
      if (d.arn.endsWith('.fifo')) {
        failed.push([d.arn, 'FIFO queues and topics are not supported as S3 event notification destinations']);
        continue;
      }
      if (parseArn(d.arn)?.region !== scope.region) {
        failed.push([d.arn, 'The destination must be in the same region as the bucket']);
        continue;
      }
      try {
        if (d.kind === 'sqs') await this.queueUrl(d.arn, scope);
        else await this.aws.service<SnsOperations>('sns', targetScope(d.arn, scope)).GetTopicAttributes({ TopicArn: d.arn });
      } catch (e) {
        if (!isServiceError(e)) throw e;
        failed.push([d.arn, d.kind === 'sqs' ? 'The destination queue does not exist' : 'The destination topic does not exist']);
      }
    }
    if (!failed.length) return;
    const fields = Object.fromEntries(failed.flatMap(([arn, why], i) => [[`ArgumentName${i + 1}`, arn], [`ArgumentValue${i + 1}`, why]]));
    throw new ServiceError('InvalidArgument', 'Unable to validate the following destination configurations', { statusCode: 400, fields });
  }

  private async deliver(job: NotifyJob): Promise<void> {
    try {
      if (job.kind === 'sqs') {
        const url = await this.queueUrl(job.arn, job.scope);
        await this.aws.service<SqsOperations>('sqs', targetScope(job.arn, job.scope)).SendMessage({ QueueUrl: url, MessageBody: job.message });
      } else {
        await this.aws.service<SnsOperations>('sns', targetScope(job.arn, job.scope)).Publish({ TopicArn: job.arn, Subject: SUBJECT, Message: job.message });
      }
    } catch (e) {
      // A destination deleted since the configuration was put will not come back: S3 drops the event.
      if (isServiceError(e) && e.senderFault && e.code !== 'ThrottlingException') {
        this.log.warn('S3 notification dropped', { destination: job.arn, error: errorMessage(e) });
        return;
      }
      throw e;
    }
  }

  private async queueUrl(arn: string, scope: Scope): Promise<string> {
    const a = parseArn(arn);
    if (!a || a.service !== 'sqs') throw new ServiceError('InvalidArgument', `${arn} is not a queue ARN`, { statusCode: 400 });
    const out = await this.aws.service<SqsOperations>('sqs', targetScope(arn, scope)).GetQueueUrl({ QueueName: a.resource, QueueOwnerAWSAccountId: a.accountId || undefined });
    return out.QueueUrl!;
  }
}

function scopeOf(bucket: BucketRecord): Scope {
  return { accountId: bucket.account, region: bucket.region };
}

function targetScope(arn: string, fallback: Scope): Scope {
  const a = parseArn(arn);
  return { accountId: a?.accountId || fallback.accountId, region: a?.region || fallback.region };
}

function hostId(ctx: RequestContext): string {
  return Buffer.from(ctx.requestId).toString('base64');
}

/** One record of S3's event message structure (version 2.1). */
function eventRecord(bucket: BucketRecord, configurationId: string, change: ObjectChange, ctx: RequestContext): Record<string, unknown> {
  const v = change.version;
  const created = change.event.startsWith('ObjectCreated');
  const tagged = change.event.startsWith('ObjectTagging');
  const object = {
    key: encodeEventKey(v.key),
    ...(created ? { size: v.size } : {}),
    ...(created || tagged ? { eTag: v.etag.replace(/"/g, '') } : {}),
    ...(v.versionId !== 'null' || bucket.config.versioning ? { versionId: v.versionId } : {}),
    sequencer: sequencer(change),
  };
  const principalId = ctx.principal.userId === ctx.accountId ? ctx.accountId : `AWS:${ctx.principal.userId}`;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: bucket.region,
    eventTime: new Date(change.time).toISOString(),
    eventName: change.event,
    userIdentity: { principalId },
    requestParameters: { sourceIPAddress: ctx.headers['x-forwarded-for']?.split(',')[0].trim() || '127.0.0.1' },
    responseElements: { 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': hostId(ctx) },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId,
      bucket: { name: bucket.name, ownerIdentity: { principalId: ownerOf({ accountId: bucket.account }).ID }, arn: `arn:aws:s3:::${bucket.name}` },
      object,
    },
  };
}
