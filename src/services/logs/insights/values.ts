/** A value inside a query: timestamps are Dates so results print them as Logs Insights does. */
export type Value = string | number | boolean | Date | null | undefined;

/** A row a query works on: an event with its discovered fields, or an aggregate. */
export interface Row {
  get(name: string): Value;
  set(name: string, v: Value): void;
  /** Field names in discovery order. */
  keys(): string[];
}

export class MapRow implements Row {
  constructor(readonly values: Map<string, Value> = new Map()) {}
  get(name: string): Value {
    return this.values.get(name);
  }
  set(name: string, v: Value): void {
    this.values.set(name, v);
  }
  keys(): string[] {
    return [...this.values.keys()];
  }
}

export function present(v: Value): boolean {
  return v !== undefined && v !== null;
}

export function toNumber(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

export function toText(v: Value): string | undefined {
  if (!present(v)) return undefined;
  return v instanceof Date ? formatTime(v.getTime()) : String(v);
}

/** `2024-01-01 00:05:00.000`, the way Logs Insights prints timestamps. */
export function formatTime(ms: number): string {
  // Rows come in time order: the date, hour and minute are written once per minute.
  const minute = Math.floor(ms / 60_000);
  if (!Number.isInteger(ms)) return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  if (minute !== lastMinute.key) {
    const iso = new Date(minute * 60_000).toISOString();
    if (iso.length !== 24) return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    lastMinute.key = minute;
    lastMinute.text = `${iso.slice(0, 10)} ${iso.slice(11, 17)}`;
  }
  const rest = ms - minute * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  return `${lastMinute.text}${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}`;
}

const lastMinute = { key: NaN, text: '' };

/** Orders values as sort does: numbers (and times) numerically, otherwise as text; missing values last. */
export function compareValues(a: Value, b: Value): number {
  if (!present(a)) return present(b) ? 1 : 0;
  if (!present(b)) return -1;
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  const ta = toText(a)!;
  const tb = toText(b)!;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

export function equalValues(a: Value, b: Value): boolean {
  if (!present(a) || !present(b)) return false;
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined && nb !== undefined && (typeof a !== 'string' || typeof b !== 'string')) return na === nb;
  return toText(a) === toText(b);
}

/** Flattens a JSON document into Logs Insights field names: `a.b`, `list.0`. */
export function flatten(doc: unknown, into: Map<string, Value>, prefix = '', depth = 0): void {
  if (doc === null || typeof doc !== 'object' || depth > 10) {
    into.set(prefix, doc === null ? null : (doc as Value));
    return;
  }
  const entries = Array.isArray(doc) ? doc.map((v, i) => [String(i), v] as const) : Object.entries(doc);
  for (const [k, v] of entries) flatten(v, into, prefix ? `${prefix}.${k}` : k, depth + 1);
}
