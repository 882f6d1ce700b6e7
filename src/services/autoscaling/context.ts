import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Activities } from './activities.js';
import type { Fleet } from './fleet.js';
import type { LifecycleHooks } from './hooks.js';
import type { Reconciler } from './reconciler.js';
import type { AutoscalingStore } from './store.js';
import type { Transitions } from './transitions.js';

/** What the provider's operation groups share. */
export interface AsgContext {
  store: AutoscalingStore;
  clock: Clock;
  aws: AwsClient;
  log: Logger;
  fleet: Fleet;
  activities: Activities;
  reconciler: Reconciler;
  transitions: Transitions;
  hooks: LifecycleHooks;
}
