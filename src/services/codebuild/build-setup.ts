import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectSource } from '../../aws/models/generated/codebuild.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import type { StsOperations } from '../../aws/models/generated/sts.js';
import { errorMessage } from '../../core/errors.js';
import type { BuildRun } from './build-context.js';
import { resolveVariables } from './build-env.js';
import { BuildspecError, parseBuildspec, PHASE_KEYS } from './buildspec.js';
import { cacheEnabled, restoreCache } from './cache.js';
import { ShellSession } from './shell.js';
import { codeCommitSubdir, fetchSource, readBody, SourceError } from './sources.js';
import type { BuildRecord } from './store.js';

/** `codebuild-hash-files <glob...>`: the image's helper for cache keys, a SHA-256 over the files' contents. */
const HASH_FILES = `#!/bin/sh
# Usage: codebuild-hash-files <file or glob>... (relative to the current directory)
set -f
for p in "$@"; do set +f; for f in $p; do [ -f "$f" ] && printf '%s\\n' "$f"; done; set -f; done | sort -u | while read -r f; do sha256sum "$f"; done | sha256sum | cut -c1-64
`;

/** Credentials for `aws` commands in the build: the service role's session, else the caller's. */
export async function buildCredentials(run: BuildRun, b: BuildRecord): Promise<Record<string, string>> {
  const sts = run.d.aws.service<StsOperations>('sts', run.scope);
  try {
    const r = await sts.AssumeRole({ RoleArn: b.serviceRole, RoleSessionName: `AWSCodeBuild-${b.uuid}`.slice(0, 64) });
    return { AWS_ACCESS_KEY_ID: r.Credentials!.AccessKeyId, AWS_SECRET_ACCESS_KEY: r.Credentials!.SecretAccessKey, AWS_SESSION_TOKEN: r.Credentials!.SessionToken };
  } catch (e) {
    run.log.agent(`Service role ${b.serviceRole} could not be assumed (${errorMessage(e)}); using a session of the caller that started the build`);
    const r = await run.d.aws.service<StsOperations>('sts', run.scope, b.principal).GetSessionToken({ DurationSeconds: 43200 });
    return { AWS_ACCESS_KEY_ID: r.Credentials!.AccessKeyId, AWS_SECRET_ACCESS_KEY: r.Credentials!.SecretAccessKey, AWS_SESSION_TOKEN: r.Credentials!.SessionToken };
  }
}

/** Where the buildspec is: inline text, an S3 ARN, or a path in the source (default buildspec.yml). */
async function loadBuildspec(run: BuildRun, source: ProjectSource): Promise<string> {
  const ref = source.buildspec?.trim();
  if (ref && (ref.includes('\n') || /^version\s*:/.test(ref))) {
    run.log.agent('YAML location is inline buildspec');
    return ref;
  }
  if (ref?.startsWith('arn:aws:s3:::')) {
    const [bucket, ...key] = ref.slice('arn:aws:s3:::'.length).split('/');
    run.log.agent(`YAML location is ${ref}`);
    try {
      const out = await run.d.aws.service<S3Operations>('s3', run.scope).GetObject({ Bucket: bucket, Key: key.join('/') });
      return (await readBody(out.Body)).toString('utf8');
    } catch (e) {
      throw new BuildspecError(`unable to read buildspec ${ref}: ${errorMessage(e)}`);
    }
  }
  const rel = ref || 'buildspec.yml';
  const path = `${run.srcDir}/${rel}`;
  run.log.agent(`YAML location is ${path}`);
  const host = join(run.srcHost, rel);
  if (rel.split('/').includes('..') || !existsSync(host)) throw new BuildspecError(`stat ${path}: no such file or directory`);
  return readFileSync(host, 'utf8');
}

/**
 * Creates the source directory and starts the build's shell driver in the sandbox, so the
 * sandbox is up by the time the source is in place.
 */
export function prepareShell(run: BuildRun): void {
  const b = run.tracker.build;
  const inside = primaryDir(run, b);
  run.srcHost = run.ws.host(inside);
  run.srcDir = run.ws.visible(inside);
  mkdirSync(run.srcHost, { recursive: true });
  run.shell = new ShellSession({ sandbox: run.backend.sandbox, workspace: run.ws, cwd: run.srcDir, hide: run.d.hide, signal: run.signal, onOutput: (t) => run.log.output(t) });
  const env = { PATH: run.backend.path, LANG: 'C.UTF-8', HOME: buildHome(run) };
  // A driver that fails to start fails the first command that needs it.
  run.shell.start(env).catch(() => undefined);
}

/** AWS's /root in a container; in the read-only local sandbox, a writable directory of the build's own. */
function buildHome(run: BuildRun): string {
  return run.backend.home ?? run.ws.visible(run.ws.home);
}

function primaryDir(run: BuildRun, b: BuildRecord): string {
  const base = `${run.ws.output}/src`;
  return b.source.type === 'CODECOMMIT' ? `${base}/${codeCommitSubdir(b.source.location ?? '', run.scope.region)}` : base;
}

