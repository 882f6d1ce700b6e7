import type { RequestContext } from '../../aws/gateway/context.js';
import type { DescribeSecretResponse, SecretListEntry, SecretsmanagerOperations, Tag } from '../../aws/models/generated/secretsmanager.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import type { SecretBox } from '../common/secret-box.js';
import {
  checkName, invalidParameter, invalidRequest, liveSecret, offsetPage, requireSecret, scopeOf, secretArn,
} from './common.js';
import type { SecretDeletion } from './deletion.js';
import { matchesFilters } from './list-filters.js';
import type { SecretRecord, SecretStore } from './store.js';
import { addVersion, existingVersion, requestValue, sealVersion } from './versions.js';

type Ops = Partial<SecretsmanagerOperations<RequestContext>>;

const DAY_MS = 86_400_000;

export function versionsToStages(secret: SecretRecord): Record<string, string[]> {
  return Object.fromEntries(secret.versions.filter((v) => v.stages.length).map((v) => [v.id, v.stages]));
}

export function describeView(secret: SecretRecord): DescribeSecretResponse & SecretListEntry {
  return {
    ARN: secret.arn,
    Name: secret.name,
    Type: secret.type,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: false,
    LastChangedDate: new Date(secret.lastChanged),
    LastAccessedDate: secret.lastAccessed === undefined ? undefined : new Date(secret.lastAccessed),
    DeletedDate: secret.deletedAt === undefined ? undefined : new Date(secret.deletedAt),
    Tags: secret.tags,
    CreatedDate: new Date(secret.created),
  };
}

function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) byKey.set(t.Key, t);
  if (byKey.size > 50) throw invalidParameter('A secret can have at most 50 tags.');
  return [...byKey.values()];
}

const SORT_KEYS: Record<string, (s: SecretRecord) => number | string> = {
  'created-date': (s) => s.created,
  'last-accessed-date': (s) => s.lastAccessed ?? 0,
  'last-changed-date': (s) => s.lastChanged,
  name: (s) => s.name,
};

/** Creating, describing, changing, listing, tagging and deleting secrets (their values live in values.ts). */
export function secretOperations(store: SecretStore, box: SecretBox, clock: Clock, deletion: SecretDeletion): Ops {
  return {
    async CreateSecret(input, ctx) {
      const scope = scopeOf(ctx);
      checkName(input.Name);
      const value = requestValue(input, false);
      const existing = store.get(scope, input.Name);
      if (existing?.deletedAt !== undefined) throw invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
      if (existing) {
        // A retried CreateSecret (same token, same value) answers as the first one did.
        const same = value ? existingVersion(box, existing, input.ClientRequestToken, value) : undefined;
        if (same) return { ARN: existing.arn, Name: existing.name, VersionId: same.id, ReplicationStatus: [] };
        throw new ServiceError('ResourceExistsException', `The operation failed because the secret ${input.Name} already exists.`, { statusCode: 400 });
      }
      const now = clock.now();
      const secret: SecretRecord = {
        name: input.Name,
        arn: secretArn(scope, input.Name),
        description: input.Description,
        kmsKeyId: input.KmsKeyId,
        type: input.Type,
        tags: mergeTags([], input.Tags ?? []),
        created: now,
        lastChanged: now,
        versions: [],
      };
      const versionId = value ? (input.ClientRequestToken ?? uuid()) : undefined;
      if (value && versionId) addVersion(secret, sealVersion(box, secret.arn, versionId, value, now));
      store.put(scope, secret);
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId, ReplicationStatus: [] };
    },

    async DescribeSecret(input, ctx) {
      const secret = requireSecret(store, scopeOf(ctx), input.SecretId);
      return { ...describeView(secret), VersionIdsToStages: versionsToStages(secret) };
    },

    async UpdateSecret(input, ctx) {
      const scope = scopeOf(ctx);
      const secret = liveSecret(store, scope, input.SecretId);
      const value = requestValue(input, false);
      const now = clock.now();
      let versionId: string | undefined;
      if (value) {
        versionId = existingVersion(box, secret, input.ClientRequestToken, value)?.id;
        if (!versionId) {
          versionId = input.ClientRequestToken ?? uuid();
          addVersion(secret, sealVersion(box, secret.arn, versionId, value, now));
        }
      }
      if (input.Description !== undefined) secret.description = input.Description;
      if (input.KmsKeyId !== undefined) secret.kmsKeyId = input.KmsKeyId || undefined;
      if (input.Type !== undefined) secret.type = input.Type;
      secret.lastChanged = now;
      store.put(scope, secret);
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
    },

    async DeleteSecret(input, ctx) {
      const scope = scopeOf(ctx);
      const force = input.ForceDeleteWithoutRecovery === true;
      if (force && input.RecoveryWindowInDays !== undefined) {
        throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      }
      const days = input.RecoveryWindowInDays ?? 30;
      if (days < 7 || days > 30) throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
      const secret = requireSecret(store, scope, input.SecretId);
      const now = clock.now();
      if (force) {
        store.delete(scope, secret.name);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(now) };
      }
      if (secret.deletedAt !== undefined) throw invalidRequest("You can't perform this operation on the secret because it was already scheduled for deletion.");
      deletion.schedule(scope, secret, days, now);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(now + days * DAY_MS) };
    },

    async RestoreSecret(input, ctx) {
      const scope = scopeOf(ctx);
      const secret = requireSecret(store, scope, input.SecretId);
      deletion.restore(scope, secret);
      return { ARN: secret.arn, Name: secret.name };
    },

    async TagResource(input, ctx) {
      const scope = scopeOf(ctx);
      const secret = liveSecret(store, scope, input.SecretId);
      secret.tags = mergeTags(secret.tags, input.Tags);
      store.put(scope, secret);
      return {};
    },

    async UntagResource(input, ctx) {
      const scope = scopeOf(ctx);
      const secret = liveSecret(store, scope, input.SecretId);
      secret.tags = secret.tags.filter((t) => !input.TagKeys.includes(t.Key ?? ''));
      store.put(scope, secret);
      return {};
    },

    async ListSecrets(input, ctx) {
      const scope = scopeOf(ctx);
      const key = SORT_KEYS[input.SortBy ?? 'created-date'];
      const sign = input.SortOrder === 'desc' ? -1 : 1;
      const secrets = store
        .list(scope)
        .filter((s) => (input.IncludePlannedDeletion || s.deletedAt === undefined) && matchesFilters(s, input.Filters, scope.region))
        .sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const page = offsetPage(secrets, input.NextToken, input.MaxResults ?? 100);
      return { SecretList: page.items.map((s) => ({ ...describeView(s), SecretVersionsToStages: versionsToStages(s) })), NextToken: page.next };
    },
  };
}
