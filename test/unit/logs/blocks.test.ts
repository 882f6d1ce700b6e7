import { describe, expect, it } from 'vitest';
import { bloomOf, mayContain } from '../../../src/services/logs/blocks.js';
import { GroupScanner } from '../../../src/services/logs/filter-events.js';
import { parseFilterPattern } from '../../../src/services/logs/filter-pattern.js';
import { EventSource } from '../../../src/services/logs/insights/event-source.js';
import { parseQuery } from '../../../src/services/logs/insights/parser.js';
import { runQuery } from '../../../src/services/logs/insights/run-query.js';
import { eventRow } from '../../../src/services/logs/filter-page.js';
import { LogsStore, type EventRow } from '../../../src/services/logs/store.js';
import { Database } from '../../../src/state/database.js';

const T0 = Date.UTC(2024, 0, 1);
const scope = { accountId: '000000000000', region: 'us-east-1' };

/** Messages chosen to trip a substring index: case, unicode, partial words, JSON, a term split across two messages. */
const MESSAGES = [
  'ERROR payment failed for order 17',
  'error: lower case only',
  'Error mixed case',
  'ERRORS plural and ERROR twice ERROR',
  'INFO ERR', // with the next message, the text holds "ERR" + "OR ..." across the boundary
  'OR starts here',
  'ünïcødé ERROR naïve café',
  '日本語のログ ERROR 処理',
  'emoji 😀 deadlock detected',
  '{"level":"ERROR","latency":120,"user":{"id":"u1"}}',
  '{"level":"INFO","latency":80,"msg":"ERROR in text only"}',
  '127.0.0.1 frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 500 1534',
  '127.0.0.1 alice [10/Oct/2000:13:26:15 -0700] "GET /a HTTP/1.0" 200 99',
  'timeout talking to db ERROR',
  'a*b?c[d] glob characters ERROR',
  '',
  ' ',
  'x'.repeat(300) + ' ERROR at the end',
];

const PATTERNS = [
  'ERROR', 'error', 'Error', 'ERR', 'RROR', 'OR', 'ERROR ERROR', 'ERROR -timeout', 'ERROR ?db ?café', 'ERROR timeout',
  '"payment failed"', '"ERROR payment"', 'ünïcødé', 'café', '日本語', '😀', 'deadlock', '"a*b?c[d]"', 'a*b',
  '{ $.level = "ERROR" }', '{ $.latency > 100 }', '[ip, user, ..., status = 5*, size]', '%ERR[A-Z]+%', '?ERROR ?INFO', '-ERROR', '', 'nothing-matches',
];

/** A store holding the messages in several streams and batch sizes (one-event batches join blocks). */
function seeded(): { store: LogsStore; groupId: number; streams: number[] } {
  const db = new Database(':memory:');
  const store = new LogsStore(db);
  store.createGroup(scope, { name: '/g', created: 0, cls: 'STANDARD', deletionProtection: false, tags: {} });
  const g = store.group(scope, '/g')!;
  for (const s of ['a', 'b', 'c']) store.createStream(g, s, 0);
  const [a, b, c] = ['a', 'b', 'c'].map((s) => store.stream(g, s)!);
  // Stream a: one big batch; b: one event per batch; c: two batches, the second earlier in time.
  store.append(a, MESSAGES.map((message, i) => ({ timestamp: T0 + i * 1000, message })), T0);
  MESSAGES.forEach((message, i) => store.append(store.stream(g, 'b')!, [{ timestamp: T0 + i * 1000 + 500, message }], T0 + i));
  store.append(c, MESSAGES.slice(9).map((message, i) => ({ timestamp: T0 + 60_000 + i, message })), T0 + 100);
  store.append(store.stream(g, 'c')!, MESSAGES.slice(0, 9).map((message, i) => ({ timestamp: T0 + i * 1000, message })), T0 + 200);
  return { store, groupId: g.id, streams: [a.id, b.id, c.id] };
}

/** The reference: every stored event in (ts, id) order, tested one by one. */
function fullScan(store: LogsStore, groupId: number, pattern: string, start = 0, end = Number.MAX_SAFE_INTEGER): EventRow[] {
  const p = parseFilterPattern(pattern);
  const all = store.db.sql.prepare('SELECT id, stream_id, ts, ingest, message FROM logs_events WHERE group_id = ? AND ts >= ? AND ts <= ? ORDER BY ts, id').all(groupId, start, end) as EventRow[];
  return all.filter((e) => p.test(e.message));
}

function search(store: LogsStore, groupId: number, pattern: string, start = 0, end = Number.MAX_SAFE_INTEGER, streamIds?: number[]): EventRow[] {
  const scanner = new GroupScanner(store.db, store.blocks);
  return [...scanner.scan({ groupId, signature: pattern, start, end, after: { ts: -1, id: 0 }, streamIds, pattern: parseFilterPattern(pattern) }).rows].map(eventRow);
}

