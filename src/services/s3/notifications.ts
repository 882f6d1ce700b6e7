import { randomUUID } from 'node:crypto';
import type { FilterRule, NotificationConfiguration, QueueConfiguration, TopicConfiguration } from '../../aws/models/generated/s3.js';
import { ServiceError } from '../../core/errors.js';
import { invalidArgument } from './common.js';
import type { ObjectVersion } from './store.js';

/** The S3 event names Slipway emits (`eventName` in a record, `s3:` + it in a configuration). */
export type S3EventName =
  | 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete' | 'ObjectRemoved:DeleteMarkerCreated'
  | 'ObjectTagging:Put' | 'ObjectTagging:Delete';

/** A queue or topic destination of a bucket, as one list. */
export interface Destination {
  kind: 'sqs' | 'sns';
  arn: string;
  id: string;
  events: string[];
  rules: FilterRule[];
}

export function destinations(n: NotificationConfiguration | undefined): Destination[] {
  if (!n) return [];
  const of = (kind: Destination['kind'], arn: string, c: QueueConfiguration | TopicConfiguration): Destination => ({
    kind, arn, id: c.Id ?? '', events: c.Events, rules: c.Filter?.Key?.FilterRules ?? [],
  });
  return [...(n.QueueConfigurations ?? []).map((c) => of('sqs', c.QueueArn, c)), ...(n.TopicConfigurations ?? []).map((c) => of('sns', c.TopicArn, c))];
}

/**
 * Checks a notification configuration as S3 does and gives each configuration an id when it
 * has none. Lambda destinations are refused: Slipway cannot invoke functions, and accepting
 * one would mean events silently going nowhere.
 */
export function normalizeNotification(n: NotificationConfiguration): NotificationConfiguration {
  if (n.LambdaFunctionConfigurations?.length) {
    throw new ServiceError('NotImplemented', 'Slipway cannot deliver S3 notifications to Lambda functions; use an SQS queue, an SNS topic or EventBridgeConfiguration.', {
      statusCode: 501,
      senderFault: false,
    });
  }
  const withId = <T extends { Id?: string; Filter?: QueueConfiguration['Filter'] }>(c: T): T => ({ ...c, Id: c.Id || generatedId(), Filter: normalizeFilter(c.Filter) });
  const out: NotificationConfiguration = {};
  if (n.TopicConfigurations?.length) out.TopicConfigurations = n.TopicConfigurations.map(withId);
  if (n.QueueConfigurations?.length) out.QueueConfigurations = n.QueueConfigurations.map(withId);
  if (n.EventBridgeConfiguration) out.EventBridgeConfiguration = {};
  checkOverlaps(destinations(out));
  return out;
}

/** S3 names an unnamed configuration with a base64-encoded UUID. */
function generatedId(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

function normalizeFilter(filter: QueueConfiguration['Filter']): QueueConfiguration['Filter'] {
  const rules = filter?.Key?.FilterRules;
  if (!rules?.length) return undefined;
  const seen = new Set<string>();
  const out = rules.map((r) => {
    const name = (r.Name ?? '').toLowerCase();
    if (name !== 'prefix' && name !== 'suffix') throw invalidArgument('filter rule name must be either prefix or suffix', 'FilterRule', r.Name);
    if (seen.has(name)) throw invalidArgument(`Cannot specify more than one ${name} rule in a filter.`, 'FilterRule', r.Name);
    seen.add(name);
    return { Name: name, Value: r.Value ?? '' } as FilterRule;
  });
  return { Key: { FilterRules: out } };
}

function ruleValue(rules: FilterRule[], name: 'prefix' | 'suffix'): string {
  return rules.find((r) => r.Name === name)?.Value ?? '';
}

/** Whether a configured event type (`s3:ObjectCreated:*`) covers an emitted event. */
export function coversEvent(configured: string, event: S3EventName): boolean {
  const name = `s3:${event}`;
  return configured === name || (configured.endsWith(':*') && name.startsWith(configured.slice(0, -1)));
}

export function matches(d: Destination, event: S3EventName, key: string): boolean {
  return d.events.some((e) => coversEvent(e, event)) && key.startsWith(ruleValue(d.rules, 'prefix')) && key.endsWith(ruleValue(d.rules, 'suffix'));
}

/** Two configured event types can fire for the same event. */
function eventsOverlap(a: string, b: string): boolean {
  const stem = (e: string) => (e.endsWith(':*') ? e.slice(0, -1) : e);
  return a === b || (a.endsWith(':*') && b.startsWith(stem(a))) || (b.endsWith(':*') && a.startsWith(stem(b)));
}

/** S3 refuses configurations that could both fire for one object event. */
function checkOverlaps(all: Destination[]): void {
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [a, b] = [all[i], all[j]];
      const [pa, pb, sa, sb] = [ruleValue(a.rules, 'prefix'), ruleValue(b.rules, 'prefix'), ruleValue(a.rules, 'suffix'), ruleValue(b.rules, 'suffix')];
      const keysOverlap = (pa.startsWith(pb) || pb.startsWith(pa)) && (sa.endsWith(sb) || sb.endsWith(sa));
      if (keysOverlap && a.events.some((x) => b.events.some((y) => eventsOverlap(x, y)))) {
        throw invalidArgument('Configurations overlap. Configurations on the same bucket cannot share a common event type.', 'Event', a.events[0]);
      }
    }
  }
}

/** An object key as S3 writes it in event records: URL-encoded, spaces as `+`. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** One object change, as notifications report it. */
export interface ObjectChange {
  version: ObjectVersion;
  event: S3EventName;
  /** When it happened: the version's write, or the moment of a permanent delete. */
  time: number;
}

/**
 * Orders the events of a key as AWS's sequencer does (compare as hex strings of equal length):
 * the change's time, the version's sequence number, and a final digit that puts the permanent
 * delete of a version (1) and tag changes (2) after its creation (0).
 */
export function sequencer(c: ObjectChange): string {
  const removed = c.event === 'ObjectRemoved:Delete' ? '1' : c.event.startsWith('ObjectTagging') ? '2' : '0';
  return (c.time.toString(16).padStart(12, '0') + c.version.seq.toString(16).padStart(8, '0') + removed).toUpperCase();
}
