import { instanceHostFor } from '../../runtime/instance-host.js';
import type { ServiceDefinition } from '../service.js';
import { instanceOperations } from './instances.js';
import { InstanceLifecycle } from './lifecycle.js';
import { networkOperations } from './network.js';
import { Ec2Store } from './store.js';
import { tagOperations } from './tags.js';

/** EC2: local instances (namespaced processes with their own address and file tree), their tags and states. */
export const ec2: ServiceDefinition = {
  name: 'ec2',
  create(deps) {
    const store = new Ec2Store(deps.db);
    const host = instanceHostFor(deps.config.dataDir, deps.log);
    const life = new InstanceLifecycle(store, host, deps.clock, deps.log, deps.jobs);
    return {
      provider: { ...instanceOperations(store, life, deps.clock, deps.dataDir), ...tagOperations(store), ...networkOperations() },
      start: () => life.resume(),
      stop: () => life.shutdown(),
      reset: () => life.shutdown(),
    };
  },
};
