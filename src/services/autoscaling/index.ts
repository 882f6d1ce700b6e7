import type { ServiceDefinition } from '../service.js';
import { Activities } from './activities.js';
import type { AsgContext } from './context.js';
import { AsgEvents } from './events.js';
import { Fleet } from './fleet.js';
import { groupOperations } from './groups.js';
import { hookOperations } from './hook-operations.js';
import { LifecycleHooks } from './hooks.js';
import { launchConfigOperations } from './launch-configs.js';
import { memberOperations } from './members.js';
import { policyOperations } from './policies.js';
import { processOperations } from './processes.js';
import { Reconciler } from './reconciler.js';
import { AutoscalingStore } from './store.js';
import { tagOperations } from './tags.js';
import { targetGroupOperations } from './target-groups.js';
import { Transitions } from './transitions.js';

/** Auto Scaling: groups of local EC2 instances kept at their desired capacity, healthy and registered with their target groups. */
export const autoscaling: ServiceDefinition = {
  name: 'autoscaling',
  create(deps) {
    const store = new AutoscalingStore(deps.db);
    const fleet = new Fleet(deps.aws, deps.log);
    const activities = new Activities(store, deps.clock);
    const events = new AsgEvents(deps.aws, deps.log);
    const transitions = new Transitions(store, fleet, activities, events, deps.clock);
    const hooks = new LifecycleHooks(store, deps.clock, deps.aws, deps.log, events, deps.jobs, deps.bus);
    transitions.gate = hooks;
    const reconciler = new Reconciler(store, fleet, transitions, activities, deps.clock, deps.log, deps.jobs, deps.bus);
    hooks.poke = (scope, group) => reconciler.poke(scope, group);
    transitions.recheck = (scope, group) => reconciler.recheckSoon(scope, group);
    const c: AsgContext = { store, clock: deps.clock, aws: deps.aws, log: deps.log, fleet, activities, reconciler, transitions, hooks };
    return {
      provider: {
        ...groupOperations(c), ...launchConfigOperations(c), ...memberOperations(c), ...targetGroupOperations(c), ...tagOperations(c), ...hookOperations(c),
        ...policyOperations(c), ...processOperations(c),
      },
      start: () => reconciler.resume(),
    };
  },
};
