import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { AliasConfiguration, FunctionConfiguration, LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { Scope } from '../../core/scope.js';
import { checkRevision, fingerprint, lastModified } from './config.js';
import { conflict, functionArn, functionNotFound, parseFunctionName, preconditionFailed } from './names.js';
import { page, requireAlias, requireFunction, requireVersion, type LambdaContext } from './resolve.js';
import { checkRouting } from './routing.js';
import type { AliasRecord } from './store.js';

type Provider = Partial<LambdaOperations<RequestContext>>;

/**
 * Publishes $LATEST as a new immutable version with its own code snapshot, unless the
 * newest version already has the same code and configuration: AWS then returns that one.
 */
export function publish(c: LambdaContext, scope: Scope, name: string, opts: { description?: string; codeSha256?: string; revisionId?: string }): FunctionConfiguration {
  const fn = requireFunction(c.store, scope, name);
  const latest = fn.latest.config;
  if (opts.codeSha256 !== undefined && opts.codeSha256 !== latest.CodeSha256) {
    throw preconditionFailed(`CodeSHA256 (${opts.codeSha256}) is different from current CodeSHA256 in $LATEST (${latest.CodeSha256}). Please try again with the current CodeSHA256.`);
  }
  checkRevision(latest.RevisionId, opts.revisionId, 'GetFunction');
  const newest = c.store.versionsOf(scope, name).at(-1);
  if (newest && fingerprint(newest.config) === fingerprint(latest)) return newest.config;
  const version = String(fn.lastVersion + 1);
  const config: FunctionConfiguration = {
    ...latest,
    FunctionArn: functionArn(scope, name, version),
    Version: version,
    Description: opts.description ?? latest.Description,
    LastModified: lastModified(c.deps.clock.now()),
    RevisionId: randomUUID(),
  };
  fn.lastVersion += 1;
  c.deps.db.transaction(() => {
    c.store.versions.put(scope, `${name}/${version}`, { config, codeBlob: fn.latest.codeBlob });
    c.store.functions.put(scope, name, fn);
  });
  return config;
}

function aliasOut(scope: Scope, a: AliasRecord): AliasConfiguration {
  return {
    AliasArn: functionArn(scope, a.functionName, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    ...(a.weights && Object.keys(a.weights).length ? { RoutingConfig: { AdditionalVersionWeights: a.weights } } : {}),
    RevisionId: a.revisionId,
  };
}

/** Checks an alias's versions exist and its routing is one AWS accepts. */
function checkAliasTarget(c: LambdaContext, scope: Scope, name: string, version: string, weights: Record<string, number> | undefined): void {
  requireVersion(c.store, scope, name, version);
  checkRouting(version, weights);
  for (const v of Object.keys(weights ?? {})) {
    if (!c.store.versions.has(scope, `${name}/${v}`)) throw functionNotFound(scope, name, v);
  }
}

/** Versions and aliases. */
export function versionsApi(c: LambdaContext): Provider {
  const { store } = c;
  return {
    async PublishVersion(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      return publish(c, ctx, name, { description: input.Description, codeSha256: input.CodeSha256, revisionId: input.RevisionId });
    },

    async ListVersionsByFunction(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      const fn = requireFunction(store, ctx, name);
      const all = [fn.latest.config, ...store.versionsOf(ctx, name).map((v) => v.config)];
      const { items, next } = page(all, input.Marker, input.MaxItems);
      return { Versions: items, NextMarker: next };
    },

    async CreateAlias(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      requireFunction(store, ctx, name);
      if (store.aliases.has(ctx, `${name}/${input.Name}`)) throw conflict(`Alias already exists: ${functionArn(ctx, name, input.Name)}`);
      const weights = input.RoutingConfig?.AdditionalVersionWeights;
      checkAliasTarget(c, ctx, name, input.FunctionVersion, weights);
      const alias: AliasRecord = { name: input.Name, functionName: name, functionVersion: input.FunctionVersion, description: input.Description ?? '', weights, revisionId: randomUUID() };
      store.aliases.put(ctx, `${name}/${input.Name}`, alias);
      return aliasOut(ctx, alias);
    },

    async GetAlias(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      return aliasOut(ctx, requireAlias(store, ctx, name, input.Name));
    },

    async UpdateAlias(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      const alias = requireAlias(store, ctx, name, input.Name);
      checkRevision(alias.revisionId, input.RevisionId, 'GetAlias');
      const version = input.FunctionVersion ?? alias.functionVersion;
      const weights = input.RoutingConfig ? input.RoutingConfig.AdditionalVersionWeights : alias.weights;
      checkAliasTarget(c, ctx, name, version, weights);
      const next: AliasRecord = { ...alias, functionVersion: version, description: input.Description ?? alias.description, weights, revisionId: randomUUID() };
      store.aliases.put(ctx, `${name}/${input.Name}`, next);
      return aliasOut(ctx, next);
    },

    async DeleteAlias(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      store.aliases.delete(ctx, `${name}/${input.Name}`);
      return {};
    },

    async ListAliases(input, ctx) {
      const name = parseFunctionName(input.FunctionName).name;
      requireFunction(store, ctx, name);
      const all = store
        .aliasesOf(ctx, name)
        .filter((a) => !input.FunctionVersion || a.functionVersion === input.FunctionVersion)
        .map((a) => aliasOut(ctx, a));
      const { items, next } = page(all, input.Marker, input.MaxItems);
      return { Aliases: items, NextMarker: next };
    },
  };
}

