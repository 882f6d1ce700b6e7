import { formatArn, parseArn } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { base32Id, secretKey } from '../../core/ids.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { GetRoleResponse, IamOperations } from '../../aws/models/generated/iam.js';
import type { Credentials, StsOperations } from '../../aws/models/generated/sts.js';
import { GLOBAL_REGION } from '../../core/scope.js';
import type { ServiceDeps } from '../service.js';

type StsProvider = Partial<StsOperations<RequestContext>>;

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** STS: who is calling, and temporary credentials that work against Slipway. */
export function createStsProvider(deps: ServiceDeps): StsProvider {
  const issue = (accountId: string, principalArn: string, userId: string, seconds: number): Credentials => {
    const expiresAt = deps.clock.now() + seconds * 1000;
    const cred = {
      accessKeyId: `ASIA${base32Id(16)}`,
      secretAccessKey: secretKey(),
      sessionToken: Buffer.from(`slipway-session:${accountId}:${base32Id(48)}`).toString('base64'),
      accountId,
      principalArn,
      userId,
      expiresAt,
    };
    deps.credentials.put(cred);
    return {
      AccessKeyId: cred.accessKeyId,
      SecretAccessKey: cred.secretAccessKey,
      SessionToken: cred.sessionToken,
      Expiration: new Date(expiresAt),
    };
  };

  return {
    async GetCallerIdentity(_input, ctx) {
      return { UserId: ctx.principal.userId, Account: ctx.accountId, Arn: ctx.principal.arn };
    },

    async GetAccessKeyInfo(input, ctx) {
      const known = deps.credentials.get(input.AccessKeyId);
      return { Account: known?.accountId ?? ctx.accountId };
    },

    async AssumeRole(input, ctx) {
      const arn = parseArn(input.RoleArn);
      const roleName = arn?.service === 'iam' && arn.resource.startsWith('role/') ? arn.resource.split('/').pop() : undefined;
      if (!arn || !roleName) throw new ServiceError('ValidationError', `${input.RoleArn} is not a valid role ARN.`, { statusCode: 400 });
      if (!SESSION_NAME.test(input.RoleSessionName)) {
        throw new ServiceError('ValidationError', `Value '${input.RoleSessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`, { statusCode: 400 });
      }
      const role = await findRole(deps, arn.accountId, roleName);
      if (!role) {
        throw new ServiceError('AccessDenied', `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`, { statusCode: 403 });
      }
      const maxSeconds = role.Role.MaxSessionDuration ?? 3600;
      const seconds = input.DurationSeconds ?? 3600;
      if (seconds > maxSeconds) {
        throw new ServiceError('ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`, { statusCode: 400 });
      }
      const sessionArn = formatArn({ service: 'sts', region: '', accountId: arn.accountId, resource: `assumed-role/${role.Role.RoleName}/${input.RoleSessionName}` });
      const assumedRoleId = `${role.Role.RoleId}:${input.RoleSessionName}`;
      return {
        Credentials: issue(arn.accountId, sessionArn, assumedRoleId, seconds),
        AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: sessionArn },
        SourceIdentity: input.SourceIdentity,
      };
    },

    async GetSessionToken(input, ctx) {
      const seconds = input.DurationSeconds ?? 43200;
      return { Credentials: issue(ctx.accountId, ctx.principal.arn, ctx.principal.userId, seconds) };
    },
  };
}

async function findRole(deps: ServiceDeps, accountId: string, roleName: string): Promise<GetRoleResponse | undefined> {
  try {
    return await deps.aws.service<IamOperations>('iam', { accountId, region: GLOBAL_REGION }).GetRole({ RoleName: roleName });
  } catch (e) {
    if (e instanceof ServiceError && (e.code === 'NoSuchEntityException' || e.code === 'NoSuchEntity')) return undefined;
    throw e;
  }
}
