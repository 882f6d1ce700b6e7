import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodedeployOperations, RevisionLocation } from '../../aws/models/generated/codedeploy.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import { paginate } from '../common/paging.js';
import { PREDEFINED_CONFIGS, predefined } from './configs.js';
import { checkTrafficRouting } from './lambda-shift.js';
import { revisionKey, type CodeDeployStore, type ConfigRecord } from './store.js';
import { applicationInfo } from './views.js';

const err = (code: string, message: string) => new ServiceError(code, message, { statusCode: 400 });
const token = (t: string) => err('InvalidNextTokenException', `The next token ${t} is not valid.`);

export function mustApp(store: CodeDeployStore, ctx: RequestContext, name: string | undefined) {
  if (!name) throw err('ApplicationNameRequiredException', 'The minimum number of required application names was not specified.');
  const app = store.applications.get(ctx, name);
  if (!app) throw err('ApplicationDoesNotExistException', `No application found for name: ${name}`);
  return app;
}

/** A deployment configuration by name: predefined or the account's own. */
export function findConfig(store: CodeDeployStore, ctx: RequestContext, name: string): ConfigRecord | undefined {
  const pre = predefined(name);
  if (pre) {
    const { deploymentConfigId, deploymentConfigName, computePlatform, minimumHealthyHosts, trafficRoutingConfig } = pre;
    return { deploymentConfigId: deploymentConfigId!, deploymentConfigName: deploymentConfigName!, computePlatform: computePlatform!, minimumHealthyHosts, trafficRoutingConfig, createTime: pre.createTime!.getTime() };
  }
  return store.configs.get(ctx, name);
}

/** S3 revisions only: GitHub ones need a GitHub connection Slipway does not have. */
export function checkRevision(rev: RevisionLocation | undefined): RevisionLocation {
  if (!rev) throw err('RevisionRequiredException', 'The revision ID was not specified.');
  if (rev.revisionType === 'GitHub' || rev.gitHubLocation) throw err('InvalidRevisionException', 'GitHub revisions are not supported: Slipway cannot reach GitHub. Upload the bundle to S3 (aws deploy push) and deploy the S3 revision.');
  if (rev.revisionType !== 'S3' || !rev.s3Location) throw err('InvalidRevisionException', `Revision type ${rev.revisionType ?? '(none)'} is not supported for EC2/On-Premises deployments: use an S3 revision.`);
  const s3 = rev.s3Location;
  if (!s3.bucket) throw err('InvalidRevisionException', 'The S3 revision has no bucket.');
  if (!s3.key) throw err('InvalidRevisionException', 'The S3 revision has no key.');
  if (!s3.bundleType || !['zip', 'tar', 'tgz'].includes(s3.bundleType)) throw err('InvalidRevisionException', 'The S3 revision needs a bundleType of zip, tar or tgz.');
  return rev;
}

