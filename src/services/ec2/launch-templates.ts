import type { RequestContext } from '../../aws/gateway/context.js';
import type {
  DeleteLaunchTemplateVersionsResponseErrorItem, DeleteLaunchTemplateVersionsResponseSuccessItem, Ec2Operations, LaunchTemplate, LaunchTemplateVersion,
  RequestLaunchTemplateData, ResponseLaunchTemplateData, Tag,
} from '../../aws/models/generated/ec2.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import { hexId } from '../../core/ids.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';
import { paginate } from '../common/paging.js';
import { matchesFilters } from './filters.js';

export interface TemplateVersion {
  number: number;
  description?: string;
  createTime: string;
  data: RequestLaunchTemplateData;
}

export interface TemplateRecord {
  id: string;
  name: string;
  createTime: string;
  createdBy: string;
  defaultVersion: number;
  latestVersion: number;
  tags: Tag[];
  versions: TemplateVersion[];
}

/** Identifies a template by id or name, as every launch template operation does. */
export interface TemplateRef {
  LaunchTemplateId?: string;
  LaunchTemplateName?: string;
}

const FILTERS = ['launch-template-name', 'create-time'] as const;

/** Launch templates, their numbered versions and default version, kept as documents. */
export class LaunchTemplates {
  readonly docs: Collection<TemplateRecord>;

  constructor(db: Database) {
    this.docs = new Collection(db, 'ec2.launch-templates');
  }

  find(ctx: RequestContext, ref: TemplateRef): TemplateRecord {
    if (ref.LaunchTemplateId && ref.LaunchTemplateName) {
      throw new ServiceError('InvalidParameterCombination', 'You can specify either a launch template ID or a launch template name in the request, but not both.', { statusCode: 400 });
    }
    if (ref.LaunchTemplateId) {
      if (!/^lt-[0-9a-f]{17}$/.test(ref.LaunchTemplateId)) throw new ServiceError('InvalidLaunchTemplateId.Malformed', `The specified ID (${ref.LaunchTemplateId}) is not a valid launch template ID.`, { statusCode: 400 });
      const rec = this.docs.get(ctx, ref.LaunchTemplateId);
      if (!rec) throw new ServiceError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${ref.LaunchTemplateId}, does not exist.`, { statusCode: 400 });
      return rec;
    }
    if (!ref.LaunchTemplateName) throw new ServiceError('MissingParameter', 'The request must include either the launch template ID or the launch template name.', { statusCode: 400 });
    const rec = this.docs.list(ctx).find((t) => t.name === ref.LaunchTemplateName);
    if (!rec) throw new ServiceError('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${ref.LaunchTemplateName}, does not exist.`, { statusCode: 400 });
    return rec;
  }

