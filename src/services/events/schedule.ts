import { nextCron, parseCron, ScheduleError, type Cron } from './cron.js';

export { ScheduleError } from './cron.js';

/** A parsed ScheduleExpression: `rate(5 minutes)` or `cron(0 12 * * ? *)`. */
export type Schedule = { kind: 'rate'; periodMs: number } | { kind: 'cron'; cron: Cron };

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((.*)\)$/.exec(expression.trim());
  if (rate) {
    const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(rate[1]);
    if (!m) throw new ScheduleError('rate needs a positive whole number and a unit: minute(s), hour(s) or day(s)');
    const n = Number(m[1]);
    const unit = m[2].replace(/s$/, '');
    if (n < 1) throw new ScheduleError('the rate value must be a positive number');
    if ((n === 1) !== (m[2] === unit)) throw new ScheduleError(n === 1 ? `use the singular unit for a value of 1 (${unit})` : `use the plural unit for a value above 1 (${unit}s)`);
    return { kind: 'rate', periodMs: n * UNITS[unit] };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (cron) return { kind: 'cron', cron: parseCron(cron[1]) };
  throw new ScheduleError('the expression must be rate(...) or cron(...)');
}

/**
 * When the schedule next fires after `after`. Rate schedules count periods from `anchor`
 * (when the schedule was set), as AWS does; cron schedules fire on whole UTC minutes.
 */
export function nextFire(schedule: Schedule, after: number, anchor: number): number | undefined {
  if (schedule.kind === 'cron') return nextCron(schedule.cron, after);
  const periods = Math.floor((after - anchor) / schedule.periodMs) + 1;
  return anchor + Math.max(1, periods) * schedule.periodMs;
}
