import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';

/** A function reference as callers give it: name, partial ARN or ARN, with an optional qualifier. */
export interface FunctionRef {
  name: string;
  qualifier?: string;
}

export const LATEST = '$LATEST';

/** Reads `FunctionName` (with `Qualifier`), accepting every form AWS accepts. */
export function parseFunctionName(text: string, qualifier?: string): FunctionRef {
  let name = text;
  let derived: string | undefined;
  const parts = text.split(':');
  if (text.startsWith('arn:')) {
    name = parts[6] ?? '';
    derived = parts[7];
  } else if (parts.includes('function')) {
    const i = parts.indexOf('function');
    name = parts[i + 1] ?? '';
    derived = parts[i + 2];
  } else if (parts.length === 2) {
    [name, derived] = parts as [string, string];
  }
  if (!/^[a-zA-Z0-9_.-]{1,140}$/.test(name)) throw invalidParameter(`1 validation error detected: Value '${text}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  if (derived !== undefined && qualifier !== undefined && derived !== qualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  return { name, qualifier: qualifier ?? derived };
}

export function functionArn(scope: Scope, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}

export function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameterValueException', message, { fields: { Type: 'User' } });
}

export function notFound(message: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', message, { fields: { Type: 'User' } });
}

export function functionNotFound(scope: Scope, name: string, qualifier?: string): ServiceError {
  return notFound(`Function not found: ${functionArn(scope, name, qualifier && qualifier !== LATEST ? qualifier : undefined)}`);
}

export function conflict(message: string): ServiceError {
  return new ServiceError('ResourceConflictException', message, { fields: { Type: 'User' } });
}

export function preconditionFailed(message: string): ServiceError {
  return new ServiceError('PreconditionFailedException', message, { fields: { Type: 'User' } });
}

/** Whether a qualifier names a published version (digits) rather than an alias. */
export function isVersion(qualifier: string): boolean {
  return /^\d+$/.test(qualifier);
}
