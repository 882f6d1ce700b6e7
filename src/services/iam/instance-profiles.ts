import type { RequestContext } from '../../aws/gateway/context.js';
import type { IamOperations, InstanceProfile } from '../../aws/models/generated/iam.js';
import type { Clock } from '../../core/clock.js';
import { alreadyExists, checkPath, deleteConflict, entityId, iamArn, iamPage, limitExceeded, mergeTags, noSuchEntity, now, removeTags } from './common.js';
import { getRoleRecord, roleView } from './roles.js';
import { iamScope, nameKey, type IamStore, type InstanceProfileRecord } from './store.js';

type Ops = Partial<IamOperations<RequestContext>>;

export function instanceProfileOperations(store: IamStore, clock: Clock): Ops {
  const get = (accountId: string, name: string): InstanceProfileRecord => {
    const p = store.instanceProfiles.get(iamScope(accountId), nameKey(name));
    if (!p) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
    return p;
  };
  const save = (accountId: string, p: InstanceProfileRecord) => store.instanceProfiles.put(iamScope(accountId), nameKey(p.name), p);
  const view = (accountId: string, p: InstanceProfileRecord): InstanceProfile => ({
    Path: p.path,
    InstanceProfileName: p.name,
    InstanceProfileId: p.id,
    Arn: p.arn,
    CreateDate: new Date(p.createDate),
    Roles: p.roles.flatMap((r) => {
      const role = store.roles.get(iamScope(accountId), r);
      return role ? [roleView(role)] : [];
    }),
    Tags: p.tags.length ? p.tags : undefined,
  });

  return {
    async CreateInstanceProfile(input, ctx) {
      if (store.instanceProfiles.has(iamScope(ctx.accountId), nameKey(input.InstanceProfileName))) {
        throw alreadyExists(`Instance Profile ${input.InstanceProfileName} already exists.`);
      }
      const path = checkPath(input.Path);
      const profile: InstanceProfileRecord = {
        name: input.InstanceProfileName,
        id: entityId('AIPA'),
        arn: iamArn(ctx.accountId, 'instance-profile', path, input.InstanceProfileName),
        path,
        createDate: now(clock),
        tags: mergeTags([], input.Tags ?? []),
        roles: [],
      };
      save(ctx.accountId, profile);
      return { InstanceProfile: view(ctx.accountId, profile) };
    },

    async GetInstanceProfile(input, ctx) {
      return { InstanceProfile: view(ctx.accountId, get(ctx.accountId, input.InstanceProfileName)) };
    },

    async ListInstanceProfiles(input, ctx) {
      const all = store.instanceProfiles.list(iamScope(ctx.accountId)).filter((p) => !input.PathPrefix || p.path.startsWith(input.PathPrefix));
      const page = iamPage(all, (p) => nameKey(p.name), input.Marker, input.MaxItems);
      return { InstanceProfiles: page.items.map((p) => view(ctx.accountId, p)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async ListInstanceProfilesForRole(input, ctx) {
      const role = getRoleRecord(store, ctx.accountId, input.RoleName);
      const all = store.instanceProfiles.list(iamScope(ctx.accountId)).filter((p) => p.roles.includes(nameKey(role.name)));
      const page = iamPage(all, (p) => nameKey(p.name), input.Marker, input.MaxItems);
      return { InstanceProfiles: page.items.map((p) => view(ctx.accountId, p)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async DeleteInstanceProfile(input, ctx) {
      const p = get(ctx.accountId, input.InstanceProfileName);
      if (p.roles.length) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
      store.instanceProfiles.delete(iamScope(ctx.accountId), nameKey(p.name));
      return {};
    },

    async AddRoleToInstanceProfile(input, ctx) {
      const p = get(ctx.accountId, input.InstanceProfileName);
      const role = getRoleRecord(store, ctx.accountId, input.RoleName);
      if (p.roles.includes(nameKey(role.name))) throw limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
      if (p.roles.length >= 1) throw limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
      p.roles.push(nameKey(role.name));
      save(ctx.accountId, p);
      return {};
    },

    async RemoveRoleFromInstanceProfile(input, ctx) {
      const p = get(ctx.accountId, input.InstanceProfileName);
      const key = nameKey(input.RoleName);
      if (!p.roles.includes(key)) throw noSuchEntity(`The role with name ${input.RoleName} cannot be found.`);
      p.roles = p.roles.filter((r) => r !== key);
      save(ctx.accountId, p);
      return {};
    },

    async TagInstanceProfile(input, ctx) {
      const p = get(ctx.accountId, input.InstanceProfileName);
      p.tags = mergeTags(p.tags, input.Tags);
      save(ctx.accountId, p);
      return {};
    },

    async UntagInstanceProfile(input, ctx) {
      const p = get(ctx.accountId, input.InstanceProfileName);
      p.tags = removeTags(p.tags, input.TagKeys);
      save(ctx.accountId, p);
      return {};
    },

    async ListInstanceProfileTags(input, ctx) {
      const p = get(ctx.accountId, input.InstanceProfileName);
      const page = iamPage(p.tags, (t) => t.Key, input.Marker, input.MaxItems);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  };
}
