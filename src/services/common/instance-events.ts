import type { Scope } from '../../core/scope.js';

/**
 * Event-bus topic: an EC2 instance reached a settled state (running, stopped, terminated)
 * after the work of a transition, or its processes ended by themselves. Auto Scaling
 * listens to move its instances on without polling.
 */
export const INSTANCE_STATE_CHANGED = 'ec2.instance-state-changed';

export interface InstanceStateChanged {
  scope: Scope;
  instanceId: string;
  state: string;
}