  /** The version a `$Latest`, `$Default` or number selects (absent: the default). */
  version(rec: TemplateRecord, selector: string | undefined): TemplateVersion {
    const number = selector === undefined || selector === '$Default' ? rec.defaultVersion : selector === '$Latest' ? rec.latestVersion : /^\d+$/.test(selector) ? Number(selector) : NaN;
    if (Number.isNaN(number)) throw new ServiceError('InvalidLaunchTemplateId.VersionNotFound', `The launch template version ${selector} is not valid. Specify a version number, $Latest or $Default.`, { statusCode: 400 });
    const v = rec.versions.find((x) => x.number === number);
    if (!v) throw new ServiceError('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${number} for launch template ID ${rec.id}`, { statusCode: 400 });
    return v;
  }
}

export function launchTemplateOperations(store: LaunchTemplates, clock: Clock): Partial<Ec2Operations<RequestContext>> {
  const now = () => new Date(clock.now()).toISOString();
  return {
    async CreateLaunchTemplate(input, ctx) {
      checkName(input.LaunchTemplateName);
      if (store.docs.list(ctx).some((t) => t.name === input.LaunchTemplateName)) {
        throw new ServiceError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`, { statusCode: 400 });
      }
      const tags = (input.TagSpecifications ?? []).filter((s) => s.ResourceType === 'launch-template').flatMap((s) => s.Tags ?? []);
      const rec: TemplateRecord = {
        id: `lt-${hexId(17)}`, name: input.LaunchTemplateName, createTime: now(), createdBy: `arn:aws:iam::${ctx.accountId}:root`,
        defaultVersion: 1, latestVersion: 1, tags, versions: [{ number: 1, description: input.VersionDescription, createTime: now(), data: input.LaunchTemplateData }],
      };
      store.docs.put(ctx, rec.id, rec);
      return { LaunchTemplate: toTemplate(rec) };
    },

    async CreateLaunchTemplateVersion(input, ctx) {
      const rec = store.find(ctx, input);
      // A source version's data is the base; the new data's members replace its members.
      const base = input.SourceVersion !== undefined ? store.version(rec, input.SourceVersion).data : {};
      const v: TemplateVersion = { number: rec.latestVersion + 1, description: input.VersionDescription, createTime: now(), data: { ...base, ...input.LaunchTemplateData } };
      store.docs.put(ctx, rec.id, { ...rec, latestVersion: v.number, versions: [...rec.versions, v] });
      return { LaunchTemplateVersion: toVersion(rec, v) };
    },

    async DescribeLaunchTemplates(input, ctx) {
      const named = input.LaunchTemplateNames?.length ? input.LaunchTemplateNames.map((n) => store.find(ctx, { LaunchTemplateName: n })) : undefined;
      const byId = input.LaunchTemplateIds?.length ? input.LaunchTemplateIds.map((id) => store.find(ctx, { LaunchTemplateId: id })) : undefined;
      const wanted = named || byId ? new Set([...(named ?? []), ...(byId ?? [])].map((t) => t.id)) : undefined;
      const all = store.docs.list(ctx).filter((t) => (!wanted || wanted.has(t.id)) && matchesFilters({ tags: t.tags, values: { 'launch-template-name': [t.name], 'create-time': [t.createTime] } }, input.Filters, FILTERS));
      const page = paginate(all, (t) => t.id, input.NextToken, input.MaxResults ?? 1000);
      return { LaunchTemplates: page.items.map(toTemplate), NextToken: page.next };
    },

    async DescribeLaunchTemplateVersions(input, ctx) {
      const rec = store.find(ctx, input);
      let versions = input.Versions?.length ? input.Versions.map((s) => store.version(rec, s)) : rec.versions;
      if (input.MinVersion !== undefined) versions = versions.filter((v) => v.number >= store.version(rec, input.MinVersion).number);
      if (input.MaxVersion !== undefined) versions = versions.filter((v) => v.number <= store.version(rec, input.MaxVersion).number);
      const sorted = [...new Map(versions.map((v) => [v.number, v])).values()].sort((a, b) => b.number - a.number);
      const page = paginate(sorted, (v) => String(1e9 - v.number), input.NextToken, input.MaxResults ?? 1000);
      return { LaunchTemplateVersions: page.items.map((v) => toVersion(rec, v)), NextToken: page.next };
    },

    async ModifyLaunchTemplate(input, ctx) {
      const rec = store.find(ctx, input);
      const next = input.DefaultVersion !== undefined ? { ...rec, defaultVersion: store.version(rec, input.DefaultVersion).number } : rec;
      store.docs.put(ctx, rec.id, next);
      return { LaunchTemplate: toTemplate(next) };
    },

    async DeleteLaunchTemplate(input, ctx) {
      const rec = store.find(ctx, input);
      store.docs.delete(ctx, rec.id);
      return { LaunchTemplate: toTemplate(rec) };
    },

    async DeleteLaunchTemplateVersions(input, ctx) {
      const rec = store.find(ctx, input);
      const ok: DeleteLaunchTemplateVersionsResponseSuccessItem[] = [];
      const failed: DeleteLaunchTemplateVersionsResponseErrorItem[] = [];
      let versions = rec.versions;
      for (const selector of input.Versions) {
        const item = { LaunchTemplateId: rec.id, LaunchTemplateName: rec.name, VersionNumber: /^\d+$/.test(selector) ? Number(selector) : undefined };
        const v = versions.find((x) => x.number === item.VersionNumber);
        if (!v) failed.push({ ...item, ResponseError: { Code: 'launchTemplateVersionDoesNotExist', Message: 'The specified launch template version does not exist.' } });
        else if (v.number === rec.defaultVersion) failed.push({ ...item, ResponseError: { Code: 'unexpectedError', Message: 'Cannot delete the default version of a launch template.' } });
        else {
          versions = versions.filter((x) => x !== v);
          ok.push(item);
        }
      }
      store.docs.put(ctx, rec.id, { ...rec, versions });
      return { SuccessfullyDeletedLaunchTemplateVersions: ok, UnsuccessfullyDeletedLaunchTemplateVersions: failed };
    },
  };
}

function checkName(name: string): void {
  if (name.length < 3 || name.length > 128 || !/^[a-zA-Z0-9().\-/_]+$/.test(name)) {
    throw new ServiceError('InvalidLaunchTemplateName.MalformedException', `A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'`, { statusCode: 400 });
  }
}

function toTemplate(rec: TemplateRecord): LaunchTemplate {
  return {
    LaunchTemplateId: rec.id, LaunchTemplateName: rec.name, CreateTime: new Date(rec.createTime), CreatedBy: rec.createdBy,
    DefaultVersionNumber: rec.defaultVersion, LatestVersionNumber: rec.latestVersion, Tags: rec.tags.length ? rec.tags : undefined,
  };
}

function toVersion(rec: TemplateRecord, v: TemplateVersion): LaunchTemplateVersion {
  return {
    LaunchTemplateId: rec.id, LaunchTemplateName: rec.name, VersionNumber: v.number, VersionDescription: v.description,
    CreateTime: new Date(v.createTime), CreatedBy: rec.createdBy, DefaultVersion: v.number === rec.defaultVersion, LaunchTemplateData: responseData(v.data),
  };
}

/** The request and response shapes share these members' names and layouts. */
function responseData(d: RequestLaunchTemplateData): ResponseLaunchTemplateData {
  return {
    ImageId: d.ImageId, InstanceType: d.InstanceType, KeyName: d.KeyName, UserData: d.UserData, EbsOptimized: d.EbsOptimized,
    IamInstanceProfile: d.IamInstanceProfile, SecurityGroupIds: d.SecurityGroupIds, SecurityGroups: d.SecurityGroups,
    TagSpecifications: d.TagSpecifications, Monitoring: d.Monitoring,
    Placement: d.Placement ? { AvailabilityZone: d.Placement.AvailabilityZone, Tenancy: d.Placement.Tenancy, GroupName: d.Placement.GroupName } : undefined,
    InstanceInitiatedShutdownBehavior: d.InstanceInitiatedShutdownBehavior, DisableApiTermination: d.DisableApiTermination,
  };
}
