import type { RequestContext } from '../../aws/gateway/context.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import { ServiceError } from '../../core/errors.js';
import { dropBlobs, invalidArgument, ownerOf, requireBucket, type S3Deps } from './common.js';
import { checkBucketName } from './names.js';

type Ops = Partial<S3Operations<RequestContext>>;

const US_EAST_1 = 'us-east-1';

/** The region a CreateBucket places the bucket in, with AWS's rules for the request's endpoint region. */
function bucketRegion(constraint: string | undefined, requestRegion: string): string {
  if (constraint === US_EAST_1) throw new ServiceError('InvalidLocationConstraint', 'The specified location-constraint is not valid', { statusCode: 400, fields: { LocationConstraint: constraint } });
  const region = constraint === 'EU' ? 'eu-west-1' : (constraint ?? US_EAST_1);
  if (requestRegion !== US_EAST_1 && region !== requestRegion) {
    const which = constraint === undefined ? 'unspecified' : `'${constraint}'`;
    throw new ServiceError('IllegalLocationConstraintException', `The ${which} location constraint is incompatible for the region specific endpoint this request was sent to.`, { statusCode: 400 });
  }
  return region;
}

/** Buckets: create, head, list, delete and where they are. */
export function bucketOperations(deps: S3Deps): Ops {
  const { store } = deps;
  return {
    async CreateBucket(input, ctx) {
      checkBucketName(input.Bucket);
      const region = bucketRegion(input.CreateBucketConfiguration?.LocationConstraint, ctx.region);
      const existing = store.bucket(input.Bucket);
      if (existing && existing.account !== ctx.accountId) {
        throw new ServiceError('BucketAlreadyExists', 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', {
          statusCode: 409,
          fields: { BucketName: input.Bucket },
        });
      }
      if (existing) {
        // AWS keeps this legacy answer in North Virginia: re-creating your own bucket there succeeds.
        if (existing.region === US_EAST_1 && region === US_EAST_1) return { Location: `/${input.Bucket}`, BucketArn: `arn:aws:s3:::${input.Bucket}` };
        throw new ServiceError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', {
          statusCode: 409,
          fields: { BucketName: input.Bucket },
        });
      }
      store.createBucket({ name: input.Bucket, account: ctx.accountId, region, created: deps.clock.now(), config: {} });
      return { Location: region === US_EAST_1 ? `/${input.Bucket}` : `http://${input.Bucket}.s3.amazonaws.com/`, BucketArn: `arn:aws:s3:::${input.Bucket}` };
    },

    async HeadBucket(input) {
      const b = requireBucket(store, input.Bucket);
      return { BucketRegion: b.region, AccessPointAlias: false, BucketArn: `arn:aws:s3:::${b.name}` };
    },

    async GetBucketLocation(input) {
      const b = requireBucket(store, input.Bucket);
      return b.region === US_EAST_1 ? {} : { LocationConstraint: b.region as never };
    },

    async ListBuckets(input, ctx) {
      const max = input.MaxBuckets ?? 10000;
      if (max < 1 || max > 10000) throw invalidArgument('Argument max-buckets must be an integer between 1 and 10000', 'max-buckets', String(max));
      const after = input.ContinuationToken ? decodeToken(input.ContinuationToken) : '';
      const all = store
        .buckets(ctx.accountId)
        .filter((b) => b.name > after && (!input.Prefix || b.name.startsWith(input.Prefix)) && (!input.BucketRegion || b.region === input.BucketRegion));
      const page = all.slice(0, max);
      return {
        Buckets: page.map((b) => ({ Name: b.name, CreationDate: new Date(b.created), BucketRegion: b.region, BucketArn: `arn:aws:s3:::${b.name}` })),
        Owner: ownerOf(ctx),
        ContinuationToken: all.length > max ? Buffer.from(page[page.length - 1].name).toString('base64url') : undefined,
        Prefix: input.Prefix,
      };
    },

    async DeleteBucket(input) {
      requireBucket(store, input.Bucket);
      if (!store.isEmpty(input.Bucket)) {
        throw new ServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty', { statusCode: 409, fields: { BucketName: input.Bucket } });
      }
      // Unfinished multipart uploads go with the bucket.
      const parts = await store.batched(() => {
        const left = deps.uploads.inBucket(input.Bucket).flatMap((u) => deps.uploads.delete(u.uploadId));
        store.deleteBucket(input.Bucket);
        return left;
      });
      dropBlobs(deps, parts);
      return {};
    },
  };
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (Buffer.from(text).toString('base64url') !== token) throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  return text;
}
