import type { RequestContext } from '../../aws/gateway/context.js';
import type { IamOperations, Policy, PolicyVersion } from '../../aws/models/generated/iam.js';
import type { Clock } from '../../core/clock.js';
import { parseArn } from '../../core/arn.js';
import {
  alreadyExists, checkPath, checkPolicyDocument, deleteConflict, encodePolicy, entityId, iamArn, iamPage, limitExceeded, mergeTags, noSuchEntity, now, removeTags,
} from './common.js';
import { attachmentCount } from './managed-policies.js';
import { iamScope, nameKey, type IamStore, type PolicyRecord } from './store.js';

type Ops = Partial<IamOperations<RequestContext>>;

const MAX_VERSIONS = 5;

function policyView(store: IamStore, accountId: string, p: PolicyRecord): Policy {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: attachmentCount(store, accountId, p.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: p.description,
    CreateDate: new Date(p.createDate),
    UpdateDate: new Date(p.updateDate),
    Tags: p.tags.length ? p.tags : undefined,
  };
}

function versionView(p: PolicyRecord, v: PolicyRecord['versions'][number], withDocument: boolean): PolicyVersion {
  return {
    Document: withDocument ? encodePolicy(v.document) : undefined,
    VersionId: v.versionId,
    IsDefaultVersion: v.versionId === p.defaultVersionId,
    CreateDate: new Date(v.createDate),
  };
}

