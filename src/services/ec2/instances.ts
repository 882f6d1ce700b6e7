import { join } from 'node:path';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { Ec2Operations, Filter, Instance, InstanceStateChange, Reservation, RunInstancesRequest, Tag } from '../../aws/models/generated/ec2.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import { hexId } from '../../core/ids.js';
import { allocateNetwork } from '../../runtime/instance-net.js';
import { prepareRoot } from '../../runtime/instance-fs.js';
import { paginate } from '../common/paging.js';
import { matchesFilters } from './filters.js';
import { hostname, stateOf, type InstanceLifecycle } from './lifecycle.js';
import { DEFAULT_VPC, subnetFor, type Ec2Store, type InstanceRecord, type StateName } from './store.js';

const INSTANCE_FILTERS = [
  'instance-id', 'instance-state-name', 'instance-state-code', 'instance-type', 'image-id', 'reservation-id', 'private-ip-address',
  'ip-address', 'availability-zone', 'vpc-id', 'subnet-id', 'key-name', 'iam-instance-profile.arn', 'private-dns-name',
] as const;

export function instanceOperations(store: Ec2Store, life: InstanceLifecycle, clock: Clock, dataDir: string): Partial<Ec2Operations<RequestContext>> {
  const lookup = (ctx: RequestContext, ids: string[]) => ids.map((id) => mustGet(store, ctx, id));

  const change = (ctx: RequestContext, ids: string[], next: StateName, allowed: StateName[], action: 'boot' | 'stop' | 'terminate', verb: string) => {
    const changes: InstanceStateChange[] = [];
    for (const rec of lookup(ctx, ids)) {
      const previous = rec.state;
      if (previous === next || previous === (action === 'boot' ? 'running' : action === 'stop' ? 'stopped' : 'terminated')) {
        changes.push({ InstanceId: rec.instanceId, CurrentState: stateOf(previous), PreviousState: stateOf(previous) });
        continue;
      }
      if (!allowed.includes(previous)) throw new ServiceError('IncorrectInstanceState', `The instance '${rec.instanceId}' is not in a state from which it can be ${verb}.`, { statusCode: 400 });
      store.instances.put(ctx, rec.instanceId, { ...rec, state: next });
      life.request(ctx, rec.instanceId, action);
      changes.push({ InstanceId: rec.instanceId, CurrentState: stateOf(next), PreviousState: stateOf(previous) });
    }
    return changes;
  };

  return {
    async RunInstances(input, ctx) {
      const count = checkCounts(input);
      const reservationId = `r-${hexId(17)}`;
      const az = input.Placement?.AvailabilityZone ?? `${ctx.region}a`;
      const records: InstanceRecord[] = [];
      for (let i = 0; i < count; i++) records.push(await newInstance(input, ctx, reservationId, i, az, clock, dataDir));
      for (const rec of records) {
        store.instances.put(ctx, rec.instanceId, rec);
        life.request(ctx, rec.instanceId, 'boot');
      }
      return { ReservationId: reservationId, OwnerId: ctx.accountId, Groups: [], Instances: records.map(toInstance) };
    },

    async DescribeInstances(input, ctx) {
      const wanted = input.InstanceIds?.length ? new Set(lookup(ctx, input.InstanceIds).map((r) => r.instanceId)) : undefined;
      const all = store.instances.list(ctx).filter((r) => (!wanted || wanted.has(r.instanceId)) && matchesFilters(filterable(r), input.Filters, INSTANCE_FILTERS));
      const page = input.MaxResults || input.NextToken ? paginate(all, (r) => r.instanceId, input.NextToken, Math.max(5, Math.min(input.MaxResults ?? 1000, 1000))) : { items: all };
      return { Reservations: reservations(page.items), NextToken: page.next };
    },

    async DescribeInstanceStatus(input, ctx) {
      const wanted = input.InstanceIds?.length ? new Set(lookup(ctx, input.InstanceIds).map((r) => r.instanceId)) : undefined;
      const all = store.instances.list(ctx).filter((r) => (!wanted || wanted.has(r.instanceId)) && (input.IncludeAllInstances || r.state === 'running'));
      const matched = all.filter((r) => matchesFilters(filterable(r), statusFilters(input.Filters), INSTANCE_FILTERS));
      const page = paginate(matched, (r) => r.instanceId, input.NextToken, input.MaxResults ?? 1000);
      return {
        NextToken: page.next,
        InstanceStatuses: page.items.map((r) => {
          // An instance whose processes ended by themselves fails its instance status check.
          const running = r.state === 'running';
          const impaired = running && life.impaired(r.instanceId);
          const system = { Status: running ? 'ok' as const : 'not-applicable' as const, Details: running ? [{ Name: 'reachability' as const, Status: 'passed' as const }] : [] };
          const instance = impaired ? { Status: 'impaired' as const, Details: [{ Name: 'reachability' as const, Status: 'failed' as const }] } : system;
          return { InstanceId: r.instanceId, AvailabilityZone: r.availabilityZone, InstanceState: stateOf(r.state), InstanceStatus: instance, SystemStatus: system, Events: [] };
        }),
      };
    },

    async StartInstances(input, ctx) {
      return { StartingInstances: change(ctx, input.InstanceIds, 'pending', ['stopped'], 'boot', 'started') };
    },

    async StopInstances(input, ctx) {
      return { StoppingInstances: change(ctx, input.InstanceIds, 'stopping', ['running', 'pending'], 'stop', 'stopped') };
    },

    async TerminateInstances(input, ctx) {
      return { TerminatingInstances: change(ctx, input.InstanceIds, 'shutting-down', ['running', 'pending', 'stopped', 'stopping'], 'terminate', 'terminated') };
    },

    async RebootInstances(input, ctx) {
      for (const rec of lookup(ctx, input.InstanceIds)) {
        if (rec.state !== 'running') throw new ServiceError('IncorrectInstanceState', `The instance '${rec.instanceId}' is not in a state from which it can be rebooted.`, { statusCode: 400 });
        life.request(ctx, rec.instanceId, 'reboot');
      }
      return {};
    },
  };
}

