import type { RequestContext } from '../../aws/gateway/context.js';
import type { APIErrorType, GetSecretValueResponse, SecretsmanagerOperations } from '../../aws/models/generated/secretsmanager.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import type { SecretBox } from '../common/secret-box.js';
import { invalidParameter, invalidRequest, liveSecret, MARKED_FOR_DELETION, offsetPage, requireSecret, scopeOf } from './common.js';
import { matchesFilters } from './list-filters.js';
import { randomPassword } from './password.js';
import type { SecretRecord, SecretStore } from './store.js';
import { addVersion, existingVersion, moveStage, openVersion, pickVersion, requestValue, sealVersion } from './versions.js';

type Ops = Partial<SecretsmanagerOperations<RequestContext>>;

const DAY_MS = 86_400_000;

/** Reading and writing secret values, their versions and stages. */
export function valueOperations(store: SecretStore, box: SecretBox, clock: Clock): Ops {
  /** Reads one version's value and notes the access (by day, as AWS reports it). */
  const read = (scope: Scope, secret: SecretRecord, versionId?: string, stage?: string): GetSecretValueResponse => {
    if (secret.deletedAt !== undefined) throw invalidRequest(MARKED_FOR_DELETION);
    const v = pickVersion(secret, versionId, stage);
    const today = Math.floor(clock.now() / DAY_MS) * DAY_MS;
    if (secret.lastAccessed !== today || v.lastAccessed !== today) {
      secret.lastAccessed = today;
      v.lastAccessed = today;
      store.put(scope, secret);
    }
    return { ARN: secret.arn, Name: secret.name, VersionId: v.id, ...openVersion(box, secret.arn, v), VersionStages: v.stages, CreatedDate: new Date(v.created) };
  };

  return {
    async GetSecretValue(input, ctx) {
      const scope = scopeOf(ctx);
      return read(scope, requireSecret(store, scope, input.SecretId), input.VersionId, input.VersionStage);
    },

    async PutSecretValue(input, ctx) {
      const scope = scopeOf(ctx);
      const secret = liveSecret(store, scope, input.SecretId);
      const value = requestValue(input, true)!;
      const same = existingVersion(box, secret, input.ClientRequestToken, value);
      if (same) return { ARN: secret.arn, Name: secret.name, VersionId: same.id, VersionStages: same.stages };
      const now = clock.now();
      const version = sealVersion(box, secret.arn, input.ClientRequestToken ?? uuid(), value, now);
      addVersion(secret, version, input.VersionStages);
      secret.lastChanged = now;
      store.put(scope, secret);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
    },

    async UpdateSecretVersionStage(input, ctx) {
      const scope = scopeOf(ctx);
      const secret = liveSecret(store, scope, input.SecretId);
      moveStage(secret, input.VersionStage, input.RemoveFromVersionId, input.MoveToVersionId);
      secret.lastChanged = clock.now();
      store.put(scope, secret);
      return { ARN: secret.arn, Name: secret.name };
    },

    async ListSecretVersionIds(input, ctx) {
      const secret = requireSecret(store, scopeOf(ctx), input.SecretId);
      const versions = secret.versions.filter((v) => input.IncludeDeprecated || v.stages.length > 0).reverse();
      const page = offsetPage(versions, input.NextToken, input.MaxResults ?? 100);
      return {
        Versions: page.items.map((v) => ({
          VersionId: v.id,
          VersionStages: v.stages,
          CreatedDate: new Date(v.created),
          LastAccessedDate: v.lastAccessed === undefined ? undefined : new Date(v.lastAccessed),
          KmsKeyIds: [secret.kmsKeyId ?? 'DefaultEncryptionKey'],
        })),
        NextToken: page.next,
        ARN: secret.arn,
        Name: secret.name,
      };
    },

    async BatchGetSecretValue(input, ctx) {
      const scope = scopeOf(ctx);
      if (input.SecretIdList?.length && input.Filters?.length) throw invalidParameter('Either SecretIdList or Filters must be provided, but not both.');
      if (!input.SecretIdList?.length && !input.Filters?.length) throw invalidParameter('Either SecretIdList or Filters must be provided.');
      const values: GetSecretValueResponse[] = [];
      const errors: APIErrorType[] = [];
      // Each secret answers on its own: one that is missing or deleted becomes an entry in Errors.
      const collect = (id: string, load: () => SecretRecord) => {
        try {
          values.push(read(scope, load()));
        } catch (e) {
          if (!(e instanceof ServiceError)) throw e;
          errors.push({ SecretId: id, ErrorCode: e.code, Message: e.message });
        }
      };
      if (input.SecretIdList?.length) {
        for (const id of input.SecretIdList) collect(id, () => requireSecret(store, scope, id));
        return { SecretValues: values, Errors: errors };
      }
      const matching = store.list(scope).filter((s) => s.deletedAt === undefined && s.versions.length > 0 && matchesFilters(s, input.Filters, scope.region));
      const page = offsetPage(matching, input.NextToken, input.MaxResults ?? 20);
      for (const s of page.items) collect(s.name, () => s);
      return { SecretValues: values, Errors: errors, NextToken: page.next };
    },

    async GetRandomPassword(input) {
      return { RandomPassword: randomPassword(input) };
    },
  };
}
