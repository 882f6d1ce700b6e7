import type { RequestContext } from '../../aws/gateway/context.js';
import type { Group, IamOperations } from '../../aws/models/generated/iam.js';
import type { Clock } from '../../core/clock.js';
import { alreadyExists, checkPath, deleteConflict, entityId, iamArn, iamPage, noSuchEntity, now } from './common.js';
import { holderOperations } from './holder-ops.js';
import { iamScope, nameKey, type GroupRecord, type IamStore } from './store.js';
import { getUserRecord } from './users.js';

type Ops = Partial<IamOperations<RequestContext>>;

function groupView(g: GroupRecord): Group {
  return { Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: new Date(g.createDate) };
}

export function groupOperations(store: IamStore, clock: Clock): Ops {
  const load = (accountId: string, name: string): GroupRecord => {
    const g = store.groups.get(iamScope(accountId), nameKey(name));
    if (!g) throw noSuchEntity(`The group with name ${name} cannot be found.`);
    return g;
  };
  const save = (accountId: string, g: GroupRecord) => store.groups.put(iamScope(accountId), nameKey(g.name), g);
  const holder = holderOperations(store, 'group', load, save);

  return {
    async CreateGroup(input, ctx) {
      if (store.groups.has(iamScope(ctx.accountId), nameKey(input.GroupName))) throw alreadyExists(`Group with name ${input.GroupName} already exists.`);
      const path = checkPath(input.Path);
      const group: GroupRecord = {
        name: input.GroupName,
        id: entityId('AGPA'),
        arn: iamArn(ctx.accountId, 'group', path, input.GroupName),
        path,
        createDate: now(clock),
        inlinePolicies: {},
        attachedPolicies: [],
        members: [],
      };
      save(ctx.accountId, group);
      return { Group: groupView(group) };
    },

    async GetGroup(input, ctx) {
      const g = load(ctx.accountId, input.GroupName);
      const users = g.members.flatMap((m) => {
        const u = store.users.get(iamScope(ctx.accountId), m);
        return u ? [{ Path: u.path, UserName: u.name, UserId: u.id, Arn: u.arn, CreateDate: new Date(u.createDate) }] : [];
      });
      const page = iamPage(users, (u) => nameKey(u.UserName), input.Marker, input.MaxItems);
      return { Group: groupView(g), Users: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async ListGroups(input, ctx) {
      const groups = store.groups.list(iamScope(ctx.accountId)).filter((g) => !input.PathPrefix || g.path.startsWith(input.PathPrefix));
      const page = iamPage(groups, (g) => nameKey(g.name), input.Marker, input.MaxItems);
      return { Groups: page.items.map(groupView), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async ListGroupsForUser(input, ctx) {
      const u = getUserRecord(store, ctx.accountId, input.UserName);
      const groups = u.groups.flatMap((k) => store.groups.get(iamScope(ctx.accountId), k) ?? []);
      const page = iamPage(groups, (g) => nameKey(g.name), input.Marker, input.MaxItems);
      return { Groups: page.items.map(groupView), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async DeleteGroup(input, ctx) {
      const g = load(ctx.accountId, input.GroupName);
      if (g.members.length) throw deleteConflict('Cannot delete entity, must remove users from group first.');
      if (g.attachedPolicies.length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      if (Object.keys(g.inlinePolicies).length) throw deleteConflict('Cannot delete entity, must delete policies first.');
      store.groups.delete(iamScope(ctx.accountId), nameKey(g.name));
      return {};
    },

    async AddUserToGroup(input, ctx) {
      const g = load(ctx.accountId, input.GroupName);
      const u = getUserRecord(store, ctx.accountId, input.UserName);
      const [gk, uk] = [nameKey(g.name), nameKey(u.name)];
      if (!g.members.includes(uk)) g.members.push(uk);
      if (!u.groups.includes(gk)) u.groups.push(gk);
      save(ctx.accountId, g);
      store.users.put(iamScope(ctx.accountId), uk, u);
      return {};
    },

    async RemoveUserFromGroup(input, ctx) {
      const g = load(ctx.accountId, input.GroupName);
      const u = getUserRecord(store, ctx.accountId, input.UserName);
      const [gk, uk] = [nameKey(g.name), nameKey(u.name)];
      if (!g.members.includes(uk)) throw noSuchEntity(`The user with name ${input.UserName} cannot be found.`);
      g.members = g.members.filter((m) => m !== uk);
      u.groups = u.groups.filter((x) => x !== gk);
      save(ctx.accountId, g);
      store.users.put(iamScope(ctx.accountId), uk, u);
      return {};
    },

    PutGroupPolicy: async (input, ctx) => holder.put(ctx, input.GroupName, input.PolicyName, input.PolicyDocument),
    GetGroupPolicy: async (input, ctx) => {
      const { name, ...rest } = holder.get(ctx, input.GroupName, input.PolicyName);
      return { GroupName: name, ...rest };
    },
    ListGroupPolicies: async (input, ctx) => holder.list(ctx, input.GroupName, input.Marker, input.MaxItems),
    DeleteGroupPolicy: async (input, ctx) => holder.remove(ctx, input.GroupName, input.PolicyName),
    AttachGroupPolicy: async (input, ctx) => holder.attach(ctx, input.GroupName, input.PolicyArn),
    DetachGroupPolicy: async (input, ctx) => holder.detach(ctx, input.GroupName, input.PolicyArn),
    ListAttachedGroupPolicies: async (input, ctx) => holder.listAttached(ctx, input.GroupName, input.PathPrefix, input.Marker, input.MaxItems),
  };
}