export function mustGet(store: Ec2Store, ctx: RequestContext, id: string): InstanceRecord {
  if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw new ServiceError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`, { statusCode: 400 });
  const rec = store.instances.get(ctx, id);
  if (!rec) throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`, { statusCode: 400 });
  return rec;
}

function checkCounts(input: RunInstancesRequest): number {
  if (input.MinCount < 1 || input.MaxCount < input.MinCount) {
    throw new ServiceError('InvalidParameterValue', `Invalid value for MinCount/MaxCount: MinCount ${input.MinCount}, MaxCount ${input.MaxCount}`, { statusCode: 400 });
  }
  if (!input.ImageId && !input.LaunchTemplate) throw new ServiceError('MissingParameter', 'The request must contain the parameter ImageId', { statusCode: 400 });
  if (input.MaxCount > 20 && input.MinCount > 20) {
    throw new ServiceError('InstanceLimitExceeded', `You have requested more instances (${input.MinCount}) than your current instance limit of 20 allows for the specified instance type.`, { statusCode: 400 });
  }
  return Math.min(input.MaxCount, 20);
}

async function newInstance(input: RunInstancesRequest, ctx: RequestContext, reservationId: string, index: number, az: string, clock: Clock, dataDir: string): Promise<InstanceRecord> {
  const instanceId = `i-${hexId(17)}`;
  const root = join(dataDir, 'instances', instanceId, 'root');
  prepareRoot(root);
  const tags: Tag[] = (input.TagSpecifications ?? []).filter((s) => s.ResourceType === 'instance').flatMap((s) => s.Tags ?? []);
  const profile = input.IamInstanceProfile;
  return {
    instanceId,
    reservationId,
    ownerId: ctx.accountId,
    imageId: input.ImageId ?? 'ami-00000000000000000',
    instanceType: input.InstanceType ?? 'm1.small',
    keyName: input.KeyName,
    launchIndex: index,
    launchTime: new Date(clock.now()).toISOString(),
    state: 'pending',
    transitionReason: '',
    tags,
    userData: input.UserData,
    userDataRan: false,
    iamInstanceProfileArn: profile?.Arn ?? (profile?.Name ? `arn:aws:iam::${ctx.accountId}:instance-profile/${profile.Name}` : undefined),
    availabilityZone: az,
    subnetId: input.SubnetId ?? subnetFor(az),
    vpcId: DEFAULT_VPC.vpcId,
    securityGroups: [{ GroupId: DEFAULT_VPC.sgId, GroupName: 'default' }],
    network: await allocateNetwork(),
    root,
  };
}

