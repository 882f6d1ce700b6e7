import { instanceHostFor } from '../../runtime/instance-host.js';
import type { ServiceDefinition } from '../service.js';
import { appOperations } from './app-ops.js';
import { deploymentOperations } from './deployment-ops.js';
import { DeploymentEngine } from './engine.js';
import { groupOperations } from './group-ops.js';
import { LaunchDeployments } from './launch-deploy.js';
import { lambdaOperations } from './lambda-ops.js';
import { Notifier } from './notify.js';
import { OnPremInstances, onPremOperations } from './onprem-ops.js';
import { CodeDeployStore } from './store.js';

/** CodeDeploy: EC2/on-premises deployments on local instances (in place and blue/green) and Lambda alias traffic shifting. */
export const codedeploy: ServiceDefinition = {
  name: 'codedeploy',
  create(deps) {
    const store = new CodeDeployStore(deps.db);
    const host = instanceHostFor(deps.config.dataDir, deps.log);
    const engine = new DeploymentEngine(store, host, new Notifier(deps.aws, deps.log), deps);
    const onPrem = new OnPremInstances(store, host, deps.dataDir, deps.log);
    const launch = new LaunchDeployments(store, engine, deps);
    engine.onFinished = (scope, dep) => launch.finished(scope, dep);
    return {
      provider: {
        ...appOperations(store, deps.clock),
        ...groupOperations(store, deps.aws, launch),
        ...deploymentOperations(store, engine, deps.clock, deps.aws),
        ...onPremOperations(store, onPrem, host, deps.clock),
        ...lambdaOperations(store, engine),
      },
      start: async () => {
        engine.resumeWatches();
        await onPrem.resume();
        // Not awaited: Auto Scaling may still be resuming its own groups.
        void launch.resume().catch((e: unknown) => deps.log.warn('resuming launch deployments failed', { error: String(e) }));
      },
      stop: () => {
        engine.alarms.stopAll();
        return host.haltAll();
      },
    };
  },
};
