import { ServiceError } from '../../core/errors.js';
import { base32Id } from '../../core/ids.js';
import { paginate } from '../common/paging.js';
import type { Tag } from '../../aws/models/generated/iam.js';

export function noSuchEntity(message: string): ServiceError {
  return new ServiceError('NoSuchEntityException', message, { statusCode: 404 });
}

export function alreadyExists(message: string): ServiceError {
  return new ServiceError('EntityAlreadyExistsException', message, { statusCode: 409 });
}

export function deleteConflict(message: string): ServiceError {
  return new ServiceError('DeleteConflictException', message, { statusCode: 409 });
}

export function invalidInput(message: string): ServiceError {
  return new ServiceError('InvalidInputException', message, { statusCode: 400 });
}

export function limitExceeded(message: string): ServiceError {
  return new ServiceError('LimitExceededException', message, { statusCode: 409 });
}

/** A unique id of the form IAM gives each kind of entity (AROA for roles, AIDA for users...). */
export function entityId(prefix: 'AROA' | 'AIDA' | 'AGPA' | 'ANPA' | 'AIPA'): string {
  return `${prefix}${base32Id(17)}`;
}

export function iamArn(accountId: string, kind: string, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${kind}${path}${name}`;
}

/** IAM paths start and end with a slash: `/`, `/service-role/`. */
export function checkPath(path: string | undefined): string {
  const p = path ?? '/';
  if (!/^\/(?:[\u0021-\u007E]*\/)?$/.test(p)) {
    throw new ServiceError('ValidationError', `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`, { statusCode: 400 });
  }
  return p;
}

/**
 * Checks a policy document is JSON with statements, as IAM does before storing it. IAM
 * keeps the document exactly as given and returns it URL-encoded.
 */
export function checkPolicyDocument(doc: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc);
  } catch {
    throw new ServiceError('MalformedPolicyDocumentException', 'This policy contains invalid Json', { statusCode: 400 });
  }
  const statements = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).Statement : undefined;
  if (statements === undefined || (typeof statements !== 'object')) {
    throw new ServiceError('MalformedPolicyDocumentException', 'Syntax errors in policy.', { statusCode: 400 });
  }
  return doc;
}

/** IAM returns policy documents URL-encoded (RFC 3986), which the CLI decodes back into JSON. */
export function encodePolicy(doc: string): string {
  return encodeURIComponent(doc);
}

export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) byKey.set(t.Key, t);
  if (byKey.size > 50) throw limitExceeded('The number of tags has reached the maximum limit of 50.');
  return [...byKey.values()];
}

export function removeTags(existing: Tag[], keys: string[]): Tag[] {
  const drop = new Set(keys);
  return existing.filter((t) => !drop.has(t.Key));
}

/** IAM's Marker/MaxItems paging. */
export function iamPage<T>(items: T[], keyOf: (t: T) => string, marker: string | undefined, maxItems: number | undefined) {
  const page = paginate(items, keyOf, marker, maxItems ?? 100, () => invalidInput('Invalid Marker.'));
  return { items: page.items, IsTruncated: page.next !== undefined, Marker: page.next };
}

/** IAM timestamps carry whole seconds. */
export function now(clock: { now(): number }): string {
  return new Date(Math.floor(clock.now() / 1000) * 1000).toISOString();
}
