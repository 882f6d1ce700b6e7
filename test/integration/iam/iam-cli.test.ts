import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const trust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

describe('STS and IAM through the aws CLI', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let trustFile: string;

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
    trustFile = join(sw.dataDir, 'trust.json');
    writeFileSync(trustFile, JSON.stringify(trust));
  });
  afterAll(() => sw.close());

  it('sts get-caller-identity answers the default account root', async () => {
    const r = await cli('sts', 'get-caller-identity');
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({ UserId: '000000000000', Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root' });
  });

  it('iam create-role stores the role with its trust policy, and get-role returns it', async () => {
    const created = await cli('iam', 'create-role', '--role-name', 'CodeBuildRole', '--assume-role-policy-document', `file://${trustFile}`);
    expect(created.code, created.stderr).toBe(0);
    const role = created.json<{ Role: Record<string, unknown> }>().Role;
    expect(role).toMatchObject({ RoleName: 'CodeBuildRole', Path: '/', Arn: 'arn:aws:iam::000000000000:role/CodeBuildRole', AssumeRolePolicyDocument: trust });
    expect(role.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    const got = await cli('iam', 'get-role', '--role-name', 'codebuildrole');
    expect(got.json<{ Role: { RoleId: string } }>().Role.RoleId).toBe(role.RoleId);
  });

  it('refuses a duplicate role and reports a missing one as AWS does', async () => {
    const dup = await cli('iam', 'create-role', '--role-name', 'CodeBuildRole', '--assume-role-policy-document', `file://${trustFile}`);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('An error occurred (EntityAlreadyExists) when calling the CreateRole operation: Role with name CodeBuildRole already exists.');
    const missing = await cli('iam', 'get-role', '--role-name', 'Nope');
    expect(missing.stderr).toContain('(NoSuchEntity) when calling the GetRole operation: The role with name Nope cannot be found.');
  });

  it('validates input against the model with AWS messages', async () => {
    const bad = await cli('iam', 'create-role', '--role-name', 'has spaces', '--assume-role-policy-document', `file://${trustFile}`);
    expect(bad.stderr).toContain('(ValidationError) when calling the CreateRole operation: 1 validation error detected: Value \'has spaces\' at \'roleName\' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+');
    const malformed = await cli('iam', 'create-role', '--role-name', 'R2', '--assume-role-policy-document', '{not json');
    expect(malformed.stderr).toContain('(MalformedPolicyDocument)');
  });

  it('keeps inline and attached policies and refuses to delete a role that has them', async () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] });
    expect((await cli('iam', 'put-role-policy', '--role-name', 'CodeBuildRole', '--policy-name', 'logs', '--policy-document', doc)).code).toBe(0);
    const got = await cli('iam', 'get-role-policy', '--role-name', 'CodeBuildRole', '--policy-name', 'logs');
    expect(got.json()).toMatchObject({ RoleName: 'CodeBuildRole', PolicyName: 'logs', PolicyDocument: JSON.parse(doc) });
    const policy = await cli('iam', 'create-policy', '--policy-name', 'ArtifactsRead', '--policy-document', doc);
    const arn = policy.json<{ Policy: { Arn: string } }>().Policy.Arn;
    expect(arn).toBe('arn:aws:iam::000000000000:policy/ArtifactsRead');
    expect((await cli('iam', 'attach-role-policy', '--role-name', 'CodeBuildRole', '--policy-arn', arn)).code).toBe(0);
    expect((await cli('iam', 'attach-role-policy', '--role-name', 'CodeBuildRole', '--policy-arn', 'arn:aws:iam::aws:policy/AWSCodeCommitReadOnly')).code).toBe(0);
    const attached = await cli('iam', 'list-attached-role-policies', '--role-name', 'CodeBuildRole');
    expect(attached.json<{ AttachedPolicies: { PolicyName: string }[] }>().AttachedPolicies.map((p) => p.PolicyName)).toEqual(['ArtifactsRead', 'AWSCodeCommitReadOnly']);
    expect((await cli('iam', 'get-policy', '--policy-arn', arn)).json<{ Policy: { AttachmentCount: number } }>().Policy.AttachmentCount).toBe(1);
    const conflict = await cli('iam', 'delete-role', '--role-name', 'CodeBuildRole');
    expect(conflict.stderr).toContain('(DeleteConflict) when calling the DeleteRole operation: Cannot delete entity, must detach all policies first.');
    const missingPolicy = await cli('iam', 'attach-role-policy', '--role-name', 'CodeBuildRole', '--policy-arn', 'arn:aws:iam::000000000000:policy/Nope');
    expect(missingPolicy.stderr).toContain('(NoSuchEntity)');
  });

  it('builds instance profiles around roles', async () => {
    await cli('iam', 'create-role', '--role-name', 'Ec2Role', '--assume-role-policy-document', `file://${trustFile}`);
    expect((await cli('iam', 'create-instance-profile', '--instance-profile-name', 'web')).code).toBe(0);
    expect((await cli('iam', 'add-role-to-instance-profile', '--instance-profile-name', 'web', '--role-name', 'Ec2Role')).code).toBe(0);
    const profile = await cli('iam', 'get-instance-profile', '--instance-profile-name', 'web');
    expect(profile.json<{ InstanceProfile: { Roles: { RoleName: string }[] } }>().InstanceProfile.Roles.map((r) => r.RoleName)).toEqual(['Ec2Role']);
    const forRole = await cli('iam', 'list-instance-profiles-for-role', '--role-name', 'Ec2Role');
    expect(forRole.json<{ InstanceProfiles: { InstanceProfileName: string }[] }>().InstanceProfiles[0].InstanceProfileName).toBe('web');
    expect((await cli('iam', 'delete-role', '--role-name', 'Ec2Role')).stderr).toContain('must remove roles from instance profile first');
  });

  it('assume-role returns credentials that act as the role session', async () => {
    const r = await cli('sts', 'assume-role', '--role-arn', 'arn:aws:iam::000000000000:role/CodeBuildRole', '--role-session-name', 'build-1');
    expect(r.code, r.stderr).toBe(0);
    const { Credentials, AssumedRoleUser } = r.json<{ Credentials: Record<string, string>; AssumedRoleUser: { Arn: string } }>();
    expect(Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(AssumedRoleUser.Arn).toBe('arn:aws:sts::000000000000:assumed-role/CodeBuildRole/build-1');
    const asRole = awsCli({ ...sw.env, AWS_ACCESS_KEY_ID: Credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: Credentials.SecretAccessKey, AWS_SESSION_TOKEN: Credentials.SessionToken });
    const who = await asRole('sts', 'get-caller-identity');
    expect(who.json()).toMatchObject({ Account: '000000000000', Arn: AssumedRoleUser.Arn });
    const denied = await cli('sts', 'assume-role', '--role-arn', 'arn:aws:iam::000000000000:role/Missing', '--role-session-name', 'session');
    expect(denied.stderr).toContain('(AccessDenied)');
  });

  it('users get access keys that identify them', async () => {
    await cli('iam', 'create-user', '--user-name', 'deployer');
    const key = (await cli('iam', 'create-access-key', '--user-name', 'deployer')).json<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>().AccessKey;
    const asUser = awsCli({ ...sw.env, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey });
    expect((await asUser('sts', 'get-caller-identity')).json()).toMatchObject({ Arn: 'arn:aws:iam::000000000000:user/deployer' });
    expect((await asUser('iam', 'list-access-keys')).json<{ AccessKeyMetadata: unknown[] }>().AccessKeyMetadata).toHaveLength(1);
  });

  it('a 12-digit access key id selects that account', async () => {
    const other = awsCli({ ...sw.env, AWS_ACCESS_KEY_ID: '111122223333' });
    expect((await other('sts', 'get-caller-identity')).json()).toMatchObject({ Account: '111122223333' });
    expect((await other('iam', 'get-role', '--role-name', 'CodeBuildRole')).stderr).toContain('NoSuchEntity');
  });
});
