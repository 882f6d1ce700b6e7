// Issue 9: CloudWatch metric ingestion (PutMetricData) and a GetMetricData query over a week of
// per-minute data, against better-sqlite3 doing the same inserts and aggregation directly.
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Slipway } from '../src/slipway.js';
import { median } from './lib/stats.js';

const BATCH = 20;
const REQUESTS = Number(process.env.BENCH_CW_REQUESTS ?? 2000);
const WEEK_MINUTES = 7 * 1440;
const QUERY_RUNS = 15;

const datums = (i: number, now: number): MetricDatum[] =>
  Array.from({ length: BATCH }, (_, k) => ({
    MetricName: k % 2 ? 'HTTPCode_Target_5XX_Count' : 'RequestCount',
    Dimensions: [{ Name: 'LoadBalancer', Value: `app/web-${k % 4}/1` }],
    Value: (i + k) % 7,
    Unit: 'Count',
    Timestamp: new Date(now - ((i * BATCH + k) % 600) * 1000),
  }));

/** The same schema and indexes Slipway's metric store uses, filled the plain way. */
function baselineDb(dir: string) {
  const db = new BetterSqlite3(join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE metrics (id INTEGER PRIMARY KEY, namespace TEXT, name TEXT, dims TEXT, UNIQUE (namespace, name, dims));
           CREATE TABLE points (metric_id INTEGER, ts INTEGER, unit TEXT, n REAL, sum REAL, min REAL, max REAL);
           CREATE INDEX points_range ON points (metric_id, ts);`);
  const upsert = db.prepare('INSERT INTO metrics (namespace, name, dims) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET name = name RETURNING id');
  const insert = db.prepare('INSERT INTO points (metric_id, ts, unit, n, sum, min, max) VALUES (?, ?, ?, 1, ?, ?, ?)');
  const put = db.transaction((batch: MetricDatum[]) => {
    for (const d of batch) {
      const { id } = upsert.get('Bench', d.MetricName, JSON.stringify(d.Dimensions)) as { id: number };
      insert.run(id, d.Timestamp!.getTime(), d.Unit, d.Value, d.Value, d.Value);
    }
  });
  return { db, put };
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function benchCloudwatch(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-cw-'));
  const slipway = await Slipway.start({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'slipway'), logLevel: 'error' });
  const scope = { accountId: '000000000000', region: 'us-east-1' };
  const cw = new CloudWatchClient({ endpoint: slipway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const base = baselineDb(dir);
  const rows: string[] = [];
  try {
    const now = Date.now();
    // Ingestion: over HTTP (8 requests in flight), in process (how Logs and ELB publish), and direct.
    let next = 0;
    const http = await timed(async () => {
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < REQUESTS) await cw.send(new PutMetricDataCommand({ Namespace: 'Bench', MetricData: datums(next++, now) }));
      }));
    });
    const internal = await timed(async () => {
      for (let i = 0; i < REQUESTS; i++) await slipway.aws.call('cloudwatch', 'PutMetricData', { Namespace: 'Bench', MetricData: datums(i, now) }, scope);
    });
    const direct = await timed(() => {
      for (let i = 0; i < REQUESTS; i++) base.put(datums(i, now));
    });
    const perSec = (ms: number) => Math.round((REQUESTS * BATCH) / (ms / 1000)).toLocaleString('en-US');
    rows.push(`| PutMetricData ingestion, ${REQUESTS} requests × ${BATCH} datums: datapoints/s over HTTP (SDK v3, JSON, 8 in flight) | ${perSec(http)} | ${perSec(direct)} (better-sqlite3 inserts, one transaction per request) | ratio ${((direct / http) * 100).toFixed(0)}% |`);
    rows.push(`| … through the in-process client (how Logs metric filters and ELB publish) | ${perSec(internal)} | ${perSec(direct)} | ratio ${((direct / internal) * 100).toFixed(0)}% |`);

    // A week of per-minute data for one metric, then GetMetricData at 1-hour periods.
    const start = Math.floor((now - WEEK_MINUTES * 60_000) / 3600_000) * 3600_000 + 3600_000;
    const week: MetricDatum[] = Array.from({ length: WEEK_MINUTES }, (_, i) => ({ MetricName: 'Latency', Value: (i * 37) % 1000, Unit: 'Milliseconds', Timestamp: new Date(start + i * 60_000) }));
    for (let i = 0; i < week.length; i += 1000) {
      const batch = week.slice(i, i + 1000);
      await slipway.aws.call('cloudwatch', 'PutMetricData', { Namespace: 'Week', MetricData: batch }, scope);
      base.put(batch.map((d) => ({ ...d, Dimensions: [] })));
    }
    const end = start + WEEK_MINUTES * 60_000;
    const query = (stat: string) => new GetMetricDataCommand({ StartTime: new Date(start), EndTime: new Date(end), MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'Week', MetricName: 'Latency' }, Period: 3600, Stat: stat } }] });
    const check = await cw.send(query('Average'));
    if (check.MetricDataResults![0].Values!.length !== 168) throw new Error(`expected 168 hourly values, got ${check.MetricDataResults![0].Values!.length}`);
    const metricId = (base.db.prepare("SELECT id FROM metrics WHERE name = 'Latency'").get() as { id: number }).id;
    const agg = base.db.prepare('SELECT (ts - ?) / 3600000 AS b, SUM(sum) / SUM(n) AS avg FROM points WHERE metric_id = ? AND ts >= ? AND ts < ? GROUP BY b ORDER BY b');
    const raw = base.db.prepare('SELECT sum FROM points WHERE metric_id = ? AND ts >= ? AND ts < ? ORDER BY ts');
    const results: Record<string, number[]> = { avg: [], p99: [], baseAvg: [], baseP99: [] };
    for (let i = 0; i < QUERY_RUNS; i++) {
      results.avg.push(await timed(async () => void (await cw.send(query('Average')))));
      results.p99.push(await timed(async () => void (await cw.send(query('p99')))));
      results.baseAvg.push(await timed(() => void agg.all(start, metricId, start, end)));
      results.baseP99.push(await timed(() => {
        const values = (raw.all(metricId, start, end) as { sum: number }[]).map((r) => r.sum);
        for (let h = 0; h < 168; h++) {
          const hour = values.slice(h * 60, h * 60 + 60).sort((a, b) => a - b);
          void hour[Math.ceil(0.99 * hour.length) - 1];
        }
      }));
    }
    const ms = (xs: number[]) => `${median(xs).toFixed(1)} ms`;
    rows.push(`| GetMetricData, a week of per-minute data (10,080 points) at 1-hour periods, Average: latency (median of ${QUERY_RUNS}, over HTTP) | ${ms(results.avg)} | ${ms(results.baseAvg)} (SQL GROUP BY on the same rows) | — |`);
    rows.push(`| … p99 (computed from the stored values) | ${ms(results.p99)} | ${ms(results.baseP99)} (rows read and sorted per hour in JS) | — |`);
  } finally {
    await slipway.close();
    base.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
