import type { RequestContext } from '../../aws/gateway/context.js';
import type { IamOperations, Role } from '../../aws/models/generated/iam.js';
import type { Clock } from '../../core/clock.js';
import {
  alreadyExists, checkPath, checkPolicyDocument, deleteConflict, encodePolicy, entityId, iamArn, iamPage, mergeTags, noSuchEntity, now, removeTags,
} from './common.js';
import { holderOperations } from './holder-ops.js';
import { resolvePolicyArn } from './managed-policies.js';
import { iamScope, nameKey, type IamStore, type RoleRecord } from './store.js';

type Ops = Partial<IamOperations<RequestContext>>;

export function roleView(r: RoleRecord): Role {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: r.arn,
    CreateDate: new Date(r.createDate),
    AssumeRolePolicyDocument: encodePolicy(r.assumeRolePolicyDocument),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
    PermissionsBoundary: r.permissionsBoundary ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: r.permissionsBoundary } : undefined,
    Tags: r.tags.length ? r.tags : undefined,
  };
}

export function getRoleRecord(store: IamStore, accountId: string, name: string): RoleRecord {
  const role = store.roles.get(iamScope(accountId), nameKey(name));
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

export function roleOperations(store: IamStore, clock: Clock): Ops {
  const save = (accountId: string, role: RoleRecord) => store.roles.put(iamScope(accountId), nameKey(role.name), role);
  const update = (ctx: RequestContext, name: string, change: (r: RoleRecord) => void) => {
    const role = getRoleRecord(store, ctx.accountId, name);
    change(role);
    save(ctx.accountId, role);
    return role;
  };
  const holder = holderOperations(store, 'role', (a, n) => getRoleRecord(store, a, n), save);

  return {
    async CreateRole(input, ctx) {
      const scope = iamScope(ctx.accountId);
      if (store.roles.has(scope, nameKey(input.RoleName))) throw alreadyExists(`Role with name ${input.RoleName} already exists.`);
      const path = checkPath(input.Path);
      if (input.PermissionsBoundary) resolvePolicyArn(store, ctx.accountId, input.PermissionsBoundary);
      const role: RoleRecord = {
        name: input.RoleName,
        id: entityId('AROA'),
        arn: iamArn(ctx.accountId, 'role', path, input.RoleName),
        path,
        createDate: now(clock),
        assumeRolePolicyDocument: checkPolicyDocument(input.AssumeRolePolicyDocument),
        description: input.Description,
        maxSessionDuration: input.MaxSessionDuration ?? 3600,
        permissionsBoundary: input.PermissionsBoundary,
        tags: mergeTags([], input.Tags ?? []),
        inlinePolicies: {},
        attachedPolicies: [],
      };
      save(ctx.accountId, role);
      return { Role: roleView(role) };
    },

    async GetRole(input, ctx) {
      return { Role: { ...roleView(getRoleRecord(store, ctx.accountId, input.RoleName)), RoleLastUsed: {} } };
    },

    async ListRoles(input, ctx) {
      const roles = store.roles.list(iamScope(ctx.accountId)).filter((r) => !input.PathPrefix || r.path.startsWith(input.PathPrefix));
      const page = iamPage(roles, (r) => nameKey(r.name), input.Marker, input.MaxItems);
      return { Roles: page.items.map((r) => ({ ...roleView(r), Tags: undefined })), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async UpdateRole(input, ctx) {
      update(ctx, input.RoleName, (r) => {
        if (input.Description !== undefined) r.description = input.Description;
        if (input.MaxSessionDuration !== undefined) r.maxSessionDuration = input.MaxSessionDuration;
      });
      return {};
    },

    async UpdateRoleDescription(input, ctx) {
      const role = update(ctx, input.RoleName, (r) => {
        r.description = input.Description;
      });
      return { Role: roleView(role) };
    },

    async UpdateAssumeRolePolicy(input, ctx) {
      update(ctx, input.RoleName, (r) => {
        r.assumeRolePolicyDocument = checkPolicyDocument(input.PolicyDocument);
      });
      return {};
    },

    async DeleteRole(input, ctx) {
      const role = getRoleRecord(store, ctx.accountId, input.RoleName);
      if (role.attachedPolicies.length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      if (Object.keys(role.inlinePolicies).length) throw deleteConflict('Cannot delete entity, must delete policies first.');
      const inProfile = store.instanceProfiles.list(iamScope(ctx.accountId)).some((p) => p.roles.includes(nameKey(role.name)));
      if (inProfile) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
      store.roles.delete(iamScope(ctx.accountId), nameKey(role.name));
      return {};
    },

    async TagRole(input, ctx) {
      update(ctx, input.RoleName, (r) => {
        r.tags = mergeTags(r.tags, input.Tags);
      });
      return {};
    },

    async UntagRole(input, ctx) {
      update(ctx, input.RoleName, (r) => {
        r.tags = removeTags(r.tags, input.TagKeys);
      });
      return {};
    },

    async ListRoleTags(input, ctx) {
      const role = getRoleRecord(store, ctx.accountId, input.RoleName);
      const page = iamPage(role.tags, (t) => t.Key, input.Marker, input.MaxItems);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    PutRolePolicy: async (input, ctx) => holder.put(ctx, input.RoleName, input.PolicyName, input.PolicyDocument),
    GetRolePolicy: async (input, ctx) => {
      const { name, ...rest } = holder.get(ctx, input.RoleName, input.PolicyName);
      return { RoleName: name, ...rest };
    },
    ListRolePolicies: async (input, ctx) => holder.list(ctx, input.RoleName, input.Marker, input.MaxItems),
    DeleteRolePolicy: async (input, ctx) => holder.remove(ctx, input.RoleName, input.PolicyName),
    AttachRolePolicy: async (input, ctx) => holder.attach(ctx, input.RoleName, input.PolicyArn),
    DetachRolePolicy: async (input, ctx) => holder.detach(ctx, input.RoleName, input.PolicyArn),
    ListAttachedRolePolicies: async (input, ctx) => holder.listAttached(ctx, input.RoleName, input.PathPrefix, input.Marker, input.MaxItems),

    async PutRolePermissionsBoundary(input, ctx) {
      resolvePolicyArn(store, ctx.accountId, input.PermissionsBoundary);
      update(ctx, input.RoleName, (r) => {
        r.permissionsBoundary = input.PermissionsBoundary;
      });
      return {};
    },

    async DeleteRolePermissionsBoundary(input, ctx) {
      update(ctx, input.RoleName, (r) => {
        delete r.permissionsBoundary;
      });
      return {};
    },
  };
}
