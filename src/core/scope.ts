/** The account and region a request or resource belongs to. */
export interface Scope {
  accountId: string;
  region: string;
}

/** The region IAM and other global services keep their resources under. */
export const GLOBAL_REGION = 'global';

export const DEFAULT_ACCOUNT = '000000000000';
export const DEFAULT_REGION = 'us-east-1';