describe('block Bloom filters', () => {
  it('never rule out a substring of the text (every length, unicode, sizes that fill the filter)', () => {
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 []{}":=/.-_éü日本😀';
    for (const size of [0, 2, 3, 50, 5000, 200_000]) {
      const chars = Array.from({ length: size }, () => alphabet[Math.floor(rand() * alphabet.length)]);
      const text = Buffer.from(chars.join(''), 'utf8');
      const bloom = bloomOf(text);
      for (let i = 0; i < 300 && text.length; i++) {
        const from = Math.floor(rand() * text.length);
        const needle = text.subarray(from, Math.min(text.length, from + 1 + Math.floor(rand() * 12)));
        expect(mayContain(bloom, needle)).toBe(true);
      }
    }
  });

  it('rule out most terms the text does not hold', () => {
    const text = Buffer.from(MESSAGES.join(''), 'utf8');
    const bloom = bloomOf(text);
    const absent = ['zebra', 'quantum', 'kubernetes', 'Xylophone', 'wombat', 'jackfruit', 'vuvuzela', 'Qwerty'];
    expect(absent.filter((t) => mayContain(bloom, Buffer.from(t))).length).toBeLessThan(2);
    expect(mayContain(bloom, Buffer.from('deadlock'))).toBe(true);
  });
});

