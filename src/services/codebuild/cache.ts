import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { ProjectCache } from '../../aws/models/generated/codebuild.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import { errorMessage } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { zipFiles } from './artifacts.js';
import type { CacheSpec } from './buildspec.js';
import { selectFiles } from './file-globs.js';
import { extractZip, readBody } from './sources.js';

export interface CacheContext {
  aws: AwsClient;
  scope: Scope;
  project: string;
  /** Host directory for LOCAL caches. */
  localRoot: string;
  log(line: string): void;
}

/** Cache entries are named by the hex of their key, so a fallback key's prefix is a name prefix. */
const entryName = (key: string) => Buffer.from(key, 'utf8').toString('hex');
const DEFAULT_KEY = 'codebuild-default';

function split(location: string): { bucket: string; prefix: string } {
  const [bucket, ...rest] = location.replace(/^arn:aws:s3:::/, '').split('/');
  return { bucket, prefix: rest.filter(Boolean).join('/') };
}

function localDir(ctx: CacheContext): string {
  const id = createHash('sha256').update(`${ctx.scope.accountId}/${ctx.scope.region}/${ctx.project}`).digest('hex').slice(0, 32);
  return join(ctx.localRoot, id);
}

/** Reads the entry with exactly `key`, or the newest one starting with a fallback key. */
async function find(cache: ProjectCache, ctx: CacheContext, key: string, fallbacks: string[]): Promise<{ key: string; bytes: Buffer } | undefined> {
  const names = await listEntries(cache, ctx);
  const exact = names.find((n) => n === entryName(key));
  const pick = exact ?? fallbacks.map((f) => names.filter((n) => n.startsWith(entryName(f))).sort().pop()).find((n) => n !== undefined);
  if (!pick) return undefined;
  const hit = Buffer.from(pick, 'hex').toString('utf8');
  if (cache.type === 'LOCAL') return { key: hit, bytes: readFileSync(join(localDir(ctx), pick)) };
  const { bucket, prefix } = split(cache.location ?? '');
  const out = await ctx.aws.service<S3Operations>('s3', ctx.scope).GetObject({ Bucket: bucket, Key: [prefix, pick].filter(Boolean).join('/') });
  return { key: hit, bytes: await readBody(out.Body) };
}

async function listEntries(cache: ProjectCache, ctx: CacheContext): Promise<string[]> {
  if (cache.type === 'LOCAL') {
    try {
      return readdirSync(localDir(ctx)).filter((n) => /^[0-9a-f]+$/.test(n));
    } catch {
      return [];
    }
  }
  const { bucket, prefix } = split(cache.location ?? '');
  const out = await ctx.aws.service<S3Operations>('s3', ctx.scope).ListObjectsV2({ Bucket: bucket, Prefix: prefix ? `${prefix}/` : undefined });
  return (out.Contents ?? []).map((o) => (o.Key ?? '').slice(prefix ? prefix.length + 1 : 0)).filter((n) => /^[0-9a-f]+$/.test(n));
}

export function cacheEnabled(cache: ProjectCache | undefined, spec: CacheSpec | undefined): cache is ProjectCache {
  return !!spec && !!cache && (cache.type === 'S3' || (cache.type === 'LOCAL' && !!cache.modes?.includes('LOCAL_CUSTOM_CACHE')));
}

/** Restores the cached paths into the source directory; returns the key restored, if any. */
export async function restoreCache(cache: ProjectCache, spec: CacheSpec, key: string | undefined, srcDir: string, ctx: CacheContext): Promise<string | undefined> {
  if (spec.action === 'save') return undefined;
  try {
    const hit = await find(cache, ctx, key ?? DEFAULT_KEY, key ? spec.fallbackKeys : []);
    if (!hit) {
      ctx.log(`Cache miss for key ${key ?? '(default)'}`);
      return undefined;
    }
    const n = extractZip(hit.bytes, srcDir);
    ctx.log(`Restored ${n} cached file(s) from ${cache.type === 'S3' ? 'S3' : 'local'} cache key ${hit.key === DEFAULT_KEY ? '(default)' : hit.key}`);
    return hit.key;
  } catch (e) {
    // A cache that cannot be read costs time, never the build.
    ctx.log(`Unable to restore cache: ${errorMessage(e)}`);
    return undefined;
  }
}

/** Saves the cached paths under `key` (the project's default entry without one). */
export async function saveCache(cache: ProjectCache, spec: CacheSpec, key: string | undefined, srcDir: string, ctx: CacheContext): Promise<void> {
  if (spec.action === 'restore') return;
  try {
    const relative = spec.paths.filter((p) => !p.startsWith('/'));
    for (const p of spec.paths.filter((x) => x.startsWith('/'))) ctx.log(`Skipping cache path ${p}: only paths inside the source directory are cached by the local backends`);
    const { files } = selectFiles(srcDir, relative, [], false, srcDir);
    const zip = zipFiles(files.map((f) => ({ name: f.name, abs: f.abs, symlink: false })), false);
    const name = entryName(key ?? DEFAULT_KEY);
    if (cache.type === 'LOCAL') {
      mkdirSync(localDir(ctx), { recursive: true });
      const tmp = join(localDir(ctx), `.${name}.tmp`);
      writeFileSync(tmp, zip);
      renameSync(tmp, join(localDir(ctx), name));
    } else {
      const { bucket, prefix } = split(cache.location ?? '');
      await ctx.aws.service<S3Operations>('s3', ctx.scope).PutObject({ Bucket: bucket, Key: [prefix, name].filter(Boolean).join('/'), Body: zip });
    }
    ctx.log(`Saved ${files.length} file(s) to ${cache.type === 'S3' ? 'S3' : 'local'} cache key ${key ?? '(default)'}`);
  } catch (e) {
    ctx.log(`Unable to save cache: ${errorMessage(e)}`);
  }
}

/** InvalidateProjectCache: every saved entry of the project's cache is removed. */
export async function invalidateCache(cache: ProjectCache, ctx: Omit<CacheContext, 'log'>): Promise<void> {
  if (cache.type === 'LOCAL') {
    rmSync(localDir({ ...ctx, log: () => undefined }), { recursive: true, force: true });
    return;
  }
  if (cache.type !== 'S3') return;
  const { bucket, prefix } = split(cache.location ?? '');
  const s3 = ctx.aws.service<S3Operations>('s3', ctx.scope);
  for (const name of await listEntries(cache, { ...ctx, log: () => undefined })) await s3.DeleteObject({ Bucket: bucket, Key: [prefix, name].filter(Boolean).join('/') });
}
