import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { SecretsmanagerOperations } from '../../aws/models/generated/secretsmanager.js';
import type { Parameter } from '../../aws/models/generated/ssm.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { validation } from './names.js';

const PREFIX = '/aws/reference/secretsmanager/';

export function isSecretReference(name: string): boolean {
  return name.startsWith(PREFIX);
}

/**
 * `/aws/reference/secretsmanager/<secret-id>[:<stage-or-version-id>]`: Parameter Store's
 * window onto Secrets Manager, read through Secrets Manager's own GetSecretValue.
 */
export class SecretReferences {
  constructor(private readonly aws: AwsClient) {}

  async get(scope: Scope, name: string, withDecryption: boolean | undefined): Promise<Parameter> {
    if (!withDecryption) throw validation('WithDecryption flag must be True for retrieving a Secret Manager secret.');
    const ref = name.slice(PREFIX.length);
    const colon = ref.indexOf(':');
    const secretId = colon < 0 ? ref : ref.slice(0, colon);
    const selector = colon < 0 ? undefined : ref.slice(colon + 1);
    if (!secretId) throw new ServiceError('ParameterNotFound', `Parameter ${name} not found.`, { statusCode: 400 });
    const isVersionId = selector !== undefined && /^[0-9a-fA-F-]{32,64}$/.test(selector);
    const sm = this.aws.service<SecretsmanagerOperations>('secretsmanager', scope);
    let secret;
    try {
      secret = await sm.GetSecretValue({ SecretId: secretId, VersionId: isVersionId ? selector : undefined, VersionStage: isVersionId ? undefined : selector });
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'ResourceNotFoundException') {
        throw new ServiceError('ParameterNotFound', `Secret ${secretId} not found.`, { statusCode: 400 });
      }
      throw e;
    }
    const { SecretString, SecretBinary, ...meta } = secret;
    return {
      Name: name,
      Type: 'SecureString',
      Value: SecretString ?? Buffer.from(SecretBinary ?? new Uint8Array()).toString('base64'),
      Version: 0,
      Selector: selector === undefined ? undefined : `:${selector}`,
      SourceResult: JSON.stringify({ ...meta, CreatedDate: meta.CreatedDate?.toISOString() }),
      LastModifiedDate: meta.CreatedDate,
      ARN: meta.ARN,
      DataType: 'text',
    };
  }
}
