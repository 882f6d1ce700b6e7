import type { Parameter, ParameterHistory, ParameterMetadata } from '../../aws/models/generated/ssm.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { SecretBox } from '../common/secret-box.js';
import type { FilterSubject } from './filters.js';
import { parameterArn } from './names.js';
import { latest, type ParameterRecord, type ParameterVersion } from './store.js';

/** The additional data each SecureString ciphertext is bound to: its account, region, name and version. */
export function secureContext(scope: Scope, name: string, version: number): string {
  return `ssm:${scope.accountId}:${scope.region}:${name}:${version}`;
}

/** The value a caller sees: SecureStrings decrypt only when asked to, and otherwise stay the encrypted text, as on AWS. */
export function visibleValue(box: SecretBox, scope: Scope, name: string, v: ParameterVersion, withDecryption: boolean | undefined): string {
  if (v.type !== 'SecureString' || !withDecryption) return v.value;
  try {
    return box.decryptText(v.value, secureContext(scope, name, v.version));
  } catch {
    throw new ServiceError('InvalidKeyId', `The SecureString value of ${name} (version ${v.version}) cannot be decrypted: the Parameter Store key in the data dir is not the one it was encrypted with.`, {
      statusCode: 400,
    });
  }
}

export function parameterView(box: SecretBox, scope: Scope, p: ParameterRecord, v: ParameterVersion, withDecryption?: boolean, selector?: string): Parameter {
  return {
    Name: p.name,
    Type: v.type,
    Value: visibleValue(box, scope, p.name, v, withDecryption),
    Version: v.version,
    Selector: selector === undefined ? undefined : `:${selector}`,
    LastModifiedDate: new Date(v.modified),
    ARN: parameterArn(scope.region, scope.accountId, p.name),
    DataType: v.dataType,
  };
}

export function metadataView(scope: Scope, p: ParameterRecord): ParameterMetadata {
  const v = latest(p);
  return {
    Name: p.name,
    ARN: parameterArn(scope.region, scope.accountId, p.name),
    Type: v.type,
    KeyId: v.keyId,
    LastModifiedDate: new Date(v.modified),
    LastModifiedUser: v.user,
    Description: v.description,
    AllowedPattern: v.allowedPattern,
    Version: v.version,
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  };
}

export function historyView(box: SecretBox, scope: Scope, p: ParameterRecord, v: ParameterVersion, withDecryption?: boolean): ParameterHistory {
  return {
    Name: p.name,
    Type: v.type,
    KeyId: v.keyId,
    LastModifiedDate: new Date(v.modified),
    LastModifiedUser: v.user,
    Description: v.description,
    Value: visibleValue(box, scope, p.name, v, withDecryption),
    AllowedPattern: v.allowedPattern,
    Version: v.version,
    Labels: v.labels,
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  };
}

export function filterSubject(p: ParameterRecord, v: ParameterVersion = latest(p)): FilterSubject {
  return { name: p.name, type: v.type, keyId: v.keyId, tier: v.tier, dataType: v.dataType, labels: v.labels, tags: p.tags };
}
