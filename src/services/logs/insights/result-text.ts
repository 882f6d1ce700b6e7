import { JsonBytes } from '../json-bytes.js';
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
 * The results for raw matching events, written from their blocks as UTF-8: the same text `resultText`
 * gives for their LogRows, without the rows. A message that may be a JSON document (its
 * fields are discovered and listed) goes through a LogRow.
 */
export function hitText(hits: Hit[], columns: string[] | undefined, streams: Map<number, string>, groups: Map<number, string>): Buffer {
  const heads = new Map<string, string>();
  // Names as JSON bytes, each written once.
  const quoted = (names: Map<number, string>) => {
    const done = new Map<number, Buffer>();
    return (id: number) => done.get(id) ?? done.set(id, Buffer.from(jsonString(names.get(id) ?? ''))).get(id)!;
  };
  const streamName = quoted(streams);
  const groupName = quoted(groups);
  const cols = columns ?? BUILT_IN;
  const colHeads = cols.map((c) => `{"field":"${c}","value":`);
  const w = new JsonBytes(hits.length * 320);
  w.ascii('[');
  for (let r = 0; r < hits.length; r++) {
    const { block: b, i, ts, id } = hits[r];
    if (r) w.ascii(',');
    if (columns === undefined && mayBeJson(b.text, b.start(i), b.end(i))) {
      const row = new LogRow(ts, b.ingest(i), b.message(i), streams.get(b.streamId) ?? '', groups.get(b.groupId) ?? '', `${b.groupId}:${id}`);
      w.raw(rowText(row, columns, heads));
      continue;
    }
    w.ascii('[');
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k];
      w.ascii(colHeads[k]);
      if (c === '@message') w.utf8(b.text, b.start(i), b.end(i));
      else if (c === '@logStream') w.copy(streamName(b.streamId));
      else if (c === '@log') w.copy(groupName(b.groupId));
      else {
        w.ascii('"');
        w.ascii(formatTime(c === '@timestamp' ? ts : b.ingest(i)));
        w.ascii('"');
      }
      w.ascii('},');
    }
    w.ascii('{"field":"@ptr","value":"');
    w.base64(`${b.groupId}:${id}`);
    w.ascii('"}]');
  }
  w.ascii(']');
  return w.bytes();
}

/**
 * As LogRow decides: a message whose text starts with `{` after white space is read as JSON.
 * Anything but a plain first character is left to LogRow to decide.
 */
function mayBeJson(text: Buffer, start: number, end: number): boolean {
  const c = start < end ? text[start] : 0x41;
  return c === 0x7b || c <= 0x20 || c >= 0x80;
}
