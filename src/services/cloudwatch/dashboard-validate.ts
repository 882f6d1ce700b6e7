import type { DashboardValidationMessage } from '../../aws/models/generated/cloudwatch.js';
import { isValidStat } from './statistics.js';

/** Problems that block saving (AWS's errors) and those that only warn. */
export interface DashboardCheck {
  errors: DashboardValidationMessage[];
  warnings: DashboardValidationMessage[];
}

const WIDGET_TYPES = ['metric', 'text', 'log', 'alarm', 'explorer', 'custom', 'chart'];
const WIDGET_KEYS = ['type', 'x', 'y', 'width', 'height', 'properties'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Validates a dashboard body as PutDashboard does: JSON, widgets, their layout and properties. */
export function checkDashboardBody(body: string): DashboardCheck {
  const errors: DashboardValidationMessage[] = [];
  const warnings: DashboardValidationMessage[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    errors.push({ DataPath: '', Message: `Invalid JSON: ${(e as Error).message}` });
    return { errors, warnings };
  }
  if (!isObject(doc)) {
    errors.push({ DataPath: '', Message: 'Should be object' });
    return { errors, warnings };
  }
  if (!('widgets' in doc)) errors.push({ DataPath: '', Message: "Should have required property 'widgets'" });
  else if (!Array.isArray(doc.widgets)) errors.push({ DataPath: '/widgets', Message: 'Should be array' });
  else doc.widgets.forEach((w, i) => checkWidget(w, `/widgets/${i}`, errors));
  for (const key of ['start', 'end']) if (key in doc && typeof doc[key] !== 'string') errors.push({ DataPath: `/${key}`, Message: 'Should be string' });
  if ('periodOverride' in doc && doc.periodOverride !== 'auto' && doc.periodOverride !== 'inherit') {
    errors.push({ DataPath: '/periodOverride', Message: 'Should be equal to one of the allowed values: auto, inherit' });
  }
  return { errors, warnings };
}

function checkWidget(w: unknown, path: string, errors: DashboardValidationMessage[]): void {
  if (!isObject(w)) {
    errors.push({ DataPath: path, Message: 'Should be object' });
    return;
  }
  if (!('type' in w)) errors.push({ DataPath: path, Message: "Should have required property 'type'" });
  else if (!WIDGET_TYPES.includes(String(w.type))) errors.push({ DataPath: `${path}/type`, Message: `Should be equal to one of the allowed values: ${WIDGET_TYPES.join(', ')}` });
  for (const key of Object.keys(w)) if (!WIDGET_KEYS.includes(key)) errors.push({ DataPath: path, Message: `Should NOT have additional properties: '${key}'` });
  const ranges: [string, number, number][] = [['x', 0, 23], ['y', 0, Number.MAX_SAFE_INTEGER], ['width', 1, 24], ['height', 1, 1000]];
  for (const [key, min, max] of ranges) {
    if (!(key in w)) continue;
    const v = w[key];
    if (!isInt(v)) errors.push({ DataPath: `${path}/${key}`, Message: 'Should be integer' });
    else if (v < min) errors.push({ DataPath: `${path}/${key}`, Message: `Should be >= ${min}` });
    else if (v > max) errors.push({ DataPath: `${path}/${key}`, Message: `Should be <= ${max}` });
  }
  if (!('properties' in w)) {
    if (w.type !== 'explorer') errors.push({ DataPath: path, Message: "Should have required property 'properties'" });
    return;
  }
  if (!isObject(w.properties)) {
    errors.push({ DataPath: `${path}/properties`, Message: 'Should be object' });
    return;
  }
  if (w.type === 'metric') checkMetricProperties(w.properties, `${path}/properties`, errors);
  if (w.type === 'text' && typeof w.properties.markdown !== 'string') errors.push({ DataPath: `${path}/properties`, Message: "Should have required property 'markdown'" });
  if (w.type === 'log' && typeof w.properties.query !== 'string') errors.push({ DataPath: `${path}/properties`, Message: "Should have required property 'query'" });
  if (w.type === 'alarm' && !Array.isArray(w.properties.alarms)) errors.push({ DataPath: `${path}/properties`, Message: "Should have required property 'alarms'" });
}

function checkMetricProperties(p: Record<string, unknown>, path: string, errors: DashboardValidationMessage[]): void {
  if (!('metrics' in p) && !('annotations' in p)) {
    errors.push({ DataPath: path, Message: "Should have required property 'metrics'" });
    return;
  }
  if ('metrics' in p) {
    if (!Array.isArray(p.metrics)) errors.push({ DataPath: `${path}/metrics`, Message: 'Should be array' });
    else p.metrics.forEach((m, i) => checkMetricLine(m, `${path}/metrics/${i}`, errors));
  }
  if ('stat' in p && (typeof p.stat !== 'string' || !isValidStat(p.stat))) errors.push({ DataPath: `${path}/stat`, Message: 'Should be a valid statistic' });
  if ('period' in p && (!isInt(p.period) || p.period < 1)) errors.push({ DataPath: `${path}/period`, Message: 'Should be integer >= 1' });
  if ('view' in p && !['timeSeries', 'singleValue', 'gauge', 'bar', 'pie', 'table'].includes(String(p.view))) {
    errors.push({ DataPath: `${path}/view`, Message: 'Should be equal to one of the allowed values: timeSeries, singleValue, gauge, bar, pie, table' });
  }
  if ('region' in p && typeof p.region !== 'string') errors.push({ DataPath: `${path}/region`, Message: 'Should be string' });
}

/** A metrics line: [namespace, name, dimName, dimValue, ..., {options}] or [{expression...}], with "." and "..". */
function checkMetricLine(m: unknown, path: string, errors: DashboardValidationMessage[]): void {
  if (!Array.isArray(m)) {
    errors.push({ DataPath: path, Message: 'Should be array' });
    return;
  }
  const last = m[m.length - 1];
  const strings = isObject(last) ? m.slice(0, -1) : m;
  if (strings.some((s) => typeof s !== 'string')) errors.push({ DataPath: path, Message: 'Should contain only strings, then an optional rendering properties object' });
  if (!strings.length && !(isObject(last) && typeof last.expression === 'string')) {
    errors.push({ DataPath: path, Message: 'Should name a metric or give an expression' });
  }
  if (isObject(last) && 'stat' in last && (typeof last.stat !== 'string' || !isValidStat(last.stat))) {
    errors.push({ DataPath: `${path}/${m.length - 1}/stat`, Message: 'Should be a valid statistic' });
  }
}
