import type { Statement } from 'better-sqlite3';
import type { Scope } from '../../core/scope.js';
import type { Database } from '../../state/database.js';
import type { PointRow } from './metric-input.js';
import type { Sample } from './statistics.js';

export interface MetricRecord {
  id: number;
  namespace: string;
  name: string;
  /** The canonical dimension key (see dimensionKey). */
  dims: string;
  lastPut: number;
}

export interface StoredPoint extends Sample {
  ts: number;
  unit: string;
}

type RawRow = [number, string, number, number, number, number, string | null];

interface PointDbRow {
  ts: number;
  unit: string;
  n: number;
  sum: number;
  min: number;
  max: number;
  vals: string | null;
}

// How often a metric's last-put time is refreshed: ListMetrics' RecentlyActive works in hours.
const LAST_PUT_GRANULARITY = 60_000;

/**
 * Metric identities in one table, datapoints in another keyed by (metric, time) so that a
 * time-range query is an index range scan. Each PutMetricData datum is one row; the rollup
 * (see rollup.ts) later merges old rows into coarser ones as AWS's retention does.
 */
export class MetricStore {
  private readonly ids = new Map<string, { id: number; lastPut: number }>();
  private readonly findMetric: Statement;
  private readonly insertMetric: Statement;
  private readonly touchMetric: Statement;
  private readonly insertPoint: Statement;
  private readonly rangeStmt: Statement;
  private readonly listStmt: Statement;
  private readonly byIdentity: Statement;

  constructor(readonly db: Database) {
    db.migrate(
      'cloudwatch-metrics-v1',
      `CREATE TABLE cw_metrics (id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL,
         name TEXT NOT NULL, dims TEXT NOT NULL, last_put INTEGER NOT NULL);
       CREATE UNIQUE INDEX cw_metrics_key ON cw_metrics (account, region, namespace, name, dims);
       CREATE TABLE cw_points (metric_id INTEGER NOT NULL, ts INTEGER NOT NULL, unit TEXT NOT NULL, res INTEGER NOT NULL,
         n REAL NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, vals TEXT);
       CREATE INDEX cw_points_range ON cw_points (metric_id, ts);`,
    );
    const sql = db.sql;
    this.findMetric = sql.prepare('SELECT id, last_put AS lastPut FROM cw_metrics WHERE account = ? AND region = ? AND namespace = ? AND name = ? AND dims = ?');
    this.insertMetric = sql.prepare('INSERT INTO cw_metrics (account, region, namespace, name, dims, last_put) VALUES (?, ?, ?, ?, ?, ?)');
    this.touchMetric = sql.prepare('UPDATE cw_metrics SET last_put = ? WHERE id = ?');
    this.insertPoint = sql.prepare('INSERT INTO cw_points (metric_id, ts, unit, res, n, sum, min, max, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    // Raw rows (arrays, not objects): a week of per-minute data is 10,080 of them per query.
    this.rangeStmt = sql.prepare('SELECT ts, unit, n, sum, min, max, vals FROM cw_points WHERE metric_id = ? AND ts >= ? AND ts < ? ORDER BY ts').raw(true);
    this.listStmt = sql.prepare(
      'SELECT id, namespace, name, dims, last_put AS lastPut FROM cw_metrics WHERE account = ? AND region = ? AND last_put >= ? ORDER BY namespace, name, dims',
    );
    this.byIdentity = sql.prepare('SELECT id, namespace, name, dims, last_put AS lastPut FROM cw_metrics WHERE account = ? AND region = ? AND namespace = ? AND name = ?');
  }

  /** Stores a request's rows in one transaction: all of them or none. */
  put(scope: Scope, namespace: string, rows: PointRow[], now: number): void {
    this.db.transaction(() => {
      for (const r of rows) {
        const id = this.metricId(scope, namespace, r.name, r.dims, now);
        this.insertPoint.run(id, r.ts, r.unit, r.res, r.n, r.sum, r.min, r.max, r.vals);
      }
    });
  }

  private metricId(scope: Scope, namespace: string, name: string, dims: string, now: number): number {
    const key = `${scope.accountId}\u0000${scope.region}\u0000${namespace}\u0000${name}\u0000${dims}`;
    let known = this.ids.get(key);
    if (!known) {
      const row = this.findMetric.get(scope.accountId, scope.region, namespace, name, dims) as { id: number; lastPut: number } | undefined;
      known = row ?? { id: Number(this.insertMetric.run(scope.accountId, scope.region, namespace, name, dims, now).lastInsertRowid), lastPut: now };
      this.ids.set(key, known);
    }
    if (now - known.lastPut >= LAST_PUT_GRANULARITY) {
      known.lastPut = now;
      this.touchMetric.run(now, known.id);
    }
    return known.id;
  }

  /** The metric with exactly this identity, if any data was ever put for it. */
  find(scope: Scope, namespace: string, name: string, dims: string): MetricRecord | undefined {
    return (this.byIdentity.all(scope.accountId, scope.region, namespace, name) as MetricRecord[]).find((m) => m.dims === dims);
  }

  /** Metrics that received data since `since`, ordered by namespace, name and dimensions. */
  list(scope: Scope, since: number): MetricRecord[] {
    return this.listStmt.all(scope.accountId, scope.region, since) as MetricRecord[];
  }

  /** The stored points of a metric in [start, end), oldest first. */
  points(metricId: number, start: number, end: number): StoredPoint[] {
    return (this.rangeStmt.all(metricId, start, end) as RawRow[]).map(([ts, unit, n, sum, min, max, vals]) => toPoint({ ts, unit, n, sum, min, max, vals }));
  }

  /** Forgets cached ids (after a reset wiped the tables). */
  clearCache(): void {
    this.ids.clear();
  }
}

export function toPoint(r: PointDbRow): StoredPoint {
  return {
    ts: r.ts,
    unit: r.unit,
    n: r.n,
    sum: r.sum,
    min: r.min,
    max: r.max,
    values: r.vals === null || r.vals === 'none' ? undefined : (JSON.parse(r.vals) as [number, number][]),
    noRaw: r.vals === 'none',
  };
}
