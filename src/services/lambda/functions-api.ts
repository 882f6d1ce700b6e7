import { Readable } from 'node:stream';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { FunctionCode, LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import { isServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { inspectPackage, type PackageInfo } from './code.js';
import { checkConfig, checkRevision, lastModified, newConfig } from './config.js';
import { LATEST, conflict, functionArn, functionNotFound, invalidParameter, isVersion, parseFunctionName } from './names.js';
import { page, requireFunction, resolveQualified, type LambdaContext } from './resolve.js';
import type { FunctionRecord } from './store.js';
import { publish } from './versions-api.js';
import { randomUUID } from 'node:crypto';

type Provider = Partial<LambdaOperations<RequestContext>>;

/** Functions: create, read, list, update code and configuration, delete. */
export function functionsApi(c: LambdaContext): Provider {
  const { store, deps } = c;
  return {
    async CreateFunction(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      if (input.PackageType === 'Image') throw invalidParameter('Container image functions are not supported by Slipway: use a .zip deployment package.');
      if (store.functions.has(ctx, name)) throw conflict(`Function already exist: ${name}`);
      const { bytes, pkg } = await loadCode(c, ctx, input.Code);
      const config = newConfig(ctx, { ...input, FunctionName: name }, pkg, deps.clock.now());
      checkConfig(config);
      const { id: codeBlob } = await deps.blobs.write(bytes);
      const fn: FunctionRecord = { latest: { config, codeBlob }, lastVersion: 0, tags: input.Tags ?? {} };
      store.functions.put(ctx, name, fn);
      if (input.Publish) return publish(c, ctx, name, {});
      return config;
    },

    async GetFunction(input, ctx) {
      const ref = parseFunctionName(input.FunctionName, input.Qualifier);
      const fn = requireFunction(store, ctx, ref.name);
      const { version, alias } = resolveQualified(store, ctx, ref);
      return {
        Configuration: alias ? { ...version.config, FunctionArn: functionArn(ctx, ref.name, alias.name) } : version.config,
        Code: { RepositoryType: 'S3', Location: `${deps.endpoint()}/_slipway/lambda/code/${version.codeBlob}` },
        Tags: fn.tags,
        ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
      };
    },

    async GetFunctionConfiguration(input, ctx) {
      const ref = parseFunctionName(input.FunctionName, input.Qualifier);
      const { version, alias } = resolveQualified(store, ctx, ref);
      return alias ? { ...version.config, FunctionArn: functionArn(ctx, ref.name, alias.name) } : version.config;
    },

    async ListFunctions(input, ctx) {
      const all = store.functions.list(ctx).flatMap((f) => {
        const name = f.latest.config.FunctionName!;
        return input.FunctionVersion === 'ALL' ? [f.latest.config, ...store.versionsOf(ctx, name).map((v) => v.config)] : [f.latest.config];
      });
      const { items, next } = page(all, input.Marker, input.MaxItems);
      return { Functions: items, NextMarker: next };
    },

    async DeleteFunction(input, ctx) {
      const ref = parseFunctionName(input.FunctionName, input.Qualifier);
      const fn = requireFunction(store, ctx, ref.name);
      if (ref.qualifier === LATEST) throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
      if (ref.qualifier !== undefined) return deleteVersion(c, ctx, ref.name, ref.qualifier);
      const blobs = new Set([fn.latest.codeBlob, ...store.versionsOf(ctx, ref.name).map((v) => v.codeBlob)]);
      for (const v of store.versionsOf(ctx, ref.name)) store.versions.delete(ctx, `${ref.name}/${v.config.Version}`);
      for (const a of store.aliasesOf(ctx, ref.name)) store.aliases.delete(ctx, `${ref.name}/${a.name}`);
      store.functions.delete(ctx, ref.name);
      c.engine.retire(ctx, ref.name);
      for (const b of blobs) if (!store.blobInUse(b)) await dropBlob(c, b);
      return {};
    },

    async UpdateFunctionCode(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      const fn = requireFunction(store, ctx, name);
      checkRevision(fn.latest.config.RevisionId, input.RevisionId, 'GetFunction');
      if (input.ImageUri) throw invalidParameter('Container image functions are not supported by Slipway: use a .zip deployment package.');
      const { bytes, pkg } = await loadCode(c, ctx, input);
      if (input.DryRun) return { ...fn.latest.config, CodeSha256: pkg.sha256, CodeSize: pkg.size };
      const { id: codeBlob } = await deps.blobs.write(bytes);
      const previous = fn.latest.codeBlob;
      fn.latest = { codeBlob, config: { ...fn.latest.config, CodeSha256: pkg.sha256, CodeSize: pkg.size, ...(input.Architectures ? { Architectures: input.Architectures } : {}), ...touched(deps.clock.now()) } };
      store.functions.put(ctx, name, fn);
      c.engine.retire(ctx, name, LATEST);
      if (!store.blobInUse(previous)) await dropBlob(c, previous);
      if (input.Publish) return publish(c, ctx, name, {});
      return fn.latest.config;
    },

    async UpdateFunctionConfiguration(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      const fn = requireFunction(store, ctx, name);
      checkRevision(fn.latest.config.RevisionId, input.RevisionId, 'GetFunction');
      const cur = fn.latest.config;
      const config = {
        ...cur,
        ...defined({ Role: input.Role, Handler: input.Handler, Description: input.Description, Timeout: input.Timeout, MemorySize: input.MemorySize, Runtime: input.Runtime }),
        ...(input.Environment ? { Environment: { Variables: input.Environment.Variables ?? {} } } : {}),
        ...(input.TracingConfig?.Mode ? { TracingConfig: { Mode: input.TracingConfig.Mode } } : {}),
        ...(input.DeadLetterConfig ? { DeadLetterConfig: input.DeadLetterConfig } : {}),
        ...(input.EphemeralStorage ? { EphemeralStorage: input.EphemeralStorage } : {}),
        ...(input.LoggingConfig ? { LoggingConfig: { ...cur.LoggingConfig, ...input.LoggingConfig } } : {}),
        ...touched(deps.clock.now()),
      };
      checkConfig(config);
      fn.latest = { ...fn.latest, config };
      store.functions.put(ctx, name, fn);
      c.engine.retire(ctx, name, LATEST);
      return config;
    },
  };
}

async function dropBlob(c: LambdaContext, blob: string): Promise<void> {
  await c.deps.blobs.delete(blob);
  c.engine.forget(blob);
}

function touched(now: number) {
  return { LastModified: lastModified(now), RevisionId: randomUUID(), LastUpdateStatus: 'Successful' as const, State: 'Active' as const };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function deleteVersion(c: LambdaContext, scope: Scope, name: string, version: string): Promise<Record<string, never>> {
  if (!isVersion(version)) throw invalidParameter(`Deletion of aliases is not supported through DeleteFunction: use DeleteAlias for ${functionArn(scope, name, version)}.`);
  const v = c.store.versions.get(scope, `${name}/${version}`);
  if (!v) throw functionNotFound(scope, name, version);
  const users = c.store.aliasesOf(scope, name).filter((a) => a.functionVersion === version || Object.keys(a.weights ?? {}).includes(version));
  if (users.length) throw conflict(`Unable to delete version because the following aliases reference it: [${users.map((a) => a.name).join(', ')}]`);
  c.store.versions.delete(scope, `${name}/${version}`);
  c.engine.retire(scope, name, version);
  if (!c.store.blobInUse(v.codeBlob)) await dropBlob(c, v.codeBlob);
  return {};
}

/** The package's bytes from the request or from Slipway's S3, checked. */
async function loadCode(c: LambdaContext, scope: Scope, code: FunctionCode | undefined): Promise<{ bytes: Buffer; pkg: PackageInfo }> {
  let bytes: Buffer;
  if (code?.ZipFile) bytes = Buffer.from(code.ZipFile);
  else if (code?.S3Bucket && code.S3Key) bytes = await fromS3(c, scope, code.S3Bucket, code.S3Key, code.S3ObjectVersion);
  else if (code?.ImageUri) throw invalidParameter('Container image functions are not supported by Slipway: use a .zip deployment package.');
  else throw invalidParameter('Please provide a source for function code.');
  return { bytes, pkg: await inspectPackage(bytes) };
}

async function fromS3(c: LambdaContext, scope: Scope, bucket: string, key: string, version?: string): Promise<Buffer> {
  try {
    const out = await c.deps.aws.service<S3Operations>('s3', scope).GetObject({ Bucket: bucket, Key: key, VersionId: version });
    const body = out.Body;
    if (body instanceof Readable) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    }
    return Buffer.from(body instanceof Uint8Array ? body : new Uint8Array());
  } catch (e) {
    if (!isServiceError(e)) throw e;
    throw invalidParameter(`Error occurred while GetObject. S3 Error Code: ${e.code}. S3 Error Message: ${e.message}`);
  }
}