export function policyOperations(store: IamStore, clock: Clock): Ops {
  const get = (accountId: string, arn: string): PolicyRecord => {
    const parsed = parseArn(arn);
    const name = parsed?.resource.startsWith('policy/') ? parsed.resource.split('/').pop()! : undefined;
    const p = name && parsed?.accountId === accountId ? store.policies.get(iamScope(accountId), nameKey(name)) : undefined;
    if (!p || p.arn !== arn) {
      const awsManaged = parsed?.accountId === 'aws' ? ' Slipway does not carry the documents of AWS managed policies.' : '';
      throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.${awsManaged}`);
    }
    return p;
  };
  const save = (accountId: string, p: PolicyRecord) => store.policies.put(iamScope(accountId), nameKey(p.name), p);

  return {
    async CreatePolicy(input, ctx) {
      const scope = iamScope(ctx.accountId);
      if (store.policies.has(scope, nameKey(input.PolicyName))) {
        throw alreadyExists(`A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
      }
      const path = checkPath(input.Path);
      const created = now(clock);
      const policy: PolicyRecord = {
        name: input.PolicyName,
        id: entityId('ANPA'),
        arn: iamArn(ctx.accountId, 'policy', path, input.PolicyName),
        path,
        createDate: created,
        updateDate: created,
        description: input.Description,
        defaultVersionId: 'v1',
        versions: [{ versionId: 'v1', document: checkPolicyDocument(input.PolicyDocument), createDate: created }],
        nextVersion: 2,
        tags: mergeTags([], input.Tags ?? []),
      };
      save(ctx.accountId, policy);
      return { Policy: policyView(store, ctx.accountId, policy) };
    },

    async GetPolicy(input, ctx) {
      return { Policy: policyView(store, ctx.accountId, get(ctx.accountId, input.PolicyArn)) };
    },

    async ListPolicies(input, ctx) {
      // Slipway holds no catalogue of AWS managed policies, so Scope=AWS lists none.
      const all = input.Scope === 'AWS' ? [] : store.policies.list(iamScope(ctx.accountId));
      const policies = all
        .map((p) => policyView(store, ctx.accountId, p))
        .filter((p) => !input.PathPrefix || p.Path!.startsWith(input.PathPrefix))
        .filter((p) => !input.OnlyAttached || (p.AttachmentCount ?? 0) > 0);
      const page = iamPage(policies, (p) => nameKey(p.PolicyName!), input.Marker, input.MaxItems);
      return { Policies: page.items.map((p) => ({ ...p, Tags: undefined })), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async DeletePolicy(input, ctx) {
      const p = get(ctx.accountId, input.PolicyArn);
      if (attachmentCount(store, ctx.accountId, p.arn) > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
      if (p.versions.length > 1) throw deleteConflict('This policy has more than one version. Before you delete a policy, you must delete the policy\'s versions. The default version is deleted with the policy.');
      store.policies.delete(iamScope(ctx.accountId), nameKey(p.name));
      return {};
    },

    async CreatePolicyVersion(input, ctx) {
      const p = get(ctx.accountId, input.PolicyArn);
      if (p.versions.length >= MAX_VERSIONS) throw limitExceeded(`A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
      const version = { versionId: `v${p.nextVersion}`, document: checkPolicyDocument(input.PolicyDocument), createDate: now(clock) };
      p.versions.push(version);
      p.nextVersion += 1;
      if (input.SetAsDefault) p.defaultVersionId = version.versionId;
      p.updateDate = version.createDate;
      save(ctx.accountId, p);
      return { PolicyVersion: versionView(p, version, false) };
    },

    async GetPolicyVersion(input, ctx) {
      const p = get(ctx.accountId, input.PolicyArn);
      const v = p.versions.find((x) => x.versionId === input.VersionId);
      if (!v) throw noSuchEntity(`Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
      return { PolicyVersion: versionView(p, v, true) };
    },

    async ListPolicyVersions(input, ctx) {
      const p = get(ctx.accountId, input.PolicyArn);
      const versions = [...p.versions].reverse().map((v) => versionView(p, v, false));
      const page = iamPage(versions, (v) => v.VersionId!.padStart(8, '0'), input.Marker, input.MaxItems);
      return { Versions: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async DeletePolicyVersion(input, ctx) {
      const p = get(ctx.accountId, input.PolicyArn);
      if (input.VersionId === p.defaultVersionId) throw deleteConflict('Cannot delete the default version of a policy.');
      const before = p.versions.length;
      p.versions = p.versions.filter((v) => v.versionId !== input.VersionId);
      if (p.versions.length === before) throw noSuchEntity(`Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
      save(ctx.accountId, p);
      return {};
    },

    async SetDefaultPolicyVersion(input, ctx) {
      const p = get(ctx.accountId, input.PolicyArn);
      if (!p.versions.some((v) => v.versionId === input.VersionId)) {
        throw noSuchEntity(`Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
      }
      p.defaultVersionId = input.VersionId;
      p.updateDate = now(clock);
      save(ctx.accountId, p);
      return {};
    },

    async TagPolicy(input, ctx) {
      const p = get(ctx.accountId, input.PolicyArn);
      p.tags = mergeTags(p.tags, input.Tags);
      save(ctx.accountId, p);
      return {};
    },

    async UntagPolicy(input, ctx) {
      const p = get(ctx.accountId, input.PolicyArn);
      p.tags = removeTags(p.tags, input.TagKeys);
      save(ctx.accountId, p);
      return {};
    },

    async ListPolicyTags(input, ctx) {
      const p = get(ctx.accountId, input.PolicyArn);
      const page = iamPage(p.tags, (t) => t.Key, input.Marker, input.MaxItems);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async ListEntitiesForPolicy(input, ctx) {
      const scope = iamScope(ctx.accountId);
      const has = (h: { attachedPolicies: string[] }) => h.attachedPolicies.includes(input.PolicyArn);
      const want = (kind: string) => !input.EntityFilter || input.EntityFilter === kind;
      return {
        PolicyRoles: want('Role') ? store.roles.list(scope).filter(has).map((r) => ({ RoleName: r.name, RoleId: r.id })) : [],
        PolicyUsers: want('User') ? store.users.list(scope).filter(has).map((u) => ({ UserName: u.name, UserId: u.id })) : [],
        PolicyGroups: want('Group') ? store.groups.list(scope).filter(has).map((g) => ({ GroupName: g.name, GroupId: g.id })) : [],
        IsTruncated: false,
      };
    },
  };
}
