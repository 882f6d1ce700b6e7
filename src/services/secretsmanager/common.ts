import { randomInt } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { SecretRecord, SecretStore } from './store.js';

export function scopeOf(ctx: RequestContext): Scope {
  return { accountId: ctx.accountId, region: ctx.region };
}

export function notFound(message = "Secrets Manager can't find the specified secret."): ServiceError {
  return new ServiceError('ResourceNotFoundException', message, { statusCode: 400 });
}

export function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameterException', message, { statusCode: 400 });
}

export function invalidRequest(message: string): ServiceError {
  return new ServiceError('InvalidRequestException', message, { statusCode: 400 });
}

export const MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion.";

const SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A secret's ARN ends in a hyphen and six random characters, so a re-created name gets a new ARN. */
export function secretArn(scope: Scope, name: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)];
  return `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:${name}-${suffix}`;
}

const NAME = /^[a-zA-Z0-9/_+=.@-]+$/;

export function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
  }
}

/**
 * Finds a secret by name, by full ARN, or by partial ARN (the ARN without its random
 * suffix), as Secrets Manager accepts all three as a SecretId.
 */
export function findSecret(store: SecretStore, scope: Scope, secretId: string): SecretRecord | undefined {
  if (!secretId.startsWith('arn:')) return store.get(scope, secretId);
  const prefix = `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:`;
  if (!secretId.startsWith(prefix)) return undefined;
  const rest = secretId.slice(prefix.length);
  const full = /^(.+)-[a-zA-Z0-9]{6}$/.exec(rest);
  if (full) {
    const byFull = store.get(scope, full[1]);
    if (byFull?.arn === secretId) return byFull;
  }
  return store.get(scope, rest);
}

export function requireSecret(store: SecretStore, scope: Scope, secretId: string): SecretRecord {
  const secret = findSecret(store, scope, secretId);
  if (!secret) throw notFound();
  return secret;
}

/** A secret that may change: it exists and is not waiting to be deleted. */
export function liveSecret(store: SecretStore, scope: Scope, secretId: string): SecretRecord {
  const secret = requireSecret(store, scope, secretId);
  if (secret.deletedAt !== undefined) throw invalidRequest(MARKED_FOR_DELETION);
  return secret;
}

/** Offset-based pages for listings whose order is not the store's key order. */
export function offsetPage<T>(items: T[], token: string | undefined, max: number): { items: T[]; next?: string } {
  let start = 0;
  if (token !== undefined) {
    const m = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m) throw new ServiceError('InvalidNextTokenException', 'The NextToken value is not valid.', { statusCode: 400 });
    start = Number(m[1]);
  }
  const end = start + max;
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(`o${end}`, 'utf8').toString('base64url') : undefined };
}
