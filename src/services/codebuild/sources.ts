import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, posix } from 'node:path';
import { Readable } from 'node:stream';
import { unzipSync } from 'fflate';
import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { ProjectSource } from '../../aws/models/generated/codebuild.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import type { StreamingBody } from '../../aws/models/runtime-types.js';
import { errorMessage, isServiceError } from '../../core/errors.js';
import { isInside } from './file-globs.js';
import type { Scope } from '../../core/scope.js';

/** A source that could not be fetched: DOWNLOAD_SOURCE fails with CLIENT_ERROR and this message. */
export class SourceError extends Error {}

export interface FetchedSource {
  /** Where it landed, under the workspace (host path). */
  dir: string;
  /** The commit checked out (CODECOMMIT); S3 sources have none, as on AWS. */
  resolvedVersion?: string;
}

export interface SourceContext {
  aws: AwsClient;
  scope: Scope;
  /** Slipway's own base URL, where CodeCommit repositories are served. */
  endpoint: string;
  signal: AbortSignal;
}

/** `https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>` or Slipway's `http://host:port/v1/repos/[<region>/<account>/]<name>`. */
export function parseCodeCommitLocation(location: string): { name: string; region?: string; accountId?: string } | undefined {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return undefined;
  }
  const m = /^\/v1\/repos\/(?:([a-z]{2}(?:-[a-z]+)+-\d+)\/(\d{12})\/)?([\w.-]+?)(?:\.git)?\/?$/.exec(url.pathname);
  if (!m) return undefined;
  const hostRegion = /^git-codecommit\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
  return { name: m[3], region: m[1] ?? hostRegion, accountId: m[2] };
}

/** The directory AWS checks a CodeCommit repository out to, relative to the source root. */
export function codeCommitSubdir(location: string, region: string): string {
  const parsed = parseCodeCommitLocation(location);
  return `git-codecommit.${parsed?.region ?? region}.amazonaws.com/v1/repos/${parsed?.name ?? 'repository'}`;
}

function run(cmd: string, args: string[], cwd: string, signal: AbortSignal): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_TERMINAL_PROMPT: '0', HOME: cwd }, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', () => resolve({ code: 1, out }));
    child.once('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Clones a CodeCommit repository from Slipway's git endpoint at a branch, tag or commit. */
async function fetchCodeCommit(source: ProjectSource, version: string | undefined, dir: string, ctx: SourceContext): Promise<string> {
  const parsed = parseCodeCommitLocation(source.location ?? '');
  if (!parsed) throw new SourceError(`invalid source location ${source.location} for source type CODECOMMIT`);
  const url = `${ctx.endpoint}/v1/repos/${parsed.region ?? ctx.scope.region}/${parsed.accountId ?? ctx.scope.accountId}/${parsed.name}`;
  const commit = version && /^[0-9a-f]{40}$/.test(version) ? version : undefined;
  const ref = commit ? undefined : version?.replace(/^refs\/(heads|tags)\//, '');
  const depth = source.gitCloneDepth && !commit ? ['--depth', String(source.gitCloneDepth)] : [];
  mkdirSync(dirname(dir), { recursive: true });
  const clone = await run('git', ['clone', '--quiet', ...depth, ...(ref ? ['--branch', ref] : []), url, dir], dirname(dir), ctx.signal);
  if (clone.code !== 0) {
    const what = /not found|does not exist|404/i.test(clone.out) ? 'repository not found' : `git clone failed: ${clone.out.trim().split('\n').pop()}`;
    throw new SourceError(`${what} for primary source and source version ${version ?? 'default branch'}`);
  }
  if (commit) {
    const co = await run('git', ['checkout', '--quiet', commit], dir, ctx.signal);
    if (co.code !== 0) throw new SourceError(`reference not found for primary source and source version ${commit}`);
  }
  const head = await run('git', ['rev-parse', 'HEAD'], dir, ctx.signal);
  if (head.code !== 0) throw new SourceError(`repository ${parsed.name} is empty: no commit to build for source version ${version ?? 'default branch'}`);
  return head.out.trim();
}

export async function readBody(body: StreamingBody | undefined): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  if (!(body instanceof Readable)) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** Extracts a zip under `dir`; an entry that would land outside it is refused. */
export function extractZip(bytes: Uint8Array, dir: string): number {
  const entries = unzipSync(bytes);
  let n = 0;
  for (const [name, data] of Object.entries(entries)) {
    const rel = normalize(name.replace(/\\/g, '/'));
    if (rel.startsWith('..') || posix.isAbsolute(name) || rel.includes('\0')) throw new SourceError(`zip entry ${name} would be extracted outside the source directory`);
    const target = join(dir, rel);
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    // A directory that is a link out of `dir` (from a repository or an earlier entry) is not written through.
    if (!isInside(dirname(target), dir)) throw new SourceError(`zip entry ${name} would be extracted outside the source directory`);
    writeFileSync(target, data);
    n++;
  }
  return n;
}

/** Downloads `bucket/key` (at an object version, if given) and unpacks it into `dir`. */
export async function fetchS3(location: string, version: string | undefined, dir: string, ctx: SourceContext): Promise<void> {
  const slash = location.indexOf('/');
  const bucket = location.slice(0, slash).replace(/^arn:aws:s3:::/, '');
  const key = location.slice(slash + 1);
  let bytes: Buffer;
  try {
    const out = await ctx.aws.service<S3Operations>('s3', ctx.scope).GetObject({ Bucket: bucket, Key: key, VersionId: version });
    bytes = await readBody(out.Body);
  } catch (e) {
    const code = isServiceError(e) ? e.code : '';
    if (code === 'NoSuchKey' || code === 'NoSuchBucket' || code === 'NoSuchVersion') throw new SourceError(`NoSuchKey: The specified key does not exist. for primary source and source version ${location}`);
    throw new SourceError(`failed to download source ${location}: ${errorMessage(e)}`);
  }
  mkdirSync(dir, { recursive: true });
  const isZip = bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50;
  if (!isZip) {
    writeFileSync(join(dir, posix.basename(key)), bytes);
    return;
  }
  try {
    extractZip(bytes, dir);
  } catch (e) {
    throw e instanceof SourceError ? e : new SourceError(`zip: not a valid zip file: ${location}`);
  }
}

/** Fetches one source into `dir`; returns the resolved commit for CodeCommit. */
export async function fetchSource(source: ProjectSource, version: string | undefined, dir: string, ctx: SourceContext): Promise<FetchedSource> {
  switch (source.type) {
    case 'CODECOMMIT':
      return { dir, resolvedVersion: await fetchCodeCommit(source, version, dir, ctx) };
    case 'S3':
      await fetchS3(source.location ?? '', version, dir, ctx);
      return { dir };
    case 'NO_SOURCE':
      mkdirSync(dir, { recursive: true });
      return { dir };
    default:
      throw new SourceError(`source type ${source.type} is not supported by Slipway`);
  }
}
