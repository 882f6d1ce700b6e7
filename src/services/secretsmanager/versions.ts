import { ServiceError } from '../../core/errors.js';
import type { SecretBox } from '../common/secret-box.js';
import { invalidParameter, invalidRequest, notFound } from './common.js';
import type { SecretRecord, SecretVersion } from './store.js';

export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';
const MAX_VERSIONS = 100;

export interface SecretValue {
  SecretString?: string;
  SecretBinary?: Uint8Array;
}

/** The value a request carries; exactly one of string and binary. */
export function requestValue(input: SecretValue, required: boolean): SecretValue | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (input.SecretString === undefined && input.SecretBinary === undefined) {
    if (required) throw invalidRequest('You must provide either SecretString or SecretBinary.');
    return undefined;
  }
  return input.SecretString !== undefined ? { SecretString: input.SecretString } : { SecretBinary: input.SecretBinary };
}

function context(arn: string, versionId: string): string {
  return `secretsmanager:${arn}:${versionId}`;
}

export function sealVersion(box: SecretBox, arn: string, id: string, value: SecretValue, created: number): SecretVersion {
  const ctx = context(arn, id);
  return {
    id,
    stages: [],
    created,
    string: value.SecretString !== undefined ? box.encrypt(value.SecretString, ctx) : undefined,
    binary: value.SecretBinary !== undefined ? box.encrypt(Buffer.from(value.SecretBinary), ctx) : undefined,
  };
}

export function openVersion(box: SecretBox, arn: string, v: SecretVersion): SecretValue {
  const ctx = context(arn, v.id);
  try {
    if (v.string !== undefined) return { SecretString: box.decryptText(v.string, ctx) };
    return { SecretBinary: new Uint8Array(box.decrypt(v.binary ?? '', ctx)) };
  } catch {
    throw new ServiceError('DecryptionFailure', "Secrets Manager can't decrypt the protected secret text using the provided KMS key.", { statusCode: 400 });
  }
}

function sameValue(box: SecretBox, arn: string, v: SecretVersion, value: SecretValue): boolean {
  const stored = openVersion(box, arn, v);
  if (value.SecretString !== undefined) return stored.SecretString === value.SecretString;
  return stored.SecretBinary !== undefined && value.SecretBinary !== undefined && Buffer.from(stored.SecretBinary).equals(Buffer.from(value.SecretBinary));
}

/**
 * A ClientRequestToken names the version it creates: repeating a request with the same
 * token and value changes nothing (the retry succeeds), a different value is refused.
 */
export function existingVersion(box: SecretBox, secret: SecretRecord, token: string | undefined, value: SecretValue): SecretVersion | undefined {
  const v = token === undefined ? undefined : secret.versions.find((x) => x.id === token);
  if (!v) return undefined;
  if (!sameValue(box, secret.arn, v, value)) {
    throw new ServiceError('ResourceExistsException', `A version with the ClientRequestToken ${token} already exists with a different value. You can't modify an existing version, you can only create a new version.`, {
      statusCode: 400,
    });
  }
  return v;
}

/** Attaches `stage` to `target`, taking it from any other version; AWSCURRENT leaves AWSPREVIOUS behind. */
function attach(secret: SecretRecord, target: SecretVersion, stage: string): void {
  const holder = secret.versions.find((v) => v !== target && v.stages.includes(stage));
  if (holder) holder.stages = holder.stages.filter((s) => s !== stage);
  if (!target.stages.includes(stage)) target.stages.push(stage);
  if (stage === CURRENT && holder) {
    for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== PREVIOUS);
    holder.stages.push(PREVIOUS);
  }
}

/** Adds a version carrying `stages` (AWSCURRENT by default) and drops the oldest unlabelled ones past 100. */
export function addVersion(secret: SecretRecord, version: SecretVersion, stages: string[] = [CURRENT]): void {
  secret.versions.push(version);
  for (const stage of new Set(stages)) attach(secret, version, stage);
  while (secret.versions.length > MAX_VERSIONS) {
    const i = secret.versions.findIndex((v) => v.stages.length === 0);
    if (i < 0) break;
    secret.versions.splice(i, 1);
  }
}

/** The version a read asks for: by id, by stage, or AWSCURRENT; both must agree when both are given. */
export function pickVersion(secret: SecretRecord, versionId: string | undefined, stage: string | undefined): SecretVersion {
  if (versionId !== undefined) {
    const v = secret.versions.find((x) => x.id === versionId);
    if (!v) throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    if (stage !== undefined && !v.stages.includes(stage)) {
      throw invalidParameter(`You provided a VersionStage (${stage}) that is not associated to the provided VersionId (${versionId}).`);
    }
    return v;
  }
  const wanted = stage ?? CURRENT;
  const v = secret.versions.find((x) => x.stages.includes(wanted));
  if (!v) throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${wanted}`);
  return v;
}

/** UpdateSecretVersionStage: moves (or removes) one stage, with AWS's rule that the current holder must be named. */
export function moveStage(secret: SecretRecord, stage: string, fromId: string | undefined, toId: string | undefined): void {
  const holder = secret.versions.find((v) => v.stages.includes(stage));
  const byId = (id: string) => {
    const v = secret.versions.find((x) => x.id === id);
    if (!v) throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${id}`);
    return v;
  };
  const from = fromId === undefined ? undefined : byId(fromId);
  const to = toId === undefined ? undefined : byId(toId);
  if (from && !from.stages.includes(stage)) {
    throw invalidParameter(`The staging label ${stage} is not attached to version ${fromId}, so it can't be removed from it.`);
  }
  if (to && holder && holder !== to && holder !== from) {
    throw invalidParameter(
      `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
  }
  if (!to) {
    if (stage === CURRENT && from) throw invalidParameter(`You can't remove the staging label ${CURRENT} from a version without moving it to another version with MoveToVersionId.`);
    if (from) from.stages = from.stages.filter((s) => s !== stage);
    return;
  }
  attach(secret, to, stage);
}
