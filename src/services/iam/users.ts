import type { RequestContext } from '../../aws/gateway/context.js';
import type { IamOperations, User } from '../../aws/models/generated/iam.js';
import type { Clock } from '../../core/clock.js';
import { base32Id, secretKey } from '../../core/ids.js';
import type { CredentialStore } from '../../state/credentials.js';
import { alreadyExists, checkPath, deleteConflict, entityId, iamArn, iamPage, limitExceeded, mergeTags, noSuchEntity, now, removeTags } from './common.js';
import { holderOperations } from './holder-ops.js';
import { iamScope, nameKey, type IamStore, type UserRecord } from './store.js';

type Ops = Partial<IamOperations<RequestContext>>;

const MAX_KEYS_PER_USER = 2;

function userView(u: UserRecord): User {
  return {
    Path: u.path,
    UserName: u.name,
    UserId: u.id,
    Arn: u.arn,
    CreateDate: new Date(u.createDate),
    PermissionsBoundary: u.permissionsBoundary ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: u.permissionsBoundary } : undefined,
    Tags: u.tags.length ? u.tags : undefined,
  };
}

export function getUserRecord(store: IamStore, accountId: string, name: string): UserRecord {
  const u = store.users.get(iamScope(accountId), nameKey(name));
  if (!u) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return u;
}

