import {
  CreateBucketCommand, DeleteBucketCommand, DeleteBucketEncryptionCommand, DeleteBucketPolicyCommand, GetBucketEncryptionCommand, GetBucketLocationCommand,
  GetBucketPolicyCommand, GetBucketTaggingCommand, GetBucketVersioningCommand, HeadBucketCommand, ListBucketsCommand, PutBucketEncryptionCommand,
  PutBucketPolicyCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

async function failure(p: Promise<unknown>): Promise<S3ServiceException> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(e)}`);
  return e;
}

describe('S3 buckets through the SDK v3 client', () => {
  let sw: TestSlipway;
  let s3: S3Client;
  let eu: S3Client;

  beforeAll(async () => {
    sw = await startSlipway();
    s3 = new S3Client(sdkConfig(sw.url));
    eu = new S3Client(sdkConfig(sw.url, 'eu-west-1'));
  });
  afterAll(() => sw.close());

  it('creates buckets in us-east-1 and with a LocationConstraint, and reports where they are', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'east-bucket' }));
    await eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: 'eu-bucket' }))).LocationConstraint).toBe('eu-west-1');
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: 'east-bucket' }))).LocationConstraint).toBeFalsy();
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'eu-bucket' }))).BucketRegion).toBe('eu-west-1');
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => [b.Name, b.BucketRegion])).toEqual([['east-bucket', 'us-east-1'], ['eu-bucket', 'eu-west-1']]);
    expect(listed.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    const page = await s3.send(new ListBucketsCommand({ MaxBuckets: 1 }));
    expect(page.Buckets?.map((b) => b.Name)).toEqual(['east-bucket']);
    const next = await s3.send(new ListBucketsCommand({ MaxBuckets: 1, ContinuationToken: page.ContinuationToken }));
    expect(next.Buckets?.map((b) => b.Name)).toEqual(['eu-bucket']);
  });

  it('answers BucketAlreadyOwnedByYou outside North Virginia, 200 there, BucketAlreadyExists for another account', async () => {
    const again = await failure(eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })));
    expect(again.name).toBe('BucketAlreadyOwnedByYou');
    expect(again.$metadata.httpStatusCode).toBe(409);
    await s3.send(new CreateBucketCommand({ Bucket: 'east-bucket' }));
    const other = new S3Client({ ...sdkConfig(sw.url), credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' } });
    expect((await failure(other.send(new CreateBucketCommand({ Bucket: 'east-bucket' })))).name).toBe('BucketAlreadyExists');
    expect((await other.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
  });

  it('refuses a region mismatch and an explicit us-east-1 constraint', async () => {
    const mismatch = await failure(eu.send(new CreateBucketCommand({ Bucket: 'mismatch', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })));
    expect([mismatch.name, mismatch.message]).toEqual(['IllegalLocationConstraintException', "The 'us-west-2' location constraint is incompatible for the region specific endpoint this request was sent to."]);
    const explicit = await failure(s3.send(new CreateBucketCommand({ Bucket: 'explicit-east', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as 'us-east-2' } })));
    // us-east-1 is not in the model's LocationConstraint values, so the request is refused before the handler.
    expect([explicit.$metadata.httpStatusCode, explicit.message]).toEqual([400, expect.stringContaining("'createBucketConfiguration.locationConstraint'")]);
    expect((await failure(s3.send(new HeadBucketCommand({ Bucket: 'explicit-east' })))).$metadata.httpStatusCode).toBe(404);
  });

  it.each(['ab', 'UPPER-case', 'under_score', '-leading', 'trailing-', 'two..dots', '192.168.5.4', 'xn--punycode', 'name-s3alias', 'a'.repeat(64)])(
    'rejects the bucket name %s with InvalidBucketName',
    async (name) => {
      const e = await failure(s3.send(new CreateBucketCommand({ Bucket: name })));
      expect([e.name, e.$metadata.httpStatusCode]).toEqual(['InvalidBucketName', 400]);
    },
  );

  it('deletes only empty buckets and reports missing ones', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'full-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'full-bucket', Key: 'k', Body: 'x' }));
    const full = await failure(s3.send(new DeleteBucketCommand({ Bucket: 'full-bucket' })));
    expect([full.name, full.$metadata.httpStatusCode, full.message]).toEqual(['BucketNotEmpty', 409, 'The bucket you tried to delete is not empty']);
    const missing = await failure(s3.send(new DeleteBucketCommand({ Bucket: 'nope-bucket' })));
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['NoSuchBucket', 404]);
    const head = await failure(s3.send(new HeadBucketCommand({ Bucket: 'nope-bucket' })));
    expect(head.$metadata.httpStatusCode).toBe(404);
    await s3.send(new CreateBucketCommand({ Bucket: 'empty-bucket' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'empty-bucket' }));
    expect((await failure(s3.send(new HeadBucketCommand({ Bucket: 'empty-bucket' })))).$metadata.httpStatusCode).toBe(404);
  });

  it('stores versioning, encryption, tags and policy as configuration', async () => {
    const Bucket = 'config-bucket';
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');

    const defaults = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(defaults.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    const kms = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: 'alias/app' }, BucketKeyEnabled: true }] };
    await s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: kms }));
    expect((await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration).toEqual(kms);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'secret', Body: 's' }));
    expect([put.ServerSideEncryption, put.SSEKMSKeyId, put.BucketKeyEnabled]).toEqual(['aws:kms', 'alias/app', true]);
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
    expect((await s3.send(new PutObjectCommand({ Bucket, Key: 'plain', Body: 'p' }))).ServerSideEncryption).toBe('AES256');

    expect((await failure(s3.send(new GetBucketTaggingCommand({ Bucket })))).name).toBe('NoSuchTagSet');
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'team', Value: 'ops' }] } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([{ Key: 'team', Value: 'ops' }]);
    const dup = await failure(s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } })));
    expect(dup.name).toBe('InvalidTag');

    expect((await failure(s3.send(new GetBucketPolicyCommand({ Bucket })))).name).toBe('NoSuchBucketPolicy');
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }] });
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy).toBe(policy);
    expect((await failure(s3.send(new PutBucketPolicyCommand({ Bucket, Policy: 'not json' })))).name).toBe('MalformedPolicy');
    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    expect((await failure(s3.send(new GetBucketPolicyCommand({ Bucket })))).name).toBe('NoSuchBucketPolicy');
  });
});
