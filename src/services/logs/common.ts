import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { LogGroup } from '../../aws/models/generated/logs.js';
import { groupArn, type GroupRow, type LogsStore, type StreamRow } from './store.js';

export function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameterException', message);
}

export function groupNotFound(): ServiceError {
  return new ServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
}

export function streamNotFound(): ServiceError {
  return new ServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
}

/** A log group name from a name or an ARN (`arn:aws:logs:r:a:log-group:NAME[:*]`). */
export function groupNameOf(identifier: string): string {
  if (!identifier.startsWith('arn:')) return identifier;
  const m = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(:\*)?$/.exec(identifier);
  if (!m) throw invalidParameter(`Invalid log group identifier: ${identifier}`);
  return m[1];
}

/** The group a request names with logGroupName or logGroupIdentifier (exactly one). */
export function namedGroup(store: LogsStore, scope: Scope, input: { logGroupName?: string; logGroupIdentifier?: string }): GroupRow {
  if (input.logGroupName && input.logGroupIdentifier) {
    throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  const id = input.logGroupName ?? input.logGroupIdentifier;
  if (!id) throw invalidParameter('Either logGroupName or logGroupIdentifier must be specified.');
  return requireGroup(store, scope, groupNameOf(id));
}

export function requireGroup(store: LogsStore, scope: Scope, name: string): GroupRow {
  const g = store.group(scope, name);
  if (!g) throw groupNotFound();
  return g;
}

export function requireStream(store: LogsStore, group: GroupRow, name: string): StreamRow {
  const s = store.stream(group, name);
  if (!s) throw streamNotFound();
  return s;
}

export function describeGroup(store: LogsStore, scope: Scope, g: GroupRow): LogGroup {
  const arn = groupArn(scope, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.created,
    retentionInDays: g.retention ?? undefined,
    metricFilterCount: store.metricFilters.list(scope, filterKey(g.name, '')).length,
    arn: `${arn}:*`,
    storedBytes: store.groupBytes(g),
    kmsKeyId: g.kms ?? undefined,
    logGroupClass: g.cls as LogGroup['logGroupClass'],
    logGroupArn: arn,
    deletionProtectionEnabled: g.deletion_protection === 1,
  };
}

/** Metric and subscription filters are keyed by group, then filter name. */
export function filterKey(group: string, filter: string): string {
  return `${group}\u0000${filter}`;
}

/** Start of a log event's day-aligned retention window: events before it have expired. */
export function retentionCutoff(now: number, days: number | null): number | undefined {
  return days === null ? undefined : now - days * 86_400_000;
}
