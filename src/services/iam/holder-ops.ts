import type { RequestContext } from '../../aws/gateway/context.js';
import { checkPolicyDocument, encodePolicy, iamPage } from './common.js';
import { attach, attachedList, deleteInline, detach, getInline } from './managed-policies.js';
import type { IamStore, PolicyHolder } from './store.js';

/**
 * The inline and attached policy operations roles, users and groups share
 * (Put/Get/List/DeleteXPolicy, Attach/Detach/ListAttachedXPolicies).
 */
export function holderOperations<R extends PolicyHolder & { name: string }>(
  store: IamStore,
  what: 'role' | 'user' | 'group',
  load: (accountId: string, name: string) => R,
  save: (accountId: string, record: R) => void,
) {
  const change = (ctx: RequestContext, name: string, fn: (r: R) => void) => {
    const r = load(ctx.accountId, name);
    fn(r);
    save(ctx.accountId, r);
  };
  return {
    put(ctx: RequestContext, name: string, policyName: string, document: string): Record<string, never> {
      const doc = checkPolicyDocument(document);
      change(ctx, name, (r) => {
        r.inlinePolicies[policyName] = doc;
      });
      return {};
    },
    get(ctx: RequestContext, name: string, policyName: string) {
      const r = load(ctx.accountId, name);
      return { name: r.name, PolicyName: policyName, PolicyDocument: encodePolicy(getInline(r, policyName, what)) };
    },
    list(ctx: RequestContext, name: string, marker?: string, maxItems?: number) {
      const r = load(ctx.accountId, name);
      const page = iamPage(Object.keys(r.inlinePolicies).sort(), (n) => n, marker, maxItems);
      return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    remove(ctx: RequestContext, name: string, policyName: string): Record<string, never> {
      change(ctx, name, (r) => deleteInline(r, policyName, what));
      return {};
    },
    attach(ctx: RequestContext, name: string, arn: string): Record<string, never> {
      change(ctx, name, (r) => attach(store, ctx.accountId, r, arn));
      return {};
    },
    detach(ctx: RequestContext, name: string, arn: string): Record<string, never> {
      change(ctx, name, (r) => detach(r, arn));
      return {};
    },
    listAttached(ctx: RequestContext, name: string, pathPrefix?: string, marker?: string, maxItems?: number) {
      const r = load(ctx.accountId, name);
      const page = iamPage(attachedList(r, pathPrefix), (p) => p.PolicyArn ?? '', marker, maxItems);
      return { AttachedPolicies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  };
}
