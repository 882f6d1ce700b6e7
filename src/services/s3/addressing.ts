import type { WireRequest } from '../../aws/protocol/wire.js';
import { bucketNameProblem } from './names.js';

/**
 * Virtual-hosted-style addressing: `bucket.s3.localhost:4566`, `bucket.localhost:4566`,
 * `bucket.s3.us-east-1.amazonaws.com`, `bucket.s3-us-west-2.amazonaws.com` and the like
 * name the bucket in the Host; the request is rewritten to path style (`/bucket/key`)
 * before the gateway detects the operation.
 */
const HOST_PATTERNS: RegExp[] = [
  /^(.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/,
  /^(.+)\.s3\.localhost(?:\.[a-z0-9.-]+)?$/,
  /^(.+)\.localhost$/,
];

/** The bucket a Host names, if it is a virtual-hosted S3 address. */
export function bucketFromHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const name = host.toLowerCase().replace(/:\d+$/, '');
  for (const re of HOST_PATTERNS) {
    const m = re.exec(name);
    if (!m) continue;
    const bucket = m[1];
    // `s3.localhost` itself, or a service endpoint like `sqs.localhost`, names no bucket.
    if (bucket === 's3' || bucketNameProblem(bucket) !== undefined) return undefined;
    return bucket;
  }
  return undefined;
}

/** The signing service a request names, from its Authorization header or presigned credential. */
function signingService(req: WireRequest): string | undefined {
  const credential = /Credential=([^,\s]+)/.exec(req.headers['authorization'] ?? '')?.[1] ?? req.query.get('X-Amz-Credential') ?? undefined;
  return credential?.split('/')[3];
}

export function virtualHostRewrite(req: WireRequest): void {
  const bucket = bucketFromHost(req.headers['host']);
  if (!bucket) return;
  const service = signingService(req);
  if (service !== undefined && service !== 's3') return;
  req.path = `/${encodeURIComponent(bucket)}${req.path === '/' ? '' : req.path}`;
}
