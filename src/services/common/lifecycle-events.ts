import type { Scope } from '../../core/scope.js';

/**
 * Event-bus topic: an Auto Scaling instance waits in a lifecycle hook. CodeDeploy listens
 * for its own launch hooks, so a group's new instances get the last good revision before
 * they go into service, as on AWS.
 */
export const LIFECYCLE_ACTION = 'autoscaling.lifecycle-action';

export interface LifecycleAction {
  scope: Scope;
  group: string;
  hook: string;
  instanceId: string;
  transition: 'autoscaling:EC2_INSTANCE_LAUNCHING' | 'autoscaling:EC2_INSTANCE_TERMINATING';
}
