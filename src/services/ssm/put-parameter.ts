import type { PutParameterRequest, Tag } from '../../aws/models/generated/ssm.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { SecretBox } from '../common/secret-box.js';
import { checkName, validation } from './names.js';
import { latest, type ParameterRecord, type ParameterTier, type ParameterType, type ParameterVersion } from './store.js';
import { secureContext } from './views.js';

export const DEFAULT_KEY_ID = 'alias/aws/ssm';
export const MAX_VERSIONS = 100;
const STANDARD_MAX = 4096;
const ADVANCED_MAX = 8192;
const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'];

export interface PutContext {
  scope: Scope;
  user: string;
  now: number;
  box: SecretBox;
}

/**
 * Applies a PutParameter to the parameter's current record (if any) and returns the record
 * to store. Everything is checked before anything changes, so a refused put stores nothing.
 */
export function applyPut(existing: ParameterRecord | undefined, input: PutParameterRequest, ctx: PutContext): ParameterRecord {
  checkRequest(existing, input);
  const prev = existing ? latest(existing) : undefined;
  const type = (input.Type ?? prev?.type) as ParameterType | undefined;
  if (!type) throw validation('A parameter type is required when you create a parameter.');
  if (input.KeyId !== undefined && type !== 'SecureString') throw validation('KeyId is required for SecureString type parameter only.');
  if (input.Value === '') throw validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
  const dataType = input.DataType ?? prev?.dataType ?? 'text';
  if (!DATA_TYPES.includes(dataType)) throw validation(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
  if (dataType === 'aws:ec2:image' && !/^ami-[0-9a-f]{8,17}$/.test(input.Value)) {
    throw validation('The parameter value is not a valid AMI ID (ami-<8 to 17 hex digits>) for data type aws:ec2:image.');
  }
  const allowedPattern = input.AllowedPattern ?? prev?.allowedPattern;
  if (allowedPattern) checkAllowedPattern(allowedPattern, input.Value);
  const tier = chooseTier(input.Tier, prev?.tier, input.Value);
  const version = (prev?.version ?? 0) + 1;
  const next: ParameterVersion = {
    version,
    type,
    value: type === 'SecureString' ? ctx.box.encrypt(input.Value, secureContext(ctx.scope, input.Name, version)) : input.Value,
    keyId: type === 'SecureString' ? (input.KeyId ?? (prev?.type === 'SecureString' ? prev.keyId : undefined) ?? DEFAULT_KEY_ID) : undefined,
    description: input.Description ?? prev?.description,
    allowedPattern,
    tier,
    dataType,
    labels: [],
    modified: ctx.now,
    user: ctx.user,
  };
  const versions = [...(existing?.versions ?? []), next];
  if (versions.length > MAX_VERSIONS) dropOldest(input.Name, versions);
  return { name: input.Name, versions, tags: existing?.tags ?? checkTags(input.Tags ?? []) };
}

/** The checks that do not depend on the previous version: name, policies, overwrite and tags. */
function checkRequest(existing: ParameterRecord | undefined, input: PutParameterRequest): void {
  checkName(input.Name);
  if (input.Policies !== undefined) {
    throw new ServiceError('NotImplemented', 'Parameter policies (Expiration, ExpirationNotification, NoChangeNotification) are not supported by Slipway yet.', {
      statusCode: 501,
    });
  }
  const overwrite = input.Overwrite === true;
  if (overwrite && input.Tags?.length) {
    throw validation(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  if (existing && !overwrite) {
    throw new ServiceError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.', {
      statusCode: 400,
    });
  }
}

/** Standard holds 4 KB, Advanced 8 KB; Intelligent-Tiering picks the cheaper one that fits. An Advanced parameter never goes back. */
function chooseTier(asked: string | undefined, current: ParameterTier | undefined, value: string): ParameterTier {
  if (value.length > ADVANCED_MAX) {
    throw validation(`1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${ADVANCED_MAX}`);
  }
  const fits = value.length <= STANDARD_MAX;
  let tier: ParameterTier;
  if (asked === 'Intelligent-Tiering') tier = fits && current !== 'Advanced' ? 'Standard' : 'Advanced';
  else tier = (asked as ParameterTier | undefined) ?? current ?? 'Standard';
  if (current === 'Advanced' && tier === 'Standard') {
    throw validation(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  if (tier === 'Standard' && !fits) {
    throw validation(
      `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html`,
    );
  }
  return tier;
}

function checkAllowedPattern(pattern: string, value: string): void {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    throw new ServiceError('InvalidAllowedPatternException', `The allowed pattern ${pattern} is not a valid regular expression.`, { statusCode: 400 });
  }
  if (!re.test(value)) {
    throw new ServiceError('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${pattern}`, { statusCode: 400 });
  }
}

/** AWS keeps 100 versions: the oldest goes, unless a label still points at it. */
function dropOldest(name: string, versions: ParameterVersion[]): void {
  const oldest = versions[0];
  if (oldest.labels.length) {
    throw new ServiceError(
      'ParameterMaxVersionLimitExceeded',
      `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
      { statusCode: 400 },
    );
  }
  versions.shift();
}

export const MAX_TAGS = 50;

export function checkTags(tags: Tag[]): Tag[] {
  const byKey = new Map<string, Tag>();
  for (const t of tags) byKey.set(t.Key, t);
  if (byKey.size > MAX_TAGS) throw new ServiceError('TooManyTagsError', `A resource can have at most ${MAX_TAGS} tags.`, { statusCode: 400 });
  return [...byKey.values()];
}
