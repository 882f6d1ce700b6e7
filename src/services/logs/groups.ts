import type { RequestContext } from '../../aws/gateway/context.js';
import type { LogsOperations } from '../../aws/models/generated/logs.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { paginate } from '../common/paging.js';
import { describeGroup, groupNameOf, invalidParameter, requireGroup } from './common.js';
import type { GroupRow, LogsStore } from './store.js';

type Ops = Partial<LogsOperations<RequestContext>>;

/** The retention periods AWS accepts, in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const MAX_TAGS = 50;

export interface RetentionScheduler {
  schedule(group: GroupRow, generation: number): void;
}

/** Log groups: create, describe, delete, retention, KMS key and tags (old and new tagging APIs). */
export function groupOperations(store: LogsStore, clock: Clock, retention: RetentionScheduler): Ops {
  return {
    async CreateLogGroup(input, ctx) {
      if (store.group(ctx, input.logGroupName)) throw new ServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
      checkTags(input.tags ?? {});
      store.createGroup(ctx, {
        name: input.logGroupName,
        created: clock.now(),
        kms: input.kmsKeyId,
        cls: input.logGroupClass ?? 'STANDARD',
        deletionProtection: input.deletionProtectionEnabled ?? false,
        tags: input.tags ?? {},
      });
      return {};
    },

    async DeleteLogGroup(input, ctx) {
      const g = requireGroup(store, ctx, input.logGroupName);
      if (g.deletion_protection) throw new ServiceError('InvalidOperationException', 'Log group deletion protection is enabled. Disable it before deleting the log group.');
      store.deleteGroup(g);
      for (const c of [store.metricFilters, store.subscriptions]) for (const f of c.list(ctx, `${g.name}\u0000`)) c.delete(ctx, `${g.name}\u0000${f.filterName}`);
      return {};
    },

    async DescribeLogGroups(input, ctx) {
      if (input.logGroupNamePrefix && input.logGroupNamePattern) {
        throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      }
      const prefix = input.logGroupNamePrefix ?? '';
      const wanted = input.logGroupIdentifiers?.map(groupNameOf);
      const rows = store.groupsAfter(ctx, '').filter((g) =>
        g.name.startsWith(prefix) &&
        (!input.logGroupNamePattern || g.name.includes(input.logGroupNamePattern)) &&
        (!input.logGroupClass || g.cls === input.logGroupClass) &&
        (!wanted || wanted.includes(g.name)));
      const page = paginate(rows, (g) => g.name, input.nextToken, input.limit ?? 50, invalidToken);
      return { logGroups: page.items.map((g) => describeGroup(store, ctx, g)), nextToken: page.next };
    },

    async PutRetentionPolicy(input, ctx) {
      const g = requireGroup(store, ctx, input.logGroupName);
      if (!RETENTION_DAYS.includes(input.retentionInDays)) {
        throw invalidParameter(`1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
      }
      retention.schedule(g, store.setRetention(g, input.retentionInDays));
      return {};
    },

    async DeleteRetentionPolicy(input, ctx) {
      store.setRetention(requireGroup(store, ctx, input.logGroupName), null);
      return {};
    },

    async AssociateKmsKey(input, ctx) {
      if (!input.logGroupName) throw invalidParameter('Only log group KMS associations (logGroupName) are supported.');
      if (!/^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+/.test(input.kmsKeyId)) throw invalidParameter(`Specified KMS key ARN is not valid: ${input.kmsKeyId}`);
      store.setKms(requireGroup(store, ctx, input.logGroupName), input.kmsKeyId);
      return {};
    },

    async DisassociateKmsKey(input, ctx) {
      if (!input.logGroupName) throw invalidParameter('Only log group KMS associations (logGroupName) are supported.');
      store.setKms(requireGroup(store, ctx, input.logGroupName), null);
      return {};
    },

    async PutLogGroupDeletionProtection(input, ctx) {
      const g = requireGroup(store, ctx, groupNameOf(input.logGroupIdentifier));
      store.setDeletionProtection(g, input.deletionProtectionEnabled);
      return {};
    },

    async TagLogGroup(input, ctx) {
      tag(store, requireGroup(store, ctx, input.logGroupName), input.tags);
      return {};
    },

    async UntagLogGroup(input, ctx) {
      untag(store, requireGroup(store, ctx, input.logGroupName), input.tags);
      return {};
    },

    async ListTagsLogGroup(input, ctx) {
      return { tags: tagsOf(requireGroup(store, ctx, input.logGroupName)) };
    },

    async TagResource(input, ctx) {
      tag(store, groupByArn(store, ctx, input.resourceArn), input.tags);
      return {};
    },

    async UntagResource(input, ctx) {
      untag(store, groupByArn(store, ctx, input.resourceArn), input.tagKeys);
      return {};
    },

    async ListTagsForResource(input, ctx) {
      return { tags: tagsOf(groupByArn(store, ctx, input.resourceArn)) };
    },
  };
}

function invalidToken(token: string): ServiceError {
  return invalidParameter(`The specified nextToken is invalid: ${token}`);
}

function groupByArn(store: LogsStore, scope: Scope, arn: string): GroupRow {
  const m = /^arn:[^:]+:logs:([^:]*):(\d{12}):log-group:([^:]+)(:\*)?$/.exec(arn);
  if (!m) throw new ServiceError('ResourceNotFoundException', `The specified resource does not exist: ${arn}. Slipway tags log groups only.`);
  if (m[1] !== scope.region || m[2] !== scope.accountId) throw new ServiceError('ResourceNotFoundException', `The specified resource does not exist: ${arn}`);
  return requireGroup(store, scope, m[3]);
}

function tagsOf(g: GroupRow): Record<string, string> {
  return JSON.parse(g.tags) as Record<string, string>;
}

function checkTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw new ServiceError('TooManyTagsException', `A resource can have no more than ${MAX_TAGS} tags.`);
  for (const k of Object.keys(tags)) if (k.startsWith('aws:')) throw invalidParameter(`Tag keys cannot start with the reserved prefix 'aws:': ${k}`);
}

function tag(store: LogsStore, g: GroupRow, tags: Record<string, string>): void {
  const merged = { ...tagsOf(g), ...tags };
  checkTags(merged);
  store.setTags(g, merged);
}

function untag(store: LogsStore, g: GroupRow, keys: string[]): void {
  const tags = tagsOf(g);
  for (const k of keys) delete tags[k];
  store.setTags(g, tags);
}