export function appOperations(store: CodeDeployStore, clock: Clock): Partial<CodedeployOperations<RequestContext>> {
  return {
    async CreateApplication(input, ctx) {
      if (store.applications.has(ctx, input.applicationName)) throw err('ApplicationAlreadyExistsException', `The application ${input.applicationName} already exists.`);
      const applicationId = uuid();
      store.applications.put(ctx, input.applicationName, { applicationId, applicationName: input.applicationName, computePlatform: input.computePlatform ?? 'Server', createTime: clock.now(), tags: input.tags ?? [] });
      return { applicationId };
    },
    async GetApplication(input, ctx) {
      return { application: applicationInfo(mustApp(store, ctx, input.applicationName)) };
    },
    async BatchGetApplications(input, ctx) {
      if ((input.applicationNames?.length ?? 0) > 100) throw err('BatchLimitExceededException', 'The maximum number of names or IDs allowed for this request (100) was exceeded.');
      return { applicationsInfo: (input.applicationNames ?? []).map((n) => applicationInfo(mustApp(store, ctx, n))) };
    },
    async ListApplications(input, ctx) {
      const page = paginate(store.applications.list(ctx), (a) => a.applicationName, input.nextToken, 100, token);
      return { applications: page.items.map((a) => a.applicationName), nextToken: page.next };
    },
    async UpdateApplication(input, ctx) {
      const app = mustApp(store, ctx, input.applicationName);
      if (input.newApplicationName && input.newApplicationName !== app.applicationName) {
        if (store.applications.has(ctx, input.newApplicationName)) throw err('ApplicationAlreadyExistsException', `The application ${input.newApplicationName} already exists.`);
        store.applications.delete(ctx, app.applicationName);
        store.applications.put(ctx, input.newApplicationName, { ...app, applicationName: input.newApplicationName });
      }
      return {};
    },
    async DeleteApplication(input, ctx) {
      if (!store.applications.get(ctx, input.applicationName)) return {};
      for (const g of store.groups.list(ctx, `${input.applicationName}\u0000`)) store.groups.delete(ctx, `${g.applicationName}\u0000${g.deploymentGroupName}`);
      for (const r of store.revisions.list(ctx, `${input.applicationName}\u0000`)) store.revisions.delete(ctx, revisionKey(r.applicationName, r.revision));
      store.applications.delete(ctx, input.applicationName);
      return {};
    },

    async RegisterApplicationRevision(input, ctx) {
      mustApp(store, ctx, input.applicationName);
      const revision = checkRevision(input.revision);
      const key = revisionKey(input.applicationName, revision);
      const old = store.revisions.get(ctx, key);
      store.revisions.put(ctx, key, { ...(old ?? { deploymentGroups: [] }), applicationName: input.applicationName, revision, description: input.description ?? old?.description, registerTime: old?.registerTime ?? clock.now() });
      return {};
    },
    async GetApplicationRevision(input, ctx) {
      mustApp(store, ctx, input.applicationName);
      const rec = store.revisions.get(ctx, revisionKey(input.applicationName, checkRevision(input.revision)));
      if (!rec) throw err('RevisionDoesNotExistException', 'The named revision does not exist with the IAM user or AWS account.');
      return { applicationName: input.applicationName, revision: rec.revision, revisionInfo: revisionInfo(rec) };
    },
    async BatchGetApplicationRevisions(input, ctx) {
      mustApp(store, ctx, input.applicationName);
      const revisions = input.revisions.map((r) => {
        const rec = store.revisions.get(ctx, revisionKey(input.applicationName, checkRevision(r)));
        if (!rec) throw err('RevisionDoesNotExistException', 'The named revision does not exist with the IAM user or AWS account.');
        return { revisionLocation: rec.revision, genericRevisionInfo: revisionInfo(rec) };
      });
      return { applicationName: input.applicationName, revisions };
    },
    async ListApplicationRevisions(input, ctx) {
      mustApp(store, ctx, input.applicationName);
      let list = store.revisions.list(ctx, `${input.applicationName}\u0000`);
      if (input.s3Bucket) list = list.filter((r) => r.revision.s3Location?.bucket === input.s3Bucket);
      if (input.s3KeyPrefix) list = list.filter((r) => r.revision.s3Location?.key?.startsWith(input.s3KeyPrefix!));
      if (input.deployed === 'include') list = list.filter((r) => r.firstUsedTime);
      if (input.deployed === 'exclude') list = list.filter((r) => !r.firstUsedTime);
      const by = input.sortBy ?? 'registerTime';
      const sorted = [...list].sort((a, b) => ((by === 'firstUsedTime' ? a.firstUsedTime : by === 'lastUsedTime' ? a.lastUsedTime : a.registerTime) ?? 0) - ((by === 'firstUsedTime' ? b.firstUsedTime : by === 'lastUsedTime' ? b.lastUsedTime : b.registerTime) ?? 0));
      if (input.sortOrder === 'descending') sorted.reverse();
      const start = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(start) || start < 0) throw token(input.nextToken!);
      const items = sorted.slice(start, start + 100);
      return { revisions: items.map((r) => r.revision), nextToken: start + 100 < sorted.length ? Buffer.from(String(start + 100)).toString('base64url') : undefined };
    },

    async CreateDeploymentConfig(input, ctx) {
      if (input.deploymentConfigName.startsWith('CodeDeployDefault.') || findConfig(store, ctx, input.deploymentConfigName)) {
        throw err('DeploymentConfigAlreadyExistsException', `A deployment configuration with the name ${input.deploymentConfigName} already exists.`);
      }
      const platform = input.computePlatform ?? 'Server';
      const hosts = input.minimumHealthyHosts;
      if (platform === 'Server') {
        if (!hosts?.type || hosts.value === undefined) throw err('InvalidMinimumHealthyHostValueException', 'The minimum healthy instance value is required for the Server compute platform.');
        if (hosts.value < 0 || (hosts.type === 'FLEET_PERCENT' && hosts.value > 99)) throw err('InvalidMinimumHealthyHostValueException', `The minimum healthy instance value ${hosts.value} is not valid for type ${hosts.type}.`);
      } else if (hosts) throw err('InvalidMinimumHealthyHostValueException', 'Minimum healthy hosts apply only to the Server compute platform.');
      if (platform === 'Server' && input.trafficRoutingConfig) throw err('InvalidTrafficRoutingConfigurationException', 'A traffic routing configuration applies to the Lambda and ECS compute platforms only.');
      // Without one, a Lambda or ECS configuration shifts all traffic at once.
      const routing = platform === 'Server' ? undefined : checkTrafficRouting(input.trafficRoutingConfig ?? { type: 'AllAtOnce' });
      const deploymentConfigId = uuid();
      store.configs.put(ctx, input.deploymentConfigName, { deploymentConfigId, deploymentConfigName: input.deploymentConfigName, computePlatform: platform, minimumHealthyHosts: hosts, trafficRoutingConfig: routing, createTime: clock.now() });
      return { deploymentConfigId };
    },
    async GetDeploymentConfig(input, ctx) {
      const c = findConfig(store, ctx, input.deploymentConfigName);
      if (!c) throw err('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${input.deploymentConfigName}`);
      return { deploymentConfigInfo: { ...c, createTime: new Date(c.createTime) } };
    },
    async ListDeploymentConfigs(input, ctx) {
      const names = [...PREDEFINED_CONFIGS.map((c) => c.deploymentConfigName!), ...store.configs.list(ctx).map((c) => c.deploymentConfigName)];
      const page = paginate(names.sort(), (n) => n, input.nextToken, 100, token);
      return { deploymentConfigsList: page.items, nextToken: page.next };
    },
    async DeleteDeploymentConfig(input, ctx) {
      if (input.deploymentConfigName.startsWith('CodeDeployDefault.')) throw err('InvalidOperationException', 'A predefined deployment configuration cannot be deleted.');
      if (store.groups.list(ctx).some((g) => g.deploymentConfigName === input.deploymentConfigName)) throw err('DeploymentConfigInUseException', `The deployment configuration ${input.deploymentConfigName} is still in use.`);
      store.configs.delete(ctx, input.deploymentConfigName);
      return {};
    },
  };
}

function revisionInfo(r: { description?: string; deploymentGroups: string[]; firstUsedTime?: number; lastUsedTime?: number; registerTime: number }) {
  const d = (n?: number) => (n === undefined ? undefined : new Date(n));
  return { description: r.description, deploymentGroups: r.deploymentGroups, firstUsedTime: d(r.firstUsedTime), lastUsedTime: d(r.lastUsedTime), registerTime: d(r.registerTime) };
}
