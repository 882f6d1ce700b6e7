import type { Scope } from '../../core/scope.js';
import type { Protocol } from '../models/shapes.js';

export type { Scope } from '../../core/scope.js';
export { DEFAULT_ACCOUNT, DEFAULT_REGION, GLOBAL_REGION } from '../../core/scope.js';

/** Who made a request, as far as its credentials say. */
export interface Principal {
  accessKeyId: string;
  /** The IAM identity ARN, e.g. arn:aws:iam::000000000000:root or an assumed-role session. */
  arn: string;
  /** GetCallerIdentity's UserId: the account for root, `AROA...:session` for a role session. */
  userId: string;
}

/** What a provider method knows about the call it is serving. */
export interface RequestContext extends Scope {
  requestId: string;
  service: string;
  operation: string;
  /** The wire protocol, or 'internal' for calls between services. */
  protocol: Protocol | 'internal';
  principal: Principal;
  /** Request headers (lower-cased); empty for internal calls. */
  headers: Readonly<Record<string, string>>;
  /** The Host the client addressed, for URLs a response must carry (queue URLs, clone URLs). */
  host: string;
}
