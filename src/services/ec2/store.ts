import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';
import type { InstanceNetwork } from '../../runtime/instance-net.js';
import type { Tag } from '../../aws/models/generated/ec2.js';

export type StateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** AWS's instance state codes (the low byte of InstanceState.Code). */
export const STATE_CODES: Record<StateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface InstanceRecord {
  instanceId: string;
  reservationId: string;
  ownerId: string;
  imageId: string;
  instanceType: string;
  keyName?: string;
  launchIndex: number;
  launchTime: string;
  state: StateName;
  stateReason?: string;
  transitionReason: string;
  tags: Tag[];
  userData?: string;
  /** User data runs at the first boot only, as cloud-init does by default. */
  userDataRan: boolean;
  iamInstanceProfileArn?: string;
  availabilityZone: string;
  subnetId: string;
  vpcId: string;
  securityGroups: { GroupId: string; GroupName: string }[];
  network: InstanceNetwork;
  /** The instance's root directory on the host. */
  root: string;
}

export class Ec2Store {
  readonly instances: Collection<InstanceRecord>;

  constructor(db: Database) {
    this.instances = new Collection(db, 'ec2.instances');
  }
}

/** The default VPC's fixed identities (one per account and region, like AWS's default VPC). */
export const DEFAULT_VPC = { vpcId: 'vpc-0a1b2c3d4e5f60001', cidr: '172.31.0.0/16', sgId: 'sg-0a1b2c3d4e5f60001' };

export function subnetFor(az: string): string {
  const letter = az.charCodeAt(az.length - 1) - 96;
  return `subnet-0a1b2c3d4e5f6000${letter}`;
}
