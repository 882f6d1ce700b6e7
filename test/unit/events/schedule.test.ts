import { describe, expect, it } from 'vitest';
import { nextFire, parseSchedule, ScheduleError } from '../../../src/services/events/schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000', ''));

// Examples from the EventBridge user guide's schedule expression reference, plus edge cases.
const crons: [string, string, string][] = [
  ['cron(0 10 * * ? *)', '2024-01-01T09:00:00Z', '2024-01-01T10:00:00Z'], // 10:00 UTC every day
  ['cron(0 10 * * ? *)', '2024-01-01T10:00:00Z', '2024-01-02T10:00:00Z'],
  ['cron(15 12 * * ? *)', '2024-01-01T13:00:00Z', '2024-01-02T12:15:00Z'], // 12:15 UTC every day
  ['cron(0 18 ? * MON-FRI *)', '2024-01-05T19:00:00Z', '2024-01-08T18:00:00Z'], // Friday evening -> Monday
  ['cron(0 8 1 * ? *)', '2024-01-01T09:00:00Z', '2024-02-01T08:00:00Z'], // 8:00 on the first of the month
  ['cron(0/15 * * * ? *)', '2024-01-01T00:07:00Z', '2024-01-01T00:15:00Z'], // every 15 minutes
  ['cron(0/10 * ? * MON-FRI *)', '2024-01-06T12:00:00Z', '2024-01-08T00:00:00Z'], // every 10 minutes on weekdays
  ['cron(0/5 8-17 ? * MON-FRI *)', '2024-01-08T17:56:00Z', '2024-01-09T08:00:00Z'],
  ['cron(0 9 ? * 2#1 *)', '2024-01-01T10:00:00Z', '2024-02-05T09:00:00Z'], // first Monday of the month
  ['cron(0 12 * * ? *)', '2024-02-29T11:59:30Z', '2024-02-29T12:00:00Z'],
  ['cron(0 0 L * ? *)', '2024-02-10T00:00:00Z', '2024-02-29T00:00:00Z'], // last day of the month, leap year
  ['cron(0 0 LW * ? *)', '2024-03-01T00:00:00Z', '2024-03-29T00:00:00Z'], // last weekday of March 2024 (31st is a Sunday)
  ['cron(0 0 15W * ? *)', '2024-06-01T00:00:00Z', '2024-06-14T00:00:00Z'], // 15 June 2024 is a Saturday -> Friday 14th
  ['cron(0 0 1W * ? *)', '2024-06-01T00:00:00Z', '2024-06-03T00:00:00Z'], // 1 June 2024 is a Saturday -> Monday 3rd (W stays in the month)
  ['cron(0 0 ? * 6L *)', '2024-01-01T00:00:00Z', '2024-01-26T00:00:00Z'], // last Friday of January 2024
  ['cron(30 2 ? JAN,JUL SUN 2025)', '2024-01-01T00:00:00Z', '2025-01-05T02:30:00Z'],
  ['cron(0 0 1 1 ? 2020)', '2024-01-01T00:00:00Z', 'never'],
];

describe('cron schedules', () => {
  it.each(crons)('%s after %s fires at %s', (expr, after, expected) => {
    const next = nextFire(parseSchedule(expr), at(after), 0);
    expect(iso(next) ?? 'never').toBe(expected);
  });
});

describe('rate schedules', () => {
  it('count periods from when the schedule was set', () => {
    const s = parseSchedule('rate(5 minutes)');
    const anchor = at('2024-01-01T00:00:30Z');
    expect(iso(nextFire(s, anchor, anchor))).toBe('2024-01-01T00:05:30Z');
    expect(iso(nextFire(s, at('2024-01-01T00:05:30Z'), anchor))).toBe('2024-01-01T00:10:30Z');
    expect(iso(nextFire(s, at('2024-01-01T01:02:00Z'), anchor))).toBe('2024-01-01T01:05:30Z');
  });

  it.each([['rate(1 minute)', 60_000], ['rate(2 hours)', 7_200_000], ['rate(1 day)', 86_400_000], ['rate(7 days)', 604_800_000]])('%s', (expr, ms) => {
    expect(parseSchedule(expr)).toEqual({ kind: 'rate', periodMs: ms });
  });
});

const invalid: [string, string][] = [
  ['rate(0 minutes)', 'positive'],
  ['rate(1 minutes)', 'singular'],
  ['rate(5 minute)', 'plural'],
  ['rate(5 weeks)', 'unit'],
  ['every 5 minutes', 'rate(...) or cron(...)'],
  ['cron(0 12 * * *)', '6 fields'],
  ['cron(0 12 * * * *)', 'day-of-week must be ?'],
  ['cron(0 12 ? * ? *)', 'day-of-week must be ?'],
  ['cron(60 12 * * ? *)', "minutes value '60' is outside 0-59"],
  ['cron(0 24 * * ? *)', 'hours value'],
  ['cron(0 12 32 * ? *)', 'day-of-month value'],
  ['cron(0 12 ? FOO MON *)', "month value 'FOO'"],
  ['cron(0 12 ? * 2#6 *)', 'occurrence 6'],
  ['cron(0 12 * * ? 1969)', 'year value'],
  ['cron(0 5-2 * * ? *)', 'runs backwards'],
  ['cron(*/60 * * * ? *)', 'step 60'],
  ['cron(7 20 * * 1-7 *)', 'day-of-week must be ?'],
];

describe('invalid schedule expressions say what is wrong', () => {
  it.each(invalid)('%s', (expr, reason) => {
    expect(() => parseSchedule(expr)).toThrow(ScheduleError);
    expect(() => parseSchedule(expr)).toThrow(reason);
  });
});