function filterable(r: InstanceRecord) {
  return {
    tags: r.tags,
    values: {
      'instance-id': [r.instanceId],
      'instance-state-name': [r.state],
      'instance-state-code': [String(stateOf(r.state).Code)],
      'instance-type': [r.instanceType],
      'image-id': [r.imageId],
      'reservation-id': [r.reservationId],
      'private-ip-address': [r.network.address],
      'ip-address': [r.network.address],
      'availability-zone': [r.availabilityZone],
      'vpc-id': [r.vpcId],
      'subnet-id': [r.subnetId],
      'key-name': [r.keyName],
      'iam-instance-profile.arn': [r.iamInstanceProfileArn],
      'private-dns-name': [privateDns(r)],
    },
  };
}

/** DescribeInstanceStatus names the state filter `instance-state-name` too; its status filters are answered by state. */
function statusFilters(filters: Filter[] | undefined): Filter[] | undefined {
  return filters?.filter((f) => !['instance-status.status', 'system-status.status', 'instance-status.reachability', 'system-status.reachability', 'event.code'].includes(f.Name ?? ''));
}

function privateDns(r: InstanceRecord): string {
  return `${hostname(r.network.address)}.ec2.internal`;
}

export function toInstance(r: InstanceRecord): Instance {
  const live = r.state !== 'terminated';
  return {
    InstanceId: r.instanceId,
    ImageId: r.imageId,
    InstanceType: r.instanceType as Instance['InstanceType'],
    KeyName: r.keyName,
    AmiLaunchIndex: r.launchIndex,
    LaunchTime: new Date(r.launchTime),
    State: stateOf(r.state),
    StateTransitionReason: r.transitionReason,
    Placement: { AvailabilityZone: r.availabilityZone, Tenancy: 'default', GroupName: '' },
    Monitoring: { State: 'disabled' },
    Tags: r.tags.length ? r.tags : undefined,
    IamInstanceProfile: r.iamInstanceProfileArn ? { Arn: r.iamInstanceProfileArn, Id: `AIPA${r.instanceId.slice(2, 19).toUpperCase()}` } : undefined,
    PrivateIpAddress: live ? r.network.address : undefined,
    PublicIpAddress: r.state === 'running' || r.state === 'pending' ? r.network.address : undefined,
    PrivateDnsName: live ? privateDns(r) : '',
    PublicDnsName: '',
    SubnetId: live ? r.subnetId : undefined,
    VpcId: live ? r.vpcId : undefined,
    SecurityGroups: live ? r.securityGroups : [],
    Architecture: 'x86_64',
    RootDeviceType: 'ebs',
    RootDeviceName: '/dev/xvda',
    VirtualizationType: 'hvm',
    Hypervisor: 'xen',
    EbsOptimized: false,
    EnaSupport: true,
    SourceDestCheck: true,
    PlatformDetails: 'Linux/UNIX',
  };
}

function reservations(items: InstanceRecord[]): Reservation[] {
  const byId = new Map<string, Reservation>();
  for (const r of items) {
    let res = byId.get(r.reservationId);
    if (!res) byId.set(r.reservationId, (res = { ReservationId: r.reservationId, OwnerId: r.ownerId, Groups: [], Instances: [] }));
    res.Instances!.push(toInstance(r));
  }
  return [...byId.values()];
}
