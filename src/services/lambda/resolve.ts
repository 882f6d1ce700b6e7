import type { Scope } from '../../core/scope.js';
import type { ServiceDeps } from '../service.js';
import type { LambdaEngine } from './engine.js';
import { LATEST, functionArn, functionNotFound, isVersion, notFound, type FunctionRef } from './names.js';
import type { AliasRecord, FunctionRecord, LambdaStore, VersionRecord } from './store.js';

/** What the API modules share. */
export interface LambdaContext {
  deps: ServiceDeps;
  store: LambdaStore;
  engine: LambdaEngine;
}

export function requireFunction(store: LambdaStore, scope: Scope, name: string): FunctionRecord {
  const fn = store.functions.get(scope, name);
  if (!fn) throw functionNotFound(scope, name);
  return fn;
}

/** $LATEST or a published version, by number. */
export function requireVersion(store: LambdaStore, scope: Scope, name: string, version: string): VersionRecord {
  const fn = requireFunction(store, scope, name);
  if (version === LATEST) return fn.latest;
  const v = isVersion(version) ? store.versions.get(scope, `${name}/${version}`) : undefined;
  if (!v) throw functionNotFound(scope, name, version);
  return v;
}

export function requireAlias(store: LambdaStore, scope: Scope, name: string, alias: string): AliasRecord {
  requireFunction(store, scope, name);
  const a = store.aliases.get(scope, `${name}/${alias}`);
  if (!a) throw notFound(`Cannot find alias arn: ${functionArn(scope, name, alias)}`);
  return a;
}

/** What a qualified reference points at: a version directly, or an alias and its primary version. */
export function resolveQualified(store: LambdaStore, scope: Scope, ref: FunctionRef): { version: VersionRecord; alias?: AliasRecord } {
  const q = ref.qualifier ?? LATEST;
  if (q === LATEST || isVersion(q)) return { version: requireVersion(store, scope, ref.name, q) };
  requireFunction(store, scope, ref.name);
  // An unknown qualifier on a function reads as AWS words it: the qualified function is not found.
  const alias = store.aliases.get(scope, `${ref.name}/${q}`);
  if (!alias) throw functionNotFound(scope, ref.name, q);
  return { version: requireVersion(store, scope, ref.name, alias.functionVersion), alias };
}

/** Simple Marker/MaxItems paging over an ordered list. */
export function page<T>(items: T[], marker: string | undefined, maxItems: number | undefined): { items: T[]; next?: string } {
  const start = marker ? Number(marker) || 0 : 0;
  const size = Math.min(maxItems ?? 50, 10000);
  const slice = items.slice(start, start + size);
  return { items: slice, next: start + size < items.length ? String(start + size) : undefined };
}