/** Users and their access keys; a key CreateAccessKey returns signs requests as that user. */
export function userOperations(store: IamStore, credentials: CredentialStore, clock: Clock): Ops {
  const save = (accountId: string, u: UserRecord) => store.users.put(iamScope(accountId), nameKey(u.name), u);
  const load = (accountId: string, name: string) => getUserRecord(store, accountId, name);
  const holder = holderOperations(store, 'user', load, save);
  /** The caller's own user name, for key operations that omit UserName. */
  const userName = (ctx: RequestContext, name?: string) => name ?? ctx.principal.arn.split(':user/').pop()?.split('/').pop() ?? '';
  const keysOf = (accountId: string, user: string) => store.accessKeys.list(iamScope(accountId)).filter((k) => nameKey(k.userName) === nameKey(user));

  return {
    async CreateUser(input, ctx) {
      if (store.users.has(iamScope(ctx.accountId), nameKey(input.UserName))) throw alreadyExists(`User with name ${input.UserName} already exists.`);
      const path = checkPath(input.Path);
      const user: UserRecord = {
        name: input.UserName,
        id: entityId('AIDA'),
        arn: iamArn(ctx.accountId, 'user', path, input.UserName),
        path,
        createDate: now(clock),
        tags: mergeTags([], input.Tags ?? []),
        permissionsBoundary: input.PermissionsBoundary,
        inlinePolicies: {},
        attachedPolicies: [],
        groups: [],
      };
      save(ctx.accountId, user);
      return { User: userView(user) };
    },

    async GetUser(input, ctx) {
      if (!input.UserName && ctx.principal.arn.endsWith(':root')) {
        return { User: { Path: '/', UserName: ctx.accountId, UserId: ctx.accountId, Arn: ctx.principal.arn, CreateDate: new Date(0) } };
      }
      return { User: userView(load(ctx.accountId, userName(ctx, input.UserName))) };
    },

    async ListUsers(input, ctx) {
      const users = store.users.list(iamScope(ctx.accountId)).filter((u) => !input.PathPrefix || u.path.startsWith(input.PathPrefix));
      const page = iamPage(users, (u) => nameKey(u.name), input.Marker, input.MaxItems);
      return { Users: page.items.map((u) => ({ ...userView(u), Tags: undefined })), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async UpdateUser(input, ctx) {
      const u = load(ctx.accountId, input.UserName);
      if (input.NewPath) u.path = checkPath(input.NewPath);
      if (input.NewUserName && nameKey(input.NewUserName) !== nameKey(u.name)) {
        if (store.users.has(iamScope(ctx.accountId), nameKey(input.NewUserName))) throw alreadyExists(`User with name ${input.NewUserName} already exists.`);
        store.users.delete(iamScope(ctx.accountId), nameKey(u.name));
        u.name = input.NewUserName;
      }
      u.arn = iamArn(ctx.accountId, 'user', u.path, u.name);
      save(ctx.accountId, u);
      return {};
    },

    async DeleteUser(input, ctx) {
      const u = load(ctx.accountId, input.UserName);
      if (u.attachedPolicies.length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      if (Object.keys(u.inlinePolicies).length) throw deleteConflict('Cannot delete entity, must delete policies first.');
      if (keysOf(ctx.accountId, u.name).length) throw deleteConflict('Cannot delete entity, must delete access keys first.');
      if (u.groups.length) throw deleteConflict('Cannot delete entity, must remove users from group first.');
      store.users.delete(iamScope(ctx.accountId), nameKey(u.name));
      return {};
    },

    async TagUser(input, ctx) {
      const u = load(ctx.accountId, input.UserName);
      u.tags = mergeTags(u.tags, input.Tags);
      save(ctx.accountId, u);
      return {};
    },

    async UntagUser(input, ctx) {
      const u = load(ctx.accountId, input.UserName);
      u.tags = removeTags(u.tags, input.TagKeys);
      save(ctx.accountId, u);
      return {};
    },

    async ListUserTags(input, ctx) {
      const u = load(ctx.accountId, input.UserName);
      const page = iamPage(u.tags, (t) => t.Key, input.Marker, input.MaxItems);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    PutUserPolicy: async (input, ctx) => holder.put(ctx, input.UserName, input.PolicyName, input.PolicyDocument),
    GetUserPolicy: async (input, ctx) => {
      const { name, ...rest } = holder.get(ctx, input.UserName, input.PolicyName);
      return { UserName: name, ...rest };
    },
    ListUserPolicies: async (input, ctx) => holder.list(ctx, input.UserName, input.Marker, input.MaxItems),
    DeleteUserPolicy: async (input, ctx) => holder.remove(ctx, input.UserName, input.PolicyName),
    AttachUserPolicy: async (input, ctx) => holder.attach(ctx, input.UserName, input.PolicyArn),
    DetachUserPolicy: async (input, ctx) => holder.detach(ctx, input.UserName, input.PolicyArn),
    ListAttachedUserPolicies: async (input, ctx) => holder.listAttached(ctx, input.UserName, input.PathPrefix, input.Marker, input.MaxItems),

    async CreateAccessKey(input, ctx) {
      const u = load(ctx.accountId, userName(ctx, input.UserName));
      if (keysOf(ctx.accountId, u.name).length >= MAX_KEYS_PER_USER) {
        throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
      }
      const accessKeyId = `AKIA${base32Id(16)}`;
      const secret = secretKey();
      const created = now(clock);
      store.accessKeys.put(iamScope(ctx.accountId), accessKeyId, { accessKeyId, userName: u.name, status: 'Active', createDate: created });
      credentials.put({ accessKeyId, secretAccessKey: secret, accountId: ctx.accountId, principalArn: u.arn, userId: u.id });
      return { AccessKey: { UserName: u.name, AccessKeyId: accessKeyId, Status: 'Active', SecretAccessKey: secret, CreateDate: new Date(created) } };
    },

    async ListAccessKeys(input, ctx) {
      const name = userName(ctx, input.UserName);
      load(ctx.accountId, name);
      const keys = keysOf(ctx.accountId, name);
      const page = iamPage(keys, (k) => k.accessKeyId, input.Marker, input.MaxItems);
      return {
        AccessKeyMetadata: page.items.map((k) => ({ UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: new Date(k.createDate) })),
        IsTruncated: page.IsTruncated,
        Marker: page.Marker,
      };
    },

    async UpdateAccessKey(input, ctx) {
      const key = store.accessKeys.get(iamScope(ctx.accountId), input.AccessKeyId);
      if (!key) throw noSuchEntity(`The Access Key with id ${input.AccessKeyId} cannot be found.`);
      key.status = input.Status === 'Inactive' ? 'Inactive' : 'Active';
      store.accessKeys.put(iamScope(ctx.accountId), key.accessKeyId, key);
      return {};
    },

    async DeleteAccessKey(input, ctx) {
      if (!store.accessKeys.delete(iamScope(ctx.accountId), input.AccessKeyId)) {
        throw noSuchEntity(`The Access Key with id ${input.AccessKeyId} cannot be found.`);
      }
      credentials.delete(input.AccessKeyId);
      return {};
    },

    async GetAccessKeyLastUsed(input, ctx) {
      const key = store.accessKeys.get(iamScope(ctx.accountId), input.AccessKeyId);
      if (!key) throw noSuchEntity(`The Access Key with id ${input.AccessKeyId} cannot be found.`);
      return { UserName: key.userName, AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } };
    },
  };
}