/** DOWNLOAD_SOURCE: sources, buildspec, variables and cache. Throws SourceError, BuildspecError or VariableError. */
export async function downloadSource(run: BuildRun): Promise<void> {
  const b = run.tracker.build;
  const ctx = { aws: run.d.aws, scope: run.scope, endpoint: run.d.endpoint(), signal: run.signal };
  const primary = await fetchSource(b.source, b.sourceVersion, run.srcHost, ctx);
  if (primary.resolvedVersion) run.tracker.update((r) => (r.resolvedSourceVersion = primary.resolvedVersion));
  run.log.agent(`CODEBUILD_SRC_DIR=${run.srcDir}`);
  let n = 2;
  for (const s of b.secondarySources) {
    const dir = `${run.ws.output}/src${n++}`;
    const version = b.secondarySourceVersions.find((v) => v.sourceIdentifier === s.sourceIdentifier)?.sourceVersion;
    await fetchSource(s, version, run.ws.host(dir), ctx).catch((e: unknown) => {
      throw e instanceof SourceError ? new SourceError(e.message.replace('primary source', `secondary source ${s.sourceIdentifier}`)) : e;
    });
    run.secondary[s.sourceIdentifier!] = [run.ws.visible(dir), run.ws.host(dir)];
  }
  run.spec = parseBuildspec(await loadBuildspec(run, b.source));
  run.log.agent('Processing environment variables');
  const vars = await resolveVariables({ aws: run.d.aws, scope: run.scope }, run.spec, b.environment.environmentVariables ?? [], b.envOverride);
  run.log.addSecrets(vars.secrets);
  run.env = { ...vars.values, ...(await baseEnvironment(run, run.tracker.build)) };
  writeFileSync(run.ws.host(`${run.ws.bin}/codebuild-hash-files`), HASH_FILES);
  chmodSync(run.ws.host(`${run.ws.bin}/codebuild-hash-files`), 0o755);
  run.shell!.configure(run.spec.env.shell ?? 'bash', run.spec.version === '0.2');
  run.shell!.setBaseEnv(run.env);
  logPhasesFound(run);
  await restoreBuildCache(run);
}

function logPhasesFound(run: BuildRun): void {
  const found = PHASE_KEYS.filter((k) => run.spec!.phases[k]);
  run.log.agent(`Moving to directory ${run.srcDir}`);
  run.log.agent(`Phases found in YAML: ${found.length}`);
  for (const k of found) run.log.agent(` ${k.toUpperCase()}: ${run.spec!.phases[k]!.commands.length} commands`);
}

async function restoreBuildCache(run: BuildRun): Promise<void> {
  const b = run.tracker.build;
  if (!cacheEnabled(b.cache, run.spec!.cache)) return;
  const spec = run.spec!.cache!;
  run.cacheKey = spec.key ? await run.shell!.evaluate(spec.key) : undefined;
  await restoreCache(b.cache, spec, run.cacheKey, run.srcHost, cacheContext(run));
}

export function cacheContext(run: BuildRun) {
  return { aws: run.d.aws, scope: run.scope, project: run.tracker.build.projectName, localRoot: run.d.cacheRoot, log: (l: string) => run.log.agent(l) };
}

/** The variables every build has, with AWS's names and values; they win over the user's. */
async function baseEnvironment(run: BuildRun, b: BuildRecord): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    PATH: `${run.ws.visible(run.ws.bin)}:${run.backend.path}`,
    LANG: 'C.UTF-8',
    HOME: buildHome(run),
    AWS_DEFAULT_REGION: run.scope.region,
    AWS_REGION: run.scope.region,
    AWS_ENDPOINT_URL: run.d.endpoint(),
    ...(await buildCredentials(run, b)),
    CODEBUILD_CI: 'true',
    CODEBUILD_BUILD_ARN: b.arn,
    CODEBUILD_BUILD_ID: b.id,
    CODEBUILD_BUILD_IMAGE: b.environment.image,
    CODEBUILD_BUILD_NUMBER: String(b.buildNumber),
    CODEBUILD_BUILD_SUCCEEDING: '1',
    CODEBUILD_INITIATOR: b.initiator,
    CODEBUILD_KMS_KEY_ID: b.encryptionKey ?? `arn:aws:kms:${run.scope.region}:${run.scope.accountId}:alias/aws/s3`,
    CODEBUILD_LOG_PATH: b.uuid,
    CODEBUILD_PROJECT_ARN: `arn:aws:codebuild:${run.scope.region}:${run.scope.accountId}:project/${b.projectName}`,
    CODEBUILD_BUILD_URL: `${run.d.endpoint()}/codebuild/${run.scope.region}/builds/${encodeURIComponent(b.id)}`,
    CODEBUILD_SOURCE_REPO_URL: b.source.location ?? '',
    CODEBUILD_SOURCE_VERSION: b.sourceVersion ?? '',
    CODEBUILD_SRC_DIR: run.srcDir,
    CODEBUILD_START_TIME: String(b.startTime),
  };
  if (b.resolvedSourceVersion) env.CODEBUILD_RESOLVED_SOURCE_VERSION = b.resolvedSourceVersion;
  for (const s of b.secondarySources) {
    const id = s.sourceIdentifier!;
    env[`CODEBUILD_SRC_DIR_${id}`] = run.secondary[id][0];
    env[`CODEBUILD_SOURCE_REPO_URL_${id}`] = s.location ?? '';
    const v = b.secondarySourceVersions.find((x) => x.sourceIdentifier === id)?.sourceVersion;
    if (v) env[`CODEBUILD_SOURCE_VERSION_${id}`] = v;
  }
  return env;
}
