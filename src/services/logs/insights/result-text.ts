import { jsonString } from '../json-text.js';
import { LogRow } from './log-row.js';
import type { Hit } from './newest-hits.js';
import { formatTime, toText, type Row } from './values.js';

/**
 * GetQueryResults' `results` as JSON text, written directly: `[{"field":..,"value":..},..]`
 * per row (10,000 rows of five fields are 50,000 objects otherwise).
 */
export function resultText(rows: Row[], columns: string[] | undefined): string {
  const heads = new Map<string, string>();
  const out = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = rowText(rows[r], columns, heads);
  return `[${out.join(',')}]`;
}

function rowText(row: Row, columns: string[] | undefined, heads: Map<string, string>): string {
  let fields = '';
  for (const name of columns ?? row.keys()) {
    const v = toText(row.get(name));
    if (v === undefined) continue;
    let head = heads.get(name);
    if (head === undefined) heads.set(name, (head = `{"field":${JSON.stringify(name)},"value":`));
    fields += `${fields ? ',' : ''}${head}${jsonString(v)}}`;
  }
  if (row instanceof LogRow) fields += `${fields ? ',' : ''}{"field":"@ptr","value":"${ptrOf(row.ptr)}"}`;
  return `[${fields}]`;
}

function ptrOf(ptr: string): string {
  return Buffer.from(ptr).toString('base64');
}

/** The fields an event row has without reading its message as JSON. */
const BUILT_IN = ['@timestamp', '@message', '@logStream', '@log'];
const WRITABLE = new Set([...BUILT_IN, '@ingestionTime']);

/** True when rows of raw events with these columns can be written by `hitText`. */
export function writesHits(columns: string[] | undefined): boolean {
  return columns === undefined || columns.every((c) => WRITABLE.has(c));
}

/**
 * The results for raw matching events, written from their blocks: the same text `resultText`
 * gives for their LogRows, without the rows. A message that may be a JSON document (its
 * fields are discovered and listed) goes through a LogRow.
 */
export function hitText(hits: Hit[], columns: string[] | undefined, streams: Map<number, string>, groups: Map<number, string>): string {
  const names = new Map<string, string>();
  const quoted = (key: string, name: string | undefined) => {
    let q = names.get(key);
    if (q === undefined) names.set(key, (q = jsonString(name ?? '')));
    return q;
  };
  const heads = new Map<string, string>();
  const out = new Array<string>(hits.length);
  for (let r = 0; r < hits.length; r++) {
    const { block: b, i, ts, id } = hits[r];
    const message = b.message(i);
    if (columns === undefined && mayBeJson(message)) {
      const row = new LogRow(ts, b.ingest(i), message, streams.get(b.streamId) ?? '', groups.get(b.groupId) ?? '', `${b.groupId}:${id}`);
      out[r] = rowText(row, columns, heads);
      continue;
    }
    let fields = '';
    for (const c of columns ?? BUILT_IN) {
      const v = c === '@timestamp' ? `"${formatTime(ts)}"` : c === '@message' ? jsonString(message)
        : c === '@logStream' ? quoted(`s${b.streamId}`, streams.get(b.streamId)) : c === '@log' ? quoted(`g${b.groupId}`, groups.get(b.groupId))
          : `"${formatTime(b.ingest(i))}"`;
      fields += `${fields ? ',' : ''}{"field":"${c}","value":${v}}`;
    }
    out[r] = `[${fields}${fields ? ',' : ''}{"field":"@ptr","value":"${ptrOf(`${b.groupId}:${id}`)}"}]`;
  }
  return `[${out.join(',')}]`;
}

/** As LogRow decides: a message whose text starts with `{` after white space is read as JSON. */
function mayBeJson(message: string): boolean {
  const c = message.charCodeAt(0);
  return c === 0x7b || ((c <= 0x20 || c >= 0x80) && message.trimStart().startsWith('{'));
}
