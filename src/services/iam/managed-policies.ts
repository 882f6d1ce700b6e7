import { parseArn } from '../../core/arn.js';
import type { AttachedPolicy } from '../../aws/models/generated/iam.js';
import { noSuchEntity } from './common.js';
import { iamScope, nameKey, type IamStore, type PolicyHolder } from './store.js';

const AWS_MANAGED = /^arn:aws:iam::aws:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/** The name of a managed policy from its ARN, after checking a customer policy exists. */
export function resolvePolicyArn(store: IamStore, accountId: string, arn: string): string {
  const aws = AWS_MANAGED.exec(arn);
  // AWS's own managed policies are accepted by ARN; Slipway has no copy of their documents.
  if (aws) return aws[1];
  const parsed = parseArn(arn);
  const name = parsed?.resource.startsWith('policy/') ? parsed.resource.split('/').pop()! : undefined;
  const record = name && parsed?.accountId === accountId ? store.policies.get(iamScope(accountId), nameKey(name)) : undefined;
  if (!record || record.arn !== arn) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return record.name;
}

export function attach(store: IamStore, accountId: string, holder: PolicyHolder, arn: string): void {
  resolvePolicyArn(store, accountId, arn);
  if (!holder.attachedPolicies.includes(arn)) holder.attachedPolicies.push(arn);
}

export function detach(holder: PolicyHolder, arn: string): void {
  const i = holder.attachedPolicies.indexOf(arn);
  if (i < 0) throw noSuchEntity(`Policy ${arn} was not found.`);
  holder.attachedPolicies.splice(i, 1);
}

export function attachedList(holder: PolicyHolder, pathPrefix?: string): AttachedPolicy[] {
  return holder.attachedPolicies
    .filter((arn) => !pathPrefix || policyPath(arn).startsWith(pathPrefix))
    .map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() }));
}

function policyPath(arn: string): string {
  const resource = arn.split(':policy', 2)[1] ?? '/';
  return resource.slice(0, resource.lastIndexOf('/') + 1);
}

/** How many roles, users and groups have the policy attached. */
export function attachmentCount(store: IamStore, accountId: string, arn: string): number {
  const scope = iamScope(accountId);
  const holders: PolicyHolder[] = [...store.roles.list(scope), ...store.users.list(scope), ...store.groups.list(scope)];
  return holders.filter((h) => h.attachedPolicies.includes(arn)).length;
}

export function getInline(holder: PolicyHolder, policyName: string, what: string): string {
  const doc = holder.inlinePolicies[policyName];
  if (doc === undefined) throw noSuchEntity(`The ${what} policy with name ${policyName} cannot be found.`);
  return doc;
}

export function deleteInline(holder: PolicyHolder, policyName: string, what: string): void {
  getInline(holder, policyName, what);
  delete holder.inlinePolicies[policyName];
}
