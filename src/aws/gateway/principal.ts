import type { SignatureInfo } from './auth.js';
import { DEFAULT_ACCOUNT, type Principal } from './context.js';

/** What the gateway needs to know about a key Slipway issued. */
export interface KnownCredential {
  accountId: string;
  principalArn: string;
  userId: string;
}

export type CredentialLookup = (accessKeyId: string) => KnownCredential | undefined;

/**
 * The account and identity a request acts as. Keys Slipway issued map to their owner;
 * a 12-digit access key id names an account (as LocalStack users expect); any other key
 * is the root of the default account.
 */
export function resolvePrincipal(sig: SignatureInfo, lookup: CredentialLookup, defaultAccount = DEFAULT_ACCOUNT): { accountId: string; principal: Principal } {
  const key = sig.accessKeyId ?? '';
  const known = key ? lookup(key) : undefined;
  if (known) return { accountId: known.accountId, principal: { accessKeyId: key, arn: known.principalArn, userId: known.userId } };
  const accountId = /^\d{12}$/.test(key) ? key : defaultAccount;
  return { accountId, principal: { accessKeyId: key, arn: `arn:aws:iam::${accountId}:root`, userId: accountId } };
}
