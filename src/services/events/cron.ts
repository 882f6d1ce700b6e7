/**
 * AWS's six-field cron (minutes hours day-of-month month day-of-week year, in UTC) with
 * `?`, `L`, `W` and `#`, and the next time it fires. Pure: no clock, no I/O.
 */

export class ScheduleError extends Error {}

type DayOfMonth = { kind: 'any' } | { kind: 'set'; days: Set<number> } | { kind: 'last' } | { kind: 'last-weekday' } | { kind: 'near-weekday'; day: number };
type DayOfWeek = { kind: 'any' } | { kind: 'set'; days: Set<number> } | { kind: 'last'; day: number } | { kind: 'nth'; day: number; n: number };

export interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  dom: DayOfMonth;
  months: Set<number>;
  dow: DayOfWeek;
  years: Set<number>;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Record<string, FieldSpec> = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  dom: { name: 'day-of-month', min: 1, max: 31 },
  months: { name: 'month', min: 1, max: 12, names: MONTHS },
  dow: { name: 'day-of-week', min: 1, max: 7, names: DAYS },
  years: { name: 'year', min: 1970, max: 2199 },
};

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= spec.min && n <= spec.max)) throw new ScheduleError(`${spec.name} value '${text}' is outside ${spec.min}-${spec.max}`);
  return n;
}

/** `*`, `5`, `1-5`, `*\/15`, `10/5`, `1-30/2` and lists of them. */
function parseSet(text: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText] = item.split('/');
    if (item.split('/').length > 2 || range === '') throw new ScheduleError(`${spec.name} has a malformed item '${item}'`);
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) && Number(stepText) > 0 ? Number(stepText) : NaN;
    if (Number.isNaN(step)) throw new ScheduleError(`${spec.name} has a malformed step in '${item}'`);
    if (step > spec.max - spec.min) throw new ScheduleError(`${spec.name} step ${step} in '${item}' is larger than the field's range`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [spec.min, spec.max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [lo, hi] = [value(a, spec), value(b, spec)];
      if (lo > hi) throw new ScheduleError(`${spec.name} range '${range}' runs backwards`);
    } else {
      lo = value(range, spec);
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function parseDom(text: string): DayOfMonth {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'last' };
  if (text === 'LW') return { kind: 'last-weekday' };
  const w = /^(\d{1,2})W$/.exec(text);
  if (w) return { kind: 'near-weekday', day: value(w[1], FIELDS.dom) };
  return { kind: 'set', days: parseSet(text, FIELDS.dom) };
}

function parseDow(text: string): DayOfWeek {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'set', days: new Set([7]) };
  const last = /^(\w+)L$/.exec(text);
  if (last) return { kind: 'last', day: value(last[1], FIELDS.dow) };
  const nth = /^(\w+)#(\d)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new ScheduleError(`day-of-week '${text}' asks for occurrence ${n}; it must be 1-5`);
    return { kind: 'nth', day: value(nth[1], FIELDS.dow), n };
  }
  return { kind: 'set', days: parseSet(text, FIELDS.dow) };
}

/** Parses the inside of `cron(...)`. */
export function parseCron(body: string): Cron {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) throw new ScheduleError(`cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`);
  const [mi, h, dom, mo, dow, y] = parts;
  if ((dom === '?') === (dow === '?')) throw new ScheduleError('one of day-of-month and day-of-week must be ?, and only one');
  return {
    minutes: parseSet(mi, FIELDS.minutes),
    hours: parseSet(h, FIELDS.hours),
    dom: parseDom(dom),
    months: parseSet(mo, FIELDS.months),
    dow: parseDow(dow),
    years: parseSet(y, FIELDS.years),
  };
}

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function weekdayNear(y: number, m: number, day: number): number {
  const last = daysIn(y, m);
  const d = Math.min(day, last);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  if (wd === 6) return d === 1 ? 3 : d - 1;
  if (wd === 0) return d === last ? d - 2 : d + 1;
  return d;
}

function dayMatches(c: Cron, y: number, m: number, d: number): boolean {
  const last = daysIn(y, m);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1; // 1 = Sunday
  switch (c.dom.kind) {
    case 'set':
      return c.dom.days.has(d);
    case 'last':
      return d === last;
    case 'last-weekday':
      return d === weekdayNear(y, m, last);
    case 'near-weekday':
      return d === weekdayNear(y, m, c.dom.day);
    case 'any':
      break;
  }
  switch (c.dow.kind) {
    case 'set':
      return c.dow.days.has(wd);
    case 'last':
      return wd === c.dow.day && d + 7 > last;
    case 'nth':
      return wd === c.dow.day && Math.ceil(d / 7) === c.dow.n;
    case 'any':
      return true;
  }
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The first time after `after` (ms since the epoch) the expression fires, or undefined if never. */
export function nextCron(c: Cron, after: number): number | undefined {
  const start = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const startDay = Math.floor(start / DAY) * DAY;
  const maxYear = Math.max(...c.years);
  for (let day = startDay; new Date(day).getUTCFullYear() <= maxYear; day += DAY) {
    const date = new Date(day);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (!c.years.has(y) || !c.months.has(m) || !dayMatches(c, y, m, d)) continue;
    for (const h of [...c.hours].sort((a, b) => a - b)) {
      for (const mi of [...c.minutes].sort((a, b) => a - b)) {
        const t = day + h * 3_600_000 + mi * MINUTE;
        if (t >= start) return t;
      }
    }
  }
  return undefined;
}
