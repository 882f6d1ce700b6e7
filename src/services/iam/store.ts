import { GLOBAL_REGION, type Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';
import type { Tag } from '../../aws/models/generated/iam.js';

/** Inline policies (name -> JSON document) and attached managed policy ARNs of a role, user or group. */
export interface PolicyHolder {
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
}

interface Entity {
  name: string;
  id: string;
  arn: string;
  path: string;
  createDate: string;
  tags: Tag[];
}

export interface RoleRecord extends Entity, PolicyHolder {
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
}

export interface UserRecord extends Entity, PolicyHolder {
  permissionsBoundary?: string;
  groups: string[];
}

export interface GroupRecord extends Omit<Entity, 'tags'>, PolicyHolder {
  members: string[];
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createDate: string;
}

export interface PolicyRecord extends Entity {
  description?: string;
  updateDate: string;
  defaultVersionId: string;
  versions: PolicyVersionRecord[];
  nextVersion: number;
}

export interface InstanceProfileRecord extends Entity {
  roles: string[];
}

export interface AccessKeyRecord {
  accessKeyId: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createDate: string;
}

/** IAM is global: everything lives in the account's GLOBAL_REGION scope. Names are case-insensitive keys. */
export class IamStore {
  readonly roles: Collection<RoleRecord>;
  readonly users: Collection<UserRecord>;
  readonly groups: Collection<GroupRecord>;
  readonly policies: Collection<PolicyRecord>;
  readonly instanceProfiles: Collection<InstanceProfileRecord>;
  readonly accessKeys: Collection<AccessKeyRecord>;

  constructor(db: Database) {
    this.roles = new Collection(db, 'iam.roles');
    this.users = new Collection(db, 'iam.users');
    this.groups = new Collection(db, 'iam.groups');
    this.policies = new Collection(db, 'iam.policies');
    this.instanceProfiles = new Collection(db, 'iam.instance-profiles');
    this.accessKeys = new Collection(db, 'iam.access-keys');
  }
}

export function iamScope(accountId: string): Scope {
  return { accountId, region: GLOBAL_REGION };
}

export function nameKey(name: string): string {
  return name.toLowerCase();
}
