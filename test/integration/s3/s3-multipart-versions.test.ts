import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, ListObjectsV2Command, ListPartsCommand,
  GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client, S3ServiceException, UploadPartCommand, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/aws/gateway/context.js';
import type { EventsOperations, PutEventsRequestEntry } from '../../../src/aws/models/generated/events.js';
import { SERVICES } from '../../../src/services/registry.js';
import type { ServiceDefinition } from '../../../src/services/service.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const MiB = 1024 * 1024;

async function failure(p: Promise<unknown>): Promise<S3ServiceException> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(e)}`);
  return e;
}

/** A stand-in EventBridge that records what PutEvents receives. */
const received: PutEventsRequestEntry[] = [];
const fakeEvents: ServiceDefinition = {
  name: 'events',
  create: () => ({
    provider: {
      async PutEvents(input) {
        received.push(...input.Entries);
        return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) };
      },
    } satisfies Partial<EventsOperations<RequestContext>>,
  }),
};

describe('S3 multipart uploads, versioning and EventBridge notifications', () => {
  let sw: TestSlipway;
  let s3: S3Client;

  beforeAll(async () => {
    sw = await startSlipway({ services: [...SERVICES, fakeEvents] });
    s3 = new S3Client(sdkConfig(sw.url));
    await s3.send(new CreateBucketCommand({ Bucket: 'mp-bucket' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'versions' }));
  });
  afterAll(() => sw.close());

  it('assembles an object from parts (upload and copy) with the multipart ETag and composite checksum', async () => {
    const p1 = Buffer.alloc(5 * MiB, 'a');
    const p2 = Buffer.alloc(5 * MiB, 'b');
    await s3.send(new PutObjectCommand({ Bucket: 'mp-bucket', Key: 'copy-src', Body: 'tail from another object' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', ContentType: 'application/zip', ChecksumAlgorithm: 'CRC32' }));
    const e1 = await s3.send(new UploadPartCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', UploadId, PartNumber: 1, Body: p1, ChecksumAlgorithm: 'CRC32' }));
    const e2 = await s3.send(new UploadPartCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', UploadId, PartNumber: 2, Body: p2, ChecksumAlgorithm: 'CRC32' }));
    const e3 = await s3.send(new UploadPartCopyCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', UploadId, PartNumber: 3, CopySource: 'mp-bucket/copy-src', CopySourceRange: 'bytes=5-8' }));
    expect(e1.ETag).toBe(`"${createHash('md5').update(p1).digest('hex')}"`);
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([[1, 5 * MiB], [2, 5 * MiB], [3, 4]]);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mp-bucket' }));
    expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['big/object.bin', UploadId]]);

    const order = await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: e2.ETag }, { PartNumber: 1, ETag: e1.ETag }] } })));
    expect(order.name).toBe('InvalidPartOrder');
    const wrong = await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00"' }] } })));
    expect(wrong.name).toBe('InvalidPart');
    const small = await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 3, ETag: e3.CopyPartResult?.ETag }, { PartNumber: 4, ETag: e1.ETag }] } })));
    expect(small.name).toBe('InvalidPart');

    const done = await s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'mp-bucket', Key: 'big/object.bin', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag, ChecksumCRC32: e1.ChecksumCRC32 }, { PartNumber: 2, ETag: e2.ETag, ChecksumCRC32: e2.ChecksumCRC32 }, { PartNumber: 3, ETag: e3.CopyPartResult?.ETag }] },
    }));
    const md5s = Buffer.concat([p1, p2, Buffer.from('from')].map((b) => createHash('md5').update(b).digest()));
    expect(done.ETag).toBe(`"${createHash('md5').update(md5s).digest('hex')}-3"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect([bytes.length, got.ContentType, got.ETag]).toEqual([10 * MiB + 4, 'application/zip', done.ETag]);
    expect(bytes.equals(Buffer.concat([p1, p2, Buffer.from('from')]))).toBe(true);
    const part2 = await s3.send(new GetObjectCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', PartNumber: 2 }));
    expect([part2.ContentLength, part2.PartsCount, part2.ContentRange]).toEqual([5 * MiB, 3, `bytes ${5 * MiB}-${10 * MiB - 1}/${10 * MiB + 4}`]);
    const across = await s3.send(new GetObjectCommand({ Bucket: 'mp-bucket', Key: 'big/object.bin', Range: `bytes=${5 * MiB - 2}-${5 * MiB + 1}` }));
    expect(await across.Body!.transformToString()).toBe('aabb');
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mp-bucket' }))).Uploads).toBeUndefined();
  });

  it('refuses parts of an aborted upload, and small non-final parts', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mp-bucket', Key: 'aborted' }));
    await s3.send(new UploadPartCommand({ Bucket: 'mp-bucket', Key: 'aborted', UploadId, PartNumber: 1, Body: 'x' }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'mp-bucket', Key: 'aborted', UploadId }));
    const gone = await failure(s3.send(new UploadPartCommand({ Bucket: 'mp-bucket', Key: 'aborted', UploadId, PartNumber: 2, Body: 'y' })));
    expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(['NoSuchUpload', 404]);
    const second = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mp-bucket', Key: 'small' }));
    const a = await s3.send(new UploadPartCommand({ Bucket: 'mp-bucket', Key: 'small', UploadId: second.UploadId, PartNumber: 1, Body: 'tiny' }));
    const b = await s3.send(new UploadPartCommand({ Bucket: 'mp-bucket', Key: 'small', UploadId: second.UploadId, PartNumber: 2, Body: 'tiny' }));
    const tooSmall = await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp-bucket', Key: 'small', UploadId: second.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: a.ETag }, { PartNumber: 2, ETag: b.ETag }] } })));
    expect(tooSmall.name).toBe('EntityTooSmall');
  });

  it('keeps every version, with delete markers and the null version', async () => {
    const B = 'versions';
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'state.tfstate', Body: 'before versioning' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'state.tfstate', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'state.tfstate', Body: 'two' }));
    expect(v1.VersionId).toMatch(/^[A-Za-z0-9._]{32}$/);
    expect(v1.VersionId).not.toBe(v2.VersionId);
    const get = (VersionId?: string) => s3.send(new GetObjectCommand({ Bucket: B, Key: 'state.tfstate', VersionId })).then(async (o) => [await o.Body!.transformToString(), o.VersionId]);
    expect(await get()).toEqual(['two', v2.VersionId]);
    expect(await get(v1.VersionId)).toEqual(['one', v1.VersionId]);
    expect(await get('null')).toEqual(['before versioning', 'null']);

    const del = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'state.tfstate' }));
    expect(del.DeleteMarker).toBe(true);
    const hidden = await failure(s3.send(new GetObjectCommand({ Bucket: B, Key: 'state.tfstate' })));
    expect([hidden.name, hidden.$response?.headers['x-amz-delete-marker'], hidden.$response?.headers['x-amz-version-id']]).toEqual(['NoSuchKey', 'true', del.VersionId]);
    const marker = await failure(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'state.tfstate', VersionId: del.VersionId })));
    expect(marker.$metadata.httpStatusCode).toBe(405);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: B }))).KeyCount).toBe(0);

    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: B }));
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([[v2.VersionId, false], [v1.VersionId, false], ['null', false]]);
    expect(versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[del.VersionId, true]]);
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: B, MaxKeys: 2 }));
    expect(page.IsTruncated).toBe(true);
    const rest = await s3.send(new ListObjectVersionsCommand({ Bucket: B, KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker }));
    expect(rest.Versions?.map((v) => v.VersionId)).toEqual([v1.VersionId, 'null']);

    const undo = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'state.tfstate', VersionId: del.VersionId }));
    expect([undo.DeleteMarker, undo.VersionId]).toEqual([true, del.VersionId]);
    expect(await get()).toEqual(['two', v2.VersionId]);
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'state.tfstate', VersionId: v2.VersionId }));
    expect(await get()).toEqual(['one', v1.VersionId]);

    const restored = await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'restored', CopySource: `${B}/state.tfstate?versionId=null` }));
    expect(restored.CopySourceVersionId).toBe('null');
    expect((await s3.send(new GetObjectCommand({ Bucket: B, Key: 'restored' }))).VersionId).toBe(restored.VersionId);

    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Suspended' } }));
    const s1 = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'state.tfstate', Body: 'suspended' }));
    expect(s1.VersionId).toBe('null');
    expect(await get('null')).toEqual(['suspended', 'null']);
    expect(await get(v1.VersionId)).toEqual(['one', v1.VersionId]);
  });

  it('publishes Object Created and Object Deleted events to EventBridge when configured', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'notified' }));
    await s3.send(new PutObjectCommand({ Bucket: 'notified', Key: 'quiet', Body: 'no events yet' }));
    await sw.slipway.settled();
    expect(received).toEqual([]);
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'notified', NotificationConfiguration: { EventBridgeConfiguration: {} } }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'notified', Key: 'reports/build.json', Body: '{"ok":true}' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'notified', Key: 'reports/build.json' }));
    await sw.slipway.settled();
    expect(received.map((e) => [e.Source, e.DetailType, e.Resources])).toEqual([
      ['aws.s3', 'Object Created', ['arn:aws:s3:::notified']],
      ['aws.s3', 'Object Deleted', ['arn:aws:s3:::notified']],
    ]);
    const created = JSON.parse(received[0].Detail!) as Record<string, unknown>;
    expect(created).toMatchObject({ version: '0', bucket: { name: 'notified' }, object: { key: 'reports/build.json', size: 11, etag: put.ETag!.replace(/"/g, '') }, reason: 'PutObject', requester: '000000000000' });
    expect(JSON.parse(received[1].Detail!)).toMatchObject({ object: { key: 'reports/build.json' }, reason: 'DeleteObject', 'deletion-type': 'Permanently Deleted' });
    const queue = await failure(s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: 'notified', NotificationConfiguration: { QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q', Events: ['s3:ObjectCreated:*'] }] },
    })));
    // A queue that does not exist fails S3's destination validation; the old configuration stays.
    expect([queue.name, queue.message, queue.$metadata.httpStatusCode]).toEqual(['InvalidArgument', 'Unable to validate the following destination configurations', 400]);
    expect(await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'notified' }))).toMatchObject({ EventBridgeConfiguration: {} });
  });
});
