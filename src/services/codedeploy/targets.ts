import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { EC2TagFilter, TagFilter } from '../../aws/models/generated/codedeploy.js';
import type { Ec2Operations } from '../../aws/models/generated/ec2.js';
import type { Scope } from '../../core/scope.js';
import { inService } from './asg.js';
import type { CodeDeployStore, DeploymentRecord, GroupRecord } from './store.js';

interface Tagged {
  tags: { Key?: string; Value?: string }[];
}

/** One tag filter: KEY_ONLY, VALUE_ONLY or KEY_AND_VALUE. */
export function tagMatches(item: Tagged, f: TagFilter | EC2TagFilter): boolean {
  return item.tags.some((t) => {
    if (f.Type === 'KEY_ONLY') return t.Key === f.Key;
    if (f.Type === 'VALUE_ONLY') return t.Value === f.Value;
    return t.Key === f.Key && t.Value === f.Value;
  });
}

/** A flat filter list matches any of its filters; a tag set needs a match in every one of its groups. */
export function selected(item: Tagged, filters: (TagFilter | EC2TagFilter)[] | undefined, set: (TagFilter | EC2TagFilter)[][] | undefined): boolean {
  if (set?.length) return set.every((group) => group.some((f) => tagMatches(item, f)));
  return (filters ?? []).some((f) => tagMatches(item, f));
}

export interface ChosenInstance {
  /** The id the API shows: an EC2 instance id or an on-premises instance name. */
  id: string;
  kind: 'ec2' | 'onprem';
  /** The local instance's id on the instance host. */
  localId: string;
}

/** The group's instances at deployment time: running EC2 instances (asked of EC2), its Auto Scaling groups' in-service instances, and registered on-premises ones. */
export async function chooseInstances(aws: AwsClient, store: CodeDeployStore, scope: Scope, group: GroupRecord, dep: DeploymentRecord): Promise<ChosenInstance[]> {
  const ec2Filters = dep.targetInstances?.tagFilters ?? group.ec2TagFilters;
  const ec2Set = dep.targetInstances?.ec2TagSet?.ec2TagSetList ?? group.ec2TagSet?.ec2TagSetList;
  const chosen: ChosenInstance[] = [];
  if (ec2Filters.length || ec2Set?.length) {
    const out = await aws.service<Ec2Operations>('ec2', scope).DescribeInstances({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] });
    for (const inst of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      if (selected({ tags: inst.Tags ?? [] }, ec2Filters, ec2Set)) chosen.push({ id: inst.InstanceId!, kind: 'ec2', localId: inst.InstanceId! });
    }
  }
  const asgs = dep.targetInstances ? (dep.targetInstances.autoScalingGroups ?? []) : group.autoScalingGroups;
  const have = new Set(chosen.map((c) => c.id));
  for (const id of await inService(aws, scope, asgs)) if (!have.has(id)) chosen.push({ id, kind: 'ec2', localId: id });
  if (!dep.targetInstances && (group.onPremisesInstanceTagFilters.length || group.onPremisesTagSet?.onPremisesTagSetList?.length)) {
    for (const inst of store.onPrem.list(scope)) {
      if (inst.deregisterTime) continue;
      if (selected(inst, group.onPremisesInstanceTagFilters, group.onPremisesTagSet?.onPremisesTagSetList)) chosen.push({ id: inst.instanceName, kind: 'onprem', localId: inst.localId });
    }
  }
  return chosen.sort((a, b) => (a.id < b.id ? -1 : 1));
}
