import {
  AttachRolePolicyCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, DeleteRoleCommand, DetachRolePolicyCommand, EntityAlreadyExistsException,
  GetPolicyVersionCommand, GetRoleCommand, IAMClient, ListPolicyVersionsCommand, ListRolesCommand, NoSuchEntityException, TagRoleCommand, ListRoleTagsCommand,
  CreateGroupCommand, AddUserToGroupCommand, CreateUserCommand, GetGroupCommand, DeleteUserCommand, DeleteConflictException,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

describe('STS and IAM through the SDK v3 clients', () => {
  let sw: TestSlipway;
  let iam: IAMClient;
  let sts: STSClient;

  beforeAll(async () => {
    sw = await startSlipway();
    iam = new IAMClient(sdkConfig(sw.url));
    sts = new STSClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('creates, lists with pagination, tags and deletes roles', async () => {
    for (const name of ['alpha', 'beta', 'gamma']) {
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, Path: '/app/', Tags: [{ Key: 'n', Value: name }] }));
    }
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'ALPHA', AssumeRolePolicyDocument: trust }))).rejects.toBeInstanceOf(EntityAlreadyExistsException);
    const first = await iam.send(new ListRolesCommand({ MaxItems: 2 }));
    expect(first.Roles?.map((r) => r.RoleName)).toEqual(['alpha', 'beta']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListRolesCommand({ MaxItems: 2, Marker: first.Marker }));
    expect(second.Roles?.map((r) => r.RoleName)).toEqual(['gamma']);
    expect(second.IsTruncated).toBe(false);
    await iam.send(new TagRoleCommand({ RoleName: 'beta', Tags: [{ Key: 'team', Value: 'ops' }, { Key: 'n', Value: 'B' }] }));
    const tags = await iam.send(new ListRoleTagsCommand({ RoleName: 'beta' }));
    expect(tags.Tags).toEqual([{ Key: 'n', Value: 'B' }, { Key: 'team', Value: 'ops' }]);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'beta' }));
    expect(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!)).toBe(trust);
    expect(got.Role!.Arn).toBe('arn:aws:iam::000000000000:role/app/beta');
    await iam.send(new DeleteRoleCommand({ RoleName: 'gamma' }));
    await expect(iam.send(new GetRoleCommand({ RoleName: 'gamma' }))).rejects.toBeInstanceOf(NoSuchEntityException);
  });

  it('versions managed policies', async () => {
    const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'deploy', PolicyDocument: doc('s3:GetObject') }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn, PolicyDocument: doc('s3:*'), SetAsDefault: true }));
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: Policy!.Arn }));
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([['v2', true], ['v1', false]]);
    const v1 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v1' }));
    expect(JSON.parse(decodeURIComponent(v1.PolicyVersion!.Document!)).Statement[0].Action).toBe('s3:GetObject');
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'alpha', PolicyArn: Policy!.Arn }));
    await expect(iam.send(new DeleteRoleCommand({ RoleName: 'alpha' }))).rejects.toBeInstanceOf(DeleteConflictException);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'alpha', PolicyArn: Policy!.Arn }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'alpha' }));
  });

  it('groups users', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'ana' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'ana' }));
    const group = await iam.send(new GetGroupCommand({ GroupName: 'devs' }));
    expect(group.Users?.map((u) => u.UserName)).toEqual(['ana']);
    await expect(iam.send(new DeleteUserCommand({ UserName: 'ana' }))).rejects.toBeInstanceOf(DeleteConflictException);
  });

  it('assumes a role and calls as the session', async () => {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root' });
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/app/beta', RoleSessionName: 'sdk', DurationSeconds: 900 }));
    const c = assumed.Credentials!;
    expect(c.Expiration!.getTime() - Date.now()).toBeGreaterThan(800_000);
    const asRole = new STSClient({ ...sdkConfig(sw.url), credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } });
    const who = await asRole.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe('arn:aws:sts::000000000000:assumed-role/beta/sdk');
    expect(who.UserId).toMatch(/^AROA[A-Z2-7]{17}:sdk$/);
  });
});