describe('search blocks', () => {
  it.each(PATTERNS)('FilterLogEvents %j finds through the blocks what a full scan finds', (pattern) => {
    const { store, groupId } = seeded();
    const expected = fullScan(store, groupId, pattern);
    expect(search(store, groupId, pattern)).toEqual(expected);
    // Time ranges cut inside blocks.
    expect(search(store, groupId, pattern, T0 + 3000, T0 + 9000)).toEqual(fullScan(store, groupId, pattern, T0 + 3000, T0 + 9000));
    store.db.close();
  });

  it('a term split across two stored messages is not a match', () => {
    const { store, groupId } = seeded();
    const found = search(store, groupId, 'ERROR').map((e) => e.message);
    expect(found).not.toContain('INFO ERR');
    expect(found).not.toContain('OR starts here');
    store.db.close();
  });

  it('a common term over more matches than one search keeps: every match once, in order', () => {
    const db = new Database(':memory:');
    const store = new LogsStore(db);
    store.createGroup(scope, { name: '/big', created: 0, cls: 'STANDARD', deletionProtection: false, tags: {} });
    const g = store.group(scope, '/big')!;
    for (const s of ['a', 'b']) store.createStream(g, s, 0);
    // Two streams whose blocks overlap in time (even and odd milliseconds), 56,000 matches.
    for (let b = 0; b < 28; b++) {
      for (const [k, s] of ['a', 'b'].entries()) {
        store.append(store.stream(g, s)!, Array.from({ length: 1000 }, (_, i) => ({ timestamp: T0 + (b * 1000 + i) * 2 + k, message: `GET /item/${b}-${i} ${s}` })), T0);
      }
    }
    const key = (rows: EventRow[]) => rows.map((e) => `${e.ts}:${e.id}:${e.stream_id}:${e.message}`).join('\n');
    const got = search(store, g.id, 'GET');
    expect(got.length).toBe(56_000);
    expect(key(got) === key(fullScan(store, g.id, 'GET'))).toBe(true);
    db.close();
  });

  it('limits the search to the requested streams', () => {
    const { store, groupId, streams } = seeded();
    const got = search(store, groupId, 'ERROR', 0, Number.MAX_SAFE_INTEGER, [streams[1]]);
    expect(got).toEqual(fullScan(store, groupId, 'ERROR').filter((e) => e.stream_id === streams[1]));
    expect(got.length).toBeGreaterThan(5);
    store.db.close();
  });

  it('keeps blocks in step with retention, stream deletion and a database from before blocks', () => {
    const { store, groupId } = seeded();
    store.expire(groupId, T0 + 5500);
    for (const p of PATTERNS) expect(search(store, groupId, p)).toEqual(fullScan(store, groupId, p));
    store.deleteStream(store.stream(store.groupById(groupId)!, 'a')!);
    for (const p of PATTERNS) expect(search(store, groupId, p)).toEqual(fullScan(store, groupId, p));
    // Drop the blocks as if the database predated them: the migration builds them again.
    store.db.sql.exec("DROP TABLE logs_blocks; DELETE FROM _migrations WHERE name = 'logs-v2-blocks'");
    const again = new LogsStore(store.db);
    for (const p of PATTERNS) expect(search(again, groupId, p)).toEqual(fullScan(again, groupId, p));
    expect((again.db.sql.prepare('SELECT sum(n) AS n FROM logs_blocks').get() as { n: number }).n).toBe(again.groupEvents(again.groupById(groupId)!));
    store.db.close();
  });

  it('serves blocks kept in memory only while they are unchanged: merged batches, retention, deletion, a wiped database', () => {
    const { store, groupId } = seeded();
    const same = () => {
      for (const p of PATTERNS) expect(search(store, groupId, p)).toEqual(fullScan(store, groupId, p));
    };
    same();
    // One-event batches join stream b's last block (read and kept by the searches above).
    const b = () => store.stream(store.groupById(groupId)!, 'b')!;
    for (const m of ['late ERROR joins the block', 'and deadlock too', 'ERROR timeout again']) store.append(b(), [{ timestamp: T0 + 90_000, message: m }], T0 + 1);
    same();
    store.expire(groupId, T0 + 5500);
    same();
    store.deleteStream(store.stream(store.groupById(groupId)!, 'a')!);
    same();
    // POST /_slipway/reset: every row goes, new events take the same row ids again.
    store.db.wipe();
    store.forgetCached();
    store.createGroup(scope, { name: '/g', created: 0, cls: 'STANDARD', deletionProtection: false, tags: {} });
    const g = store.group(scope, '/g')!;
    // A block per stream: they take the ids of blocks read before the wipe.
    for (let s = 0; s < 8; s++) {
      store.createStream(g, `s${s}`, 0);
      store.append(store.stream(g, `s${s}`)!, MESSAGES.map((m, i) => ({ timestamp: T0 + i * 1000 + s, message: m.replace(/ERROR/g, 'WARN') })), T0);
    }
    expect(search(store, g.id, 'ERROR')).toEqual([]);
    for (const p of PATTERNS) expect(search(store, g.id, p)).toEqual(fullScan(store, g.id, p));
    store.db.close();
  });

  it.each([
    ['ERROR', 'ERROR'], ['error', 'error'], ['ünïcødé', 'ünïcødé'], ['日本語', '日本語'], ['a*b', 'a*b'], ['OR', 'OR'],
  ])('Logs Insights like /%s/ gives the same rows and counts through the blocks as through SQL', async (re, text) => {
    const { store, groupId } = seeded();
    const source = new EventSource(store.db, store.blocks);
    const range = { groups: [{ id: groupId, name: '000000000000:/g' }], start: T0, end: T0 + 120_000 };
    const run = async (q: string) => (await runQuery(source, parseQuery(q), range, 1000))!;
    const escaped = re.replace(/[*?]/g, (c) => `\\${c}`);
    // Raw rows: blocks (the newest first) against the SQL path that an extra condition forces.
    const fast = await run(`filter @message like /${escaped}/`);
    const slow = await run(`filter @message like /${escaped}/ and strlen(@message) >= 0`);
    expect(fast.results.map((r) => r.filter((f) => f.field !== '@ptr'))).toEqual(slow.results.map((r) => r.filter((f) => f.field !== '@ptr')));
    expect(fast.statistics).toEqual(slow.statistics);
    // The results' text is what JSON.stringify writes for the rows (quotes, unicode, JSON fields).
    for (const out of [fast, slow]) expect(out.json.toString()).toBe(JSON.stringify(out.results));
    // The newest few, with events of several streams at the same timestamps.
    for (const k of [1, 2, 3, 5, 8, 13]) {
      const newest = await run(`filter @message like /${escaped}/ | limit ${k}`);
      const reference = await run(`filter @message like /${escaped}/ and strlen(@message) >= 0 | limit ${k}`);
      expect(newest.json.toString()).toBe(reference.json.toString());
    }
    // Chosen columns, written from the blocks: as the executor writes them.
    for (const [before, after] of [['fields @timestamp, @message | ', ''], ['', ' | fields @logStream, @ingestionTime, @message, @log'], ['', ' | display @message | limit 4']]) {
      const picked = await run(`${before}filter @message like /${escaped}/${after}`);
      const reference = await run(`${before}filter @message like /${escaped}/ and strlen(@message) >= 0${after}`);
      expect(picked.json.toString()).toBe(reference.json.toString());
      expect(picked.statistics).toEqual(reference.statistics);
      if (before) expect(picked.results[0].map((f) => f.field)).toEqual(['@timestamp', '@message', '@ptr']);
    }
    const expected = MESSAGES.length * 3 - 0;
    expect(fast.statistics.recordsScanned).toBe(expected);
    // Counts by bin: blocks against the executor fed by a scan without any pushed-down filter.
    const bins = await run(`filter @message like /${escaped}/ | stats count(*) as n by bin(1m), @logStream`);
    const scanned = await run(`filter strcontains(@message, "${text}") | stats count(*) as n by bin(1m), @logStream`);
    expect(bins.results).toEqual(scanned.results);
    expect(bins.statistics.recordsMatched).toBe(scanned.statistics.recordsMatched);
    store.db.close();
  });
});
