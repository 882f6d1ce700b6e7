import type { RequestContext } from '../../aws/gateway/context.js';
import type { RunInstancesRequest } from '../../aws/models/generated/ec2.js';
import { instanceHostFor } from '../../runtime/instance-host.js';
import type { ServiceDefinition } from '../service.js';
import { instanceOperations } from './instances.js';
import { withLaunchTemplate } from './launch-template-run.js';
import { launchTemplateOperations, LaunchTemplates } from './launch-templates.js';
import { InstanceLifecycle } from './lifecycle.js';
import { networkOperations } from './network.js';
import { Ec2Store } from './store.js';
import { tagOperations } from './tags.js';

/** EC2: local instances (namespaced processes with their own address and file tree), their tags and states, and launch templates. */
export const ec2: ServiceDefinition = {
  name: 'ec2',
  create(deps) {
    const store = new Ec2Store(deps.db);
    const host = instanceHostFor(deps.config.dataDir, deps.log);
    const life = new InstanceLifecycle(store, host, deps.clock, deps.log, deps.jobs, deps.bus);
    const templates = new LaunchTemplates(deps.db);
    const instances = instanceOperations(store, life, deps.clock, deps.dataDir);
    const run = instances.RunInstances!;
    return {
      provider: {
        ...instances,
        RunInstances: (input: RunInstancesRequest, ctx: RequestContext) => run(withLaunchTemplate(templates, input, ctx), ctx),
        ...launchTemplateOperations(templates, deps.clock),
        ...tagOperations(store),
        ...networkOperations(),
      },
      start: () => life.resume(),
      stop: () => life.shutdown(),
      reset: () => life.shutdown(),
    };
  },
};
