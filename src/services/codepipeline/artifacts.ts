import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import type { StreamingBody } from '../../aws/models/runtime-types.js';
import type { Scope } from '../../core/scope.js';
import type { ArtifactRef } from './store.js';

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** AWS's artifact object key: `<pipeline name, 20 chars>/<artifact name, 10 chars>/<7 random chars>`. */
export function artifactKey(pipeline: string, artifact: string): string {
  const bytes = randomBytes(7);
  let id = '';
  for (const b of bytes) id += ALPHANUM[b % ALPHANUM.length];
  return `${pipeline.slice(0, 20)}/${artifact.slice(0, 10)}/${id}`;
}

export interface ZipEntry {
  path: string;
  data: Uint8Array;
  /** Unix mode bits (e.g. 0o755 for executables). */
  mode?: number;
}

/** A zip of the entries, keeping executable bits (git's 100755 files stay executable after extraction). */
export function zipEntries(entries: ZipEntry[]): Uint8Array {
  const tree: Zippable = {};
  for (const e of entries) {
    const mode = e.mode ?? 0o644;
    tree[e.path] = [e.data, { attrs: ((0o100000 | mode) << 16) >>> 0, os: 3 }];
  }
  return zipSync(tree, { level: 6 });
}

/** The files of a zip; entries that would leave the extraction root are refused by the caller. */
export function unzipEntries(zip: Uint8Array): ZipEntry[] {
  const files = unzipSync(zip);
  return Object.entries(files)
    .filter(([path]) => !path.endsWith('/'))
    .map(([path, data]) => ({ path, data }));
}

export async function readBody(body: StreamingBody | undefined): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  if (!(body instanceof Readable)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Writes an artifact zip to its place in the artifact store. */
export async function putArtifact(aws: AwsClient, scope: Scope, ref: ArtifactRef, zip: Uint8Array): Promise<void> {
  await aws.service<S3Operations>('s3', scope).PutObject({ Bucket: ref.bucket, Key: ref.key, Body: zip, ContentType: 'application/zip' });
}

export async function getArtifact(aws: AwsClient, scope: Scope, ref: ArtifactRef): Promise<Buffer> {
  const out = await aws.service<S3Operations>('s3', scope).GetObject({ Bucket: ref.bucket, Key: ref.key });
  return readBody(out.Body);
}

/** A path inside an artifact that stays inside it (no absolute paths, `..`, or NUL). */
export function safeEntryPath(path: string): string | undefined {
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p && p !== '.');
  if (!parts.length || parts.some((p) => p === '..' || p.includes('\0'))) return undefined;
  return parts.join('/');
}
