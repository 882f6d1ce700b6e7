import { join } from 'node:path';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodedeployOperations, InstanceInfo } from '../../aws/models/generated/codedeploy.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import { hexId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import { prepareRoot } from '../../runtime/instance-fs.js';
import type { InstanceHost } from '../../runtime/instance-host.js';
import { allocateNetwork } from '../../runtime/instance-net.js';
import type { CodeDeployStore, OnPremRecord } from './store.js';
import { selected } from './targets.js';

const err = (code: string, message: string) => new ServiceError(code, message, { statusCode: 400 });

function info(r: OnPremRecord): InstanceInfo {
  return {
    instanceName: r.instanceName, iamSessionArn: r.iamSessionArn, iamUserArn: r.iamUserArn, instanceArn: r.instanceArn,
    registerTime: new Date(r.registerTime), deregisterTime: r.deregisterTime ? new Date(r.deregisterTime) : undefined, tags: r.tags,
  };
}

/** Registered on-premises instances are local instances too: booted at registration and after restarts. */
export class OnPremInstances {
  constructor(
    private readonly store: CodeDeployStore,
    private readonly host: InstanceHost,
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  async boot(r: OnPremRecord): Promise<void> {
    await this.host.boot({ id: r.localId, root: r.root, network: r.network, hostname: r.instanceName.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63) });
  }

  async resume(): Promise<void> {
    for (const { value } of this.store.onPrem.all()) {
      if (!value.deregisterTime) await this.boot(value).catch((e: unknown) => this.log.warn('on-premises instance did not come back', { name: value.instanceName, error: String(e) }));
    }
  }

  async register(scope: Scope, name: string, arns: { iamSessionArn?: string; iamUserArn?: string }, now: number): Promise<void> {
    const localId = `mi-${hexId(17)}`;
    const root = join(this.dataDir, 'on-premises', localId, 'root');
    prepareRoot(root);
    const rec: OnPremRecord = {
      instanceName: name, ...arns, instanceArn: `arn:aws:codedeploy:${scope.region}:${scope.accountId}:instance/${name}`, registerTime: now, tags: [], localId, root,
      network: await allocateNetwork(),
    };
    this.store.onPrem.put(scope, name, rec);
    await this.boot(rec);
  }
}

export function onPremOperations(store: CodeDeployStore, onPrem: OnPremInstances, host: InstanceHost, clock: Clock): Partial<CodedeployOperations<RequestContext>> {
  const must = (ctx: RequestContext, name: string | undefined) => {
    if (!name) throw err('InstanceNameRequiredException', 'An on-premises instance name was not specified.');
    const r = store.onPrem.get(ctx, name);
    if (!r) throw err('InstanceNotRegisteredException', `The on-premises instance ${name} is not registered.`);
    return r;
  };
  return {
    async RegisterOnPremisesInstance(input, ctx) {
      if (input.iamSessionArn && input.iamUserArn) throw err('MultipleIamArnsProvidedException', 'Both an IAM user ARN and an IAM session ARN were included in the request. Use only one ARN type.');
      if (!input.iamSessionArn && !input.iamUserArn) throw err('IamArnRequiredException', 'No IAM ARN was included in the request. You must use an IAM session ARN or user ARN in the request.');
      const old = store.onPrem.get(ctx, input.instanceName);
      if (old && !old.deregisterTime) throw err('InstanceNameAlreadyRegisteredException', `The specified on-premises instance name ${input.instanceName} is already registered.`);
      await onPrem.register(ctx, input.instanceName, { iamSessionArn: input.iamSessionArn, iamUserArn: input.iamUserArn }, clock.now());
      return {};
    },
    async DeregisterOnPremisesInstance(input, ctx) {
      const r = must(ctx, input.instanceName);
      await host.halt(r.localId, r.network);
      store.onPrem.put(ctx, r.instanceName, { ...r, deregisterTime: clock.now() });
      return {};
    },
    async GetOnPremisesInstance(input, ctx) {
      return { instanceInfo: info(must(ctx, input.instanceName)) };
    },
    async BatchGetOnPremisesInstances(input, ctx) {
      return { instanceInfos: (input.instanceNames ?? []).map((n) => store.onPrem.get(ctx, n)).filter((r): r is OnPremRecord => !!r).map(info) };
    },
    async ListOnPremisesInstances(input, ctx) {
      const list = store.onPrem
        .list(ctx)
        .filter((r) => !input.registrationStatus || (input.registrationStatus === 'Registered') === !r.deregisterTime)
        .filter((r) => !input.tagFilters?.length || selected(r, input.tagFilters, undefined));
      return { instanceNames: list.map((r) => r.instanceName) };
    },
    async AddTagsToOnPremisesInstances(input, ctx) {
      if (input.tags.length > 10) throw err('TagLimitExceededException', 'The maximum allowed number of tags was exceeded.');
      for (const r of input.instanceNames.map((n) => must(ctx, n))) {
        const tags = r.tags.filter((t) => !input.tags.some((n) => n.Key === t.Key));
        store.onPrem.put(ctx, r.instanceName, { ...r, tags: [...tags, ...input.tags] });
      }
      return {};
    },
    async RemoveTagsFromOnPremisesInstances(input, ctx) {
      for (const r of input.instanceNames.map((n) => must(ctx, n))) {
        store.onPrem.put(ctx, r.instanceName, { ...r, tags: r.tags.filter((t) => !input.tags.some((d) => d.Key === t.Key && (d.Value === undefined || d.Value === t.Value))) });
      }
      return {};
    },
  };
}
