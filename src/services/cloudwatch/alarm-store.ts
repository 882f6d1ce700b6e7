import type { Statement } from 'better-sqlite3';
import type { Scope } from '../../core/scope.js';
import type { AlarmHistoryItem, PutCompositeAlarmInput, PutMetricAlarmInput, Tag } from '../../aws/models/generated/cloudwatch.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';
import type { StateValue } from './alarm-evaluator.js';

export type AlarmType = 'MetricAlarm' | 'CompositeAlarm';

interface AlarmBase {
  name: string;
  arn: string;
  actionsEnabled: boolean;
  state: StateValue;
  stateReason: string;
  stateReasonData?: string;
  stateUpdated: number;
  stateTransitioned: number;
  configUpdated: number;
  tags: Tag[];
}

export interface MetricAlarmRecord extends AlarmBase {
  type: 'MetricAlarm';
  config: Omit<PutMetricAlarmInput, 'Tags'>;
  /** The evaluation generation: a scheduled tick for another generation is stale and dropped. */
  tick: number;
  /** When Auto Scaling actions last ran for the current state (they repeat every period while it lasts). */
  scalingActedAt?: number;
}

export interface CompositeAlarmRecord extends AlarmBase {
  type: 'CompositeAlarm';
  config: Omit<PutCompositeAlarmInput, 'Tags'>;
}

export type AlarmRecord = MetricAlarmRecord | CompositeAlarmRecord;

export interface HistoryEntry {
  alarm: string;
  type: AlarmType;
  ts: number;
  itemType: NonNullable<AlarmHistoryItem['HistoryItemType']>;
  summary: string;
  data: string;
}

export const alarmArn = (scope: Scope, name: string) => `arn:aws:cloudwatch:${scope.region}:${scope.accountId}:alarm:${name}`;

/** Alarms as documents; their history in a table of its own, queried by time. */
export class AlarmStore {
  readonly alarms: Collection<AlarmRecord>;
  private readonly insertHistory: Statement;
  private readonly selectHistory: Statement;

  constructor(db: Database) {
    this.alarms = new Collection<AlarmRecord>(db, 'cloudwatch.alarms');
    db.migrate(
      'cloudwatch-alarm-history-v1',
      `CREATE TABLE cw_alarm_history (id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL, alarm TEXT NOT NULL,
         type TEXT NOT NULL, ts INTEGER NOT NULL, item_type TEXT NOT NULL, summary TEXT NOT NULL, data TEXT NOT NULL);
       CREATE INDEX cw_alarm_history_time ON cw_alarm_history (account, region, ts);`,
    );
    this.insertHistory = db.sql.prepare('INSERT INTO cw_alarm_history (account, region, alarm, type, ts, item_type, summary, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.selectHistory = db.sql.prepare(
      'SELECT id, alarm, type, ts, item_type AS itemType, summary, data FROM cw_alarm_history WHERE account = ? AND region = ? AND ts >= ? AND ts <= ? ORDER BY ts, id',
    );
  }

  get(scope: Scope, name: string): AlarmRecord | undefined {
    return this.alarms.get(scope, name);
  }

  put(scope: Scope, alarm: AlarmRecord): void {
    this.alarms.put(scope, alarm.name, alarm);
  }

  list(scope: Scope, prefix?: string): AlarmRecord[] {
    return this.alarms.list(scope, prefix);
  }

  /** History stays after the alarm is gone, as on AWS. */
  delete(scope: Scope, name: string): void {
    this.alarms.delete(scope, name);
  }

  record(scope: Scope, e: HistoryEntry): void {
    this.insertHistory.run(scope.accountId, scope.region, e.alarm, e.type, e.ts, e.itemType, e.summary, e.data);
  }

  /** History entries in [from, to], oldest first, each with its row id (for stable paging). */
  history(scope: Scope, from: number, to: number): (HistoryEntry & { id: number })[] {
    return this.selectHistory.all(scope.accountId, scope.region, from, to) as (HistoryEntry & { id: number })[];
  }
}
