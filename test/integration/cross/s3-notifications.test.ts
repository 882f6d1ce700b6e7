import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetBucketNotificationConfigurationCommand,
  DeleteObjectTaggingCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client, S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createQueue, drainJson, type Queue } from './support.js';

interface S3Record {
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  responseElements: Record<string, string>;
  s3: { s3SchemaVersion: string; configurationId: string; bucket: { name: string; arn: string; ownerIdentity: { principalId: string } }; object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string } };
}
type Records = { Records: S3Record[] };

async function failure(p: Promise<unknown>): Promise<S3ServiceException> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(e)}`);
  return e;
}

/** S3 bucket notifications delivered to real SQS queues, SNS topics and EventBridge rules. */
describe('S3 notifications to SQS, SNS and EventBridge', () => {
  let sw: TestSlipway;
  let s3: S3Client;
  let sqs: SQSClient;
  let uploads: Queue;
  let viaTopic: Queue;
  let viaBus: Queue;
  let topicArn: string;

  beforeAll(async () => {
    sw = await startSlipway();
    s3 = new S3Client(sdkConfig(sw.url));
    sqs = new SQSClient(sdkConfig(sw.url));
    const sns = new SNSClient(sdkConfig(sw.url));
    uploads = await createQueue(sqs, 'uploads');
    viaTopic = await createQueue(sqs, 'via-topic');
    viaBus = await createQueue(sqs, 'via-bus');
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'deletions' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: viaTopic.arn }));
    await s3.send(new CreateBucketCommand({ Bucket: 'my-artifacts-bucket' }));
  });
  afterAll(() => sw.close());

  it('refuses destinations that do not exist and keeps nothing of the refused configuration', async () => {
    const e = await failure(s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: 'my-artifacts-bucket',
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:missing', Events: ['s3:ObjectCreated:*'] }] },
    })));
    expect([e.name, e.message, e.$metadata.httpStatusCode]).toEqual(['InvalidArgument', 'Unable to validate the following destination configurations', 400]);
    expect(await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'my-artifacts-bucket' }))).not.toHaveProperty('QueueConfigurations');
    const overlap = await failure(s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: 'my-artifacts-bucket',
      NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: uploads.arn, Events: ['s3:ObjectCreated:*'] }],
        TopicConfigurations: [{ TopicArn: topicArn, Events: ['s3:ObjectCreated:Put'] }],
      },
    })));
    expect(overlap.message).toBe('Configurations overlap. Configurations on the same bucket cannot share a common event type.');
    // S3 cannot send to FIFO queues, even ones that exist.
    const fifo = await createQueue(sqs, 'uploads.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const refused = await failure(s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: 'my-artifacts-bucket', NotificationConfiguration: { QueueConfigurations: [{ QueueArn: fifo.arn, Events: ['s3:ObjectCreated:*'] }] },
    })));
    expect([refused.name, refused.message]).toEqual(['InvalidArgument', 'Unable to validate the following destination configurations']);
    // Nor to a queue in another region than the bucket's.
    const west = new SQSClient(sdkConfig(sw.url, 'us-west-2'));
    const far = await createQueue(west, 'uploads-west');
    const elsewhere = await failure(s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: 'my-artifacts-bucket', NotificationConfiguration: { QueueConfigurations: [{ QueueArn: far.arn, Events: ['s3:ObjectCreated:*'] }] },
    })));
    expect(elsewhere.name).toBe('InvalidArgument');
  });

  it('the CLI configures a queue (prefix and suffix filter) and a topic; each gets the test event, then matching records', async () => {
    const cli = awsCli(sw.env);
    const config = join(sw.dataDir, 'notification.json');
    writeFileSync(config, JSON.stringify({
      QueueConfigurations: [{ Id: 'zips', QueueArn: uploads.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'app/' }, { Name: 'suffix', Value: '.zip' }] } } }],
      TopicConfigurations: [{ TopicArn: topicArn, Events: ['s3:ObjectRemoved:*'] }],
    }));
    const put = await cli('s3api', 'put-bucket-notification-configuration', '--bucket', 'my-artifacts-bucket', '--notification-configuration', `file://${config}`);
    expect(put.code, put.stderr).toBe(0);
    const got = await cli('s3api', 'get-bucket-notification-configuration', '--bucket', 'my-artifacts-bucket');
    const stored = got.json<{ QueueConfigurations: { Id: string; Filter: unknown }[]; TopicConfigurations: { Id: string; Events: string[] }[] }>();
    expect(stored.QueueConfigurations[0]).toMatchObject({ Id: 'zips', Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'app/' }, { Name: 'suffix', Value: '.zip' }] } } });
    expect(stored.TopicConfigurations[0].Id).toMatch(/^[A-Za-z0-9+/]{48}$/);
    await sw.slipway.settled();
    const tests = [...(await drainJson(sqs, uploads.url)), ...(await drainJson<{ Message: string }>(sqs, viaTopic.url)).map((n) => JSON.parse(n.Message))];
    expect(tests).toEqual([0, 1].map(() => ({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: expect.any(String), Bucket: 'my-artifacts-bucket', RequestId: expect.any(String), HostId: expect.any(String) })));

    writeFileSync(join(sw.dataDir, 'build 1.zip'), 'zip bytes');
    const cp = await cli('s3', 'cp', join(sw.dataDir, 'build 1.zip'), 's3://my-artifacts-bucket/app/build 1.zip');
    expect(cp.code, cp.stderr).toBe(0);
    await s3.send(new PutObjectCommand({ Bucket: 'my-artifacts-bucket', Key: 'app/readme.txt', Body: 'not a zip' }));
    await s3.send(new PutObjectCommand({ Bucket: 'my-artifacts-bucket', Key: 'other/build.zip', Body: 'elsewhere' }));
    const rm = await cli('s3', 'rm', 's3://my-artifacts-bucket/app/build 1.zip');
    expect(rm.code, rm.stderr).toBe(0);
    await sw.slipway.settled();

    const created = (await drainJson<Records>(sqs, uploads.url)).flatMap((m) => m.Records);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put', userIdentity: { principalId: '000000000000' },
      s3: {
        s3SchemaVersion: '1.0', configurationId: 'zips',
        bucket: { name: 'my-artifacts-bucket', arn: 'arn:aws:s3:::my-artifacts-bucket', ownerIdentity: { principalId: expect.stringMatching(/^[0-9a-f]{64}$/) } },
        object: { key: 'app/build+1.zip', size: 9, eTag: createHash('md5').update('zip bytes').digest('hex') },
      },
    });
    expect(created[0].eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(created[0].responseElements['x-amz-request-id']).toBeTruthy();
    expect(created[0].s3.object).not.toHaveProperty('versionId');

    const notes = await drainJson<{ Type: string; Subject: string; Message: string }>(sqs, viaTopic.url);
    expect(notes.map((n) => [n.Type, n.Subject])).toEqual([['Notification', 'Amazon S3 Notification']]);
    const removed = (JSON.parse(notes[0].Message) as Records).Records[0];
    expect([removed.eventName, removed.s3.object.key, removed.s3.object]).toEqual(['ObjectRemoved:Delete', 'app/build+1.zip', { key: 'app/build+1.zip', sequencer: expect.stringMatching(/^[0-9A-F]{21}$/) }]);
    expect(removed.s3.object.sequencer > created[0].s3.object.sequencer).toBe(true);
  });

  it('a versioned bucket reports version ids, multipart completion and delete markers', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'versioned' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: 'versioned',
      NotificationConfiguration: {
        QueueConfigurations: [{ Id: 'mpu', QueueArn: uploads.arn, Events: ['s3:ObjectCreated:CompleteMultipartUpload'] }],
        TopicConfigurations: [{ Id: 'markers', TopicArn: topicArn, Events: ['s3:ObjectRemoved:DeleteMarkerCreated'] }],
      },
    }));
    await sw.slipway.settled();
    await drainJson(sqs, uploads.url);
    await drainJson(sqs, viaTopic.url);

    await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'small', Body: 'not multipart' }));
    const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'versioned', Key: 'big.bin' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'versioned', Key: 'big.bin', UploadId: mpu.UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 7) }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'versioned', Key: 'big.bin', UploadId: mpu.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'big.bin' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'big.bin', VersionId: done.VersionId }));
    await sw.slipway.settled();

    const created = (await drainJson<Records>(sqs, uploads.url)).flatMap((m) => m.Records);
    expect(created.map((r) => [r.eventName, r.s3.configurationId, r.s3.object.key, r.s3.object.size, r.s3.object.eTag, r.s3.object.versionId])).toEqual([
      ['ObjectCreated:CompleteMultipartUpload', 'mpu', 'big.bin', 1024, done.ETag!.replace(/"/g, ''), done.VersionId],
    ]);
    const removed = (await drainJson<{ Message: string }>(sqs, viaTopic.url)).map((n) => (JSON.parse(n.Message) as Records).Records[0]);
    // Deleting a version permanently is ObjectRemoved:Delete, which this configuration does not ask for.
    expect(removed.map((r) => [r.eventName, r.s3.configurationId, r.s3.object.versionId])).toEqual([['ObjectRemoved:DeleteMarkerCreated', 'markers', marker.VersionId]]);
  });

  it('EventBridgeConfiguration sends Object Created and Object Deleted through a rule to a queue', async () => {
    const events = new EventBridgeClient(sdkConfig(sw.url));
    await s3.send(new CreateBucketCommand({ Bucket: 'bus-bucket' }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'bus-bucket', NotificationConfiguration: { EventBridgeConfiguration: {} } }));
    await events.send(new PutRuleCommand({
      Name: 's3-uploads',
      EventPattern: JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Created', 'Object Deleted'], detail: { bucket: { name: ['bus-bucket'] }, object: { key: [{ prefix: 'reports/' }] } } }),
    }));
    await events.send(new PutTargetsCommand({ Rule: 's3-uploads', Targets: [{ Id: 'q', Arn: viaBus.arn }] }));

    const put = await s3.send(new PutObjectCommand({ Bucket: 'bus-bucket', Key: 'reports/build.json', Body: '{"ok":true}' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bus-bucket', Key: 'logs/ignored.txt', Body: 'x' }));
    const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bus-bucket', Key: 'reports/big.bin' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'bus-bucket', Key: 'reports/big.bin', UploadId: mpu.UploadId, PartNumber: 1, Body: 'part one' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'bus-bucket', Key: 'reports/big.bin', UploadId: mpu.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'bus-bucket', Key: 'reports/build.json' }));
    await sw.slipway.settled();

    const got = await drainJson<{ source: string; 'detail-type': string; resources: string[]; detail: Record<string, unknown> }>(sqs, viaBus.url);
    expect(got.map((e) => [e.source, e['detail-type'], e.resources[0], e.detail.reason, (e.detail.object as { key: string }).key])).toEqual([
      ['aws.s3', 'Object Created', 'arn:aws:s3:::bus-bucket', 'PutObject', 'reports/build.json'],
      ['aws.s3', 'Object Created', 'arn:aws:s3:::bus-bucket', 'CompleteMultipartUpload', 'reports/big.bin'],
      ['aws.s3', 'Object Deleted', 'arn:aws:s3:::bus-bucket', 'DeleteObject', 'reports/build.json'],
    ]);
    expect(got[0].detail).toMatchObject({ version: '0', bucket: { name: 'bus-bucket' }, object: { size: 11, etag: put.ETag!.replace(/"/g, '') } });
    expect(got[2].detail['deletion-type']).toBe('Permanently Deleted');
  });

  it('tag changes reach a queue as ObjectTagging records and a rule as Object Tags Added / Deleted', async () => {
    const events = new EventBridgeClient(sdkConfig(sw.url));
    await s3.send(new CreateBucketCommand({ Bucket: 'tagged' }));
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: 'tagged',
      NotificationConfiguration: { QueueConfigurations: [{ Id: 'tags', QueueArn: uploads.arn, Events: ['s3:ObjectTagging:*'] }], EventBridgeConfiguration: {} },
    }));
    await events.send(new PutRuleCommand({ Name: 'tags', EventPattern: JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Tags Added', 'Object Tags Deleted'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'tags', Targets: [{ Id: 'q', Arn: viaBus.arn }] }));
    await sw.slipway.settled();
    await drainJson(sqs, uploads.url);

    const put = await s3.send(new PutObjectCommand({ Bucket: 'tagged', Key: 'release.zip', Body: 'r' }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'tagged', Key: 'release.zip', Tagging: { TagSet: [{ Key: 'stage', Value: 'prod' }] } }));
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'tagged', Key: 'release.zip' }));
    await sw.slipway.settled();

    const etag = put.ETag!.replace(/"/g, '');
    const records = (await drainJson<Records>(sqs, uploads.url)).flatMap((m) => m.Records);
    expect(records.map((r) => [r.eventName, r.s3.configurationId, r.s3.object.key, r.s3.object.eTag, r.s3.object.size])).toEqual([
      ['ObjectTagging:Put', 'tags', 'release.zip', etag, undefined],
      ['ObjectTagging:Delete', 'tags', 'release.zip', etag, undefined],
    ]);
    const got = await drainJson<{ 'detail-type': string; detail: { object: Record<string, unknown>; bucket: { name: string } } }>(sqs, viaBus.url);
    expect(got.map((e) => [e['detail-type'], e.detail.bucket.name, e.detail.object])).toEqual([
      ['Object Tags Added', 'tagged', { key: 'release.zip', etag }],
      ['Object Tags Deleted', 'tagged', { key: 'release.zip', etag }],
    ]);
  });
});
