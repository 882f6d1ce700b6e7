import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodecommitOperations } from '../../aws/models/generated/codecommit.js';
import type { ServiceDeps } from '../service.js';
import type { Notifier } from './notifier.js';
import type { RefSync } from './ref-sync.js';
import type { Repositories } from './repositories.js';
import type { CodeCommitStore } from './store.js';

export type Ops = Partial<CodecommitOperations<RequestContext>>;

/** What every group of CodeCommit operations works with. */
export interface CodeCommit {
  deps: ServiceDeps;
  store: CodeCommitStore;
  repos: Repositories;
  refs: RefSync;
  notifier: Notifier;
}
