import type { RequestContext } from '../../aws/gateway/context.js';
import type { AutoscalingOperations } from '../../aws/models/generated/autoscaling.js';
import { causeTime } from './activities.js';
import type { AsgContext } from './context.js';
import { mustGroup } from './groups.js';
import { PROCESSES, validationError } from './validation.js';

/** SuspendProcesses and ResumeProcesses; Launch, Terminate, ReplaceUnhealthy and AlarmNotification are honoured. */
export function processOperations(c: AsgContext): Partial<AutoscalingOperations<RequestContext>> {
  const names = (given: string[] | undefined) => {
    for (const n of given ?? []) if (!PROCESSES.includes(n)) throw validationError(`Process ${n} is not a valid process; valid processes are ${PROCESSES.join(', ')}.`);
    return given?.length ? given : PROCESSES;
  };
  return {
    async SuspendProcesses(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const reason = `User suspended at ${causeTime(c.clock.now())}`;
      const add = names(input.ScalingProcesses).filter((n) => !g.suspended.some((p) => p.name === n));
      c.store.groups.put(ctx, g.name, { ...g, suspended: [...g.suspended, ...add.map((name) => ({ name, reason }))] });
      return {};
    },
    async ResumeProcesses(input, ctx) {
      const g = mustGroup(c, ctx, input.AutoScalingGroupName);
      const resumed = names(input.ScalingProcesses);
      c.store.groups.put(ctx, g.name, { ...g, suspended: g.suspended.filter((p) => !resumed.includes(p.name)) });
      c.reconciler.poke(ctx, g.name);
      return {};
    },
    async DescribeScalingProcessTypes() {
      return { Processes: PROCESSES.map((ProcessName) => ({ ProcessName })) };
    },
  };
}
