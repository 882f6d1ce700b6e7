import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorMessage } from '../../core/errors.js';
import type { ServiceDefinition, ServiceDeps } from '../service.js';
import type { CodeCommit } from './context.js';
import { gitHttpRoute } from './git-http.js';
import { Maintenance } from './maintenance.js';
import { Notifier } from './notifier.js';
import { approvalOperations } from './ops-approvals.js';
import { branchOperations } from './ops-branches.js';
import { commentOperations } from './ops-comments.js';
import { mergeOperations } from './ops-merges.js';
import { pullRequestOperations } from './ops-pull-requests.js';
import { templateOperations } from './ops-templates.js';
import { triggerOperations } from './ops-triggers.js';
import { PullRequests } from './pull-requests.js';
import { commitOperations } from './ops-commits.js';
import { fileOperations } from './ops-files.js';
import { repositoryOperations } from './ops-repositories.js';
import { RefSync } from './ref-sync.js';
import { Repositories } from './repositories.js';
import { CodeCommitStore, type RepositoryRecord } from './store.js';

/** Event-bus topic: receive-pack finished for a repository ({ repositoryId, repositoryName, at: performance.now() }). */
export const PUSH_RECEIVED = 'codecommit.push-received';

/** Who a git request acts as: the owner of the access key in its Basic credentials, else the account root. */
function gitCaller(deps: ServiceDeps, req: IncomingMessage, repo: RepositoryRecord): string {
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Basic ')) {
    const user = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0].split('%')[0];
    const known = user ? deps.credentials.get(user) : undefined;
    if (known) return known.principalArn;
  }
  return `arn:aws:iam::${repo.accountId}:root`;
}

/** CodeCommit: git repositories served over smart HTTP, and the CodeCommit API on the same repositories. */
export const codecommit: ServiceDefinition = {
  name: 'codecommit',
  create(deps) {
    const store = new CodeCommitStore(deps.db);
    const repos = new Repositories(store, join(deps.dataDir, 'repositories'), deps.config.defaultRegion);
    const notifier = new Notifier(deps);
    const refs = new RefSync(repos, notifier, deps.clock);
    const cc: CodeCommit = { deps, store, repos, refs, notifier };
    const prs = new PullRequests(cc);
    const maintenance = new Maintenance(deps, repos);
    refs.onChange((repo, changes, caller) => prs.onRefsChanged(repo, changes, caller));
    const route = gitHttpRoute({
      repos,
      log: deps.log,
      caller: (req, repo) => gitCaller(deps, req, repo),
      onPush: async (repo, caller) => {
        // In-process observers (benchmarks, a console) learn when a push was received.
        deps.bus.emit(PUSH_RECEIVED, { repositoryId: repo.id, repositoryName: repo.name, at: performance.now() });
        await refs.syncNow(repo, caller).catch((e) => deps.log.error('reading refs after a push failed', { repository: repo.name, error: errorMessage(e) }));
        maintenance.afterPush(repo);
      },
    });
    return {
      provider: {
        ...repositoryOperations(cc),
        ...branchOperations(cc),
        ...fileOperations(cc),
        ...commitOperations(cc),
        ...mergeOperations(cc),
        ...pullRequestOperations(cc, prs),
        ...approvalOperations(cc, prs),
        ...templateOperations(cc),
        ...commentOperations(cc, prs),
        ...triggerOperations(cc),
      },
      routes: [route],
      async start() {
        // Pushes accepted just before a crash are reported now.
        for (const { value } of store.repositories.all()) {
          await refs.syncNow(value, `arn:aws:iam::${value.accountId}:root`).catch((e) => deps.log.warn('could not read refs', { repository: value.name, error: errorMessage(e) }));
        }
      },
      reset() {
        // The repositories directory was removed with the data; make it again.
        repos.ensureRoot();
      },
    };
  },
};
