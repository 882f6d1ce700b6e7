import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { detectSandbox } from '../../runtime/sandbox.js';
import type { ServiceDefinition } from '../service.js';
import { BatchRunner } from './batch-runner.js';
import { batchOperations } from './batches-api.js';
import { BuildEngine } from './build-engine.js';
import { buildOperations } from './builds-api.js';
import { cacheOperations } from './cache-api.js';
import { Notifier } from './notify.js';
import { projectOperations } from './projects.js';
import { ReportWriter } from './report-writer.js';
import { reportOperations } from './reports-api.js';
import { CodeBuildStore } from './store.js';

/** Builds running at once; more wait in QUEUED. SLIPWAY_CODEBUILD_CONCURRENCY overrides the machine's core count. */
export function concurrencyLimit(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.SLIPWAY_CODEBUILD_CONCURRENCY);
  return Number.isInteger(n) && n > 0 ? n : Math.max(1, availableParallelism());
}

export const codebuild: ServiceDefinition = {
  name: 'codebuild',
  create(deps) {
    const store = new CodeBuildStore(deps.db);
    const notify = new Notifier(deps.aws, deps.log);
    const cacheRoot = join(deps.dataDir, 'cache');
    const engine = new BuildEngine(
      {
        aws: deps.aws,
        clock: deps.clock,
        log: deps.log,
        store,
        notify,
        reports: new ReportWriter(store, deps.clock),
        sandbox: detectSandbox(),
        workspaces: join(deps.dataDir, 'workspaces'),
        cacheRoot,
        hide: [deps.config.dataDir],
        endpoint: deps.endpoint,
      },
      concurrencyLimit(),
    );
    const now = () => deps.clock.now();
    const builds = { store, engine, notify, clock: deps.clock };
    const buildOps = buildOperations(builds);
    const batchDeps = { ...builds, aws: deps.aws, log: deps.log, endpoint: deps.endpoint, scratch: join(deps.dataDir, 'workspaces') };
    const batches = new BatchRunner(batchDeps);
    // A build that ends may let its batch go on (after the automatic retries buildOperations set up).
    const retries = engine.onFinished;
    engine.onFinished = async (scope, b) => {
      await retries?.(scope, b);
      await batches.buildFinished(scope, b);
    };
    return {
      provider: { ...projectOperations(store, now), ...buildOps, ...batchOperations(batchDeps, batches), ...reportOperations(store, now), ...cacheOperations(store, deps.aws, cacheRoot) },
      start: async () => {
        await engine.start();
        batches.resume();
      },
      stop: () => engine.shutdown(),
      reset: () => undefined,
    };
  },
};
