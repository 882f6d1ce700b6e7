import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { zipSync, type Zippable } from 'fflate';
import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { BuildArtifacts, ProjectArtifacts } from '../../aws/models/generated/codebuild.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import { errorMessage, isServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { ArtifactSpec } from './buildspec.js';
import { matchDirectories, selectFiles } from './file-globs.js';

/** An artifact that cannot be uploaded: UPLOAD_ARTIFACTS fails with CLIENT_ERROR and this message. */
export class ArtifactError extends Error {}

export interface CollectedFile {
  name: string;
  abs: string;
  symlink: boolean;
}

/** The files a buildspec artifact section names, relative to the source directory. */
export function collectArtifactFiles(srcDir: string, spec: ArtifactSpec, log: (line: string) => void, workspace = srcDir): CollectedFile[] {
  const bases = spec.baseDirectory ? matchDirectories(srcDir, spec.baseDirectory) : [srcDir];
  log(`Expanding base directory path: ${spec.baseDirectory ?? '.'}`);
  if (bases.length === 0) throw new ArtifactError(`no matching base directory path found for ${spec.baseDirectory}`);
  const files = new Map<string, CollectedFile>();
  const unmatched = new Set(spec.files);
  for (const base of bases) {
    log('Assembling file list');
    const sel = selectFiles(base, spec.files, spec.excludePaths, spec.discardPaths, workspace, spec.enableSymlinks);
    for (const p of spec.files) if (!sel.unmatched.includes(p)) unmatched.delete(p);
    for (const f of sel.files) files.set(f.name, { name: f.name, abs: f.abs, symlink: f.symlink });
  }
  for (const p of spec.files) log(`Expanding ${p}`);
  if (unmatched.size > 0) throw new ArtifactError(`no matching artifact paths found for pattern ${[...unmatched].join(', ')}`);
  log(`Found ${files.size} file(s)`);
  return [...files.values()];
}

/** The S3 key AWS writes an artifact to: [s3-prefix/]path/[build-id/]name. */
export function artifactKey(config: ProjectArtifacts, name: string, buildUuid: string, s3Prefix?: string): string {
  const parts = [s3Prefix, config.path, config.namespaceType === 'BUILD_ID' ? buildUuid : undefined, name];
  return parts
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/');
}

export function zipFiles(files: CollectedFile[], enableSymlinks: boolean): Uint8Array {
  const tree: Zippable = {};
  for (const f of files) {
    // enable-symlinks keeps a link as a link (a Unix symlink entry), as AWS does for ZIP.
    if (f.symlink && enableSymlinks) tree[f.name] = [Buffer.from(readlinkSync(f.abs)), { level: 0, os: 3, attrs: 0o120777 * 0x10000 }];
    else tree[f.name] = [readFileSync(f.abs), { level: 6 }];
  }
  return zipSync(tree);
}

export interface UploadContext {
  aws: AwsClient;
  scope: Scope;
}

async function put(ctx: UploadContext, bucket: string, key: string, body: Uint8Array): Promise<void> {
  try {
    await ctx.aws.service<S3Operations>('s3', ctx.scope).PutObject({ Bucket: bucket, Key: key, Body: body });
  } catch (e) {
    if (isServiceError(e) && e.code === 'NoSuchBucket') throw new ArtifactError(`NoSuchBucket: The specified bucket does not exist: ${bucket}`);
    throw new ArtifactError(`failed to upload artifact to s3://${bucket}/${key}: ${errorMessage(e)}`);
  }
}

/** Uploads one artifact (zipped, or file by file with packaging NONE); returns where it went. */
export async function uploadArtifact(ctx: UploadContext, config: ProjectArtifacts, key: string, files: CollectedFile[], enableSymlinks: boolean): Promise<BuildArtifacts> {
  const bucket = (config.location ?? '').replace(/^arn:aws:s3:::/, '');
  const out: BuildArtifacts = { location: `arn:aws:s3:::${bucket}/${key}`, artifactIdentifier: config.artifactIdentifier, encryptionDisabled: config.encryptionDisabled ?? false, overrideArtifactName: config.overrideArtifactName ?? false };
  if (config.packaging === 'ZIP') {
    const zip = zipFiles(files, enableSymlinks);
    await put(ctx, bucket, key, zip);
    out.sha256sum = createHash('sha256').update(zip).digest('hex');
    out.md5sum = createHash('md5').update(zip).digest('hex');
    return out;
  }
  for (const f of files) await put(ctx, bucket, `${key}/${f.name}`, readFileSync(f.abs));
  return out;
}
