import type { RequestContext } from '../../aws/gateway/context.js';
import type { AutoscalingOperations } from '../../aws/models/generated/autoscaling.js';
import type { AsgContext } from './context.js';
import { mustGroup } from './groups.js';
import { validationError } from './validation.js';

/** PutLifecycleHook and friends; the waiting itself is in hooks.ts. */
export function hookOperations(c: AsgContext): Partial<AutoscalingOperations<RequestContext>> {
  return {
    async PutLifecycleHook(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const isNew = !c.store.hooks.has(ctx, `${g.name}\u0000${input.LifecycleHookName}`);
      const hook = c.hooks.put(ctx, g, input);
      if (isNew && hook.NotificationTargetARN) await c.hooks.testNotification(ctx, g, hook.NotificationTargetARN);
      return {};
    },

    async DescribeLifecycleHooks(input, ctx) {
      mustGroup(c, ctx, input.AutoScalingGroupName);
      const wanted = input.LifecycleHookNames?.length ? new Set(input.LifecycleHookNames) : undefined;
      return { LifecycleHooks: c.store.hooksOf(ctx, input.AutoScalingGroupName).filter((h) => !wanted || wanted.has(h.LifecycleHookName)) };
    },

    async DeleteLifecycleHook(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const key = `${g.name}\u0000${input.LifecycleHookName}`;
      if (!c.store.hooks.has(ctx, key)) throw validationError(`No Lifecycle Hook found with name ${input.LifecycleHookName} for group ${g.name}`);
      c.store.hooks.delete(ctx, key);
      // Instances waiting on the hook go on as if it had been completed.
      for (const m of c.store.membersOf(ctx, g.name)) if (m.wait?.pending.some((p) => p.hook === input.LifecycleHookName)) c.hooks.complete(ctx, m, input.LifecycleHookName, 'CONTINUE');
      return {};
    },

    async CompleteLifecycleAction(input, ctx) {
      mustGroup(c, ctx, input.AutoScalingGroupName);
      if (!input.LifecycleActionToken && !input.InstanceId) throw validationError('Either LifecycleActionToken or InstanceId must be specified.');
      const m = c.hooks.waiting(ctx, input.AutoScalingGroupName, input.LifecycleHookName, input.LifecycleActionToken, input.InstanceId);
      c.hooks.complete(ctx, m, input.LifecycleHookName, input.LifecycleActionResult);
      return {};
    },

    async RecordLifecycleActionHeartbeat(input, ctx) {
      mustGroup(c, ctx, input.AutoScalingGroupName);
      if (!input.LifecycleActionToken && !input.InstanceId) throw validationError('Either LifecycleActionToken or InstanceId must be specified.');
      const m = c.hooks.waiting(ctx, input.AutoScalingGroupName, input.LifecycleHookName, input.LifecycleActionToken, input.InstanceId);
      c.hooks.heartbeat(ctx, m, input.LifecycleHookName);
      return {};
    },

    async DescribeLifecycleHookTypes() {
      return { LifecycleHookTypes: ['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING'] };
    },
  };
}
