import { describe, expect, it } from 'vitest';
import type { NotificationConfiguration } from '../../../src/aws/models/generated/s3.js';
import { isServiceError } from '../../../src/core/errors.js';
import { coversEvent, destinations, encodeEventKey, matches, normalizeNotification, sequencer, type S3EventName } from '../../../src/services/s3/notifications.js';
import type { ObjectVersion } from '../../../src/services/s3/store.js';

const Q = 'arn:aws:sqs:us-east-1:000000000000:q';
const T = 'arn:aws:sns:us-east-1:000000000000:t';

function refusal(n: NotificationConfiguration): string {
  try {
    normalizeNotification(n);
  } catch (e) {
    if (isServiceError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

describe('S3 notification configurations', () => {
  it.each<[string, S3EventName, boolean]>([
    ['s3:ObjectCreated:*', 'ObjectCreated:Put', true],
    ['s3:ObjectCreated:*', 'ObjectCreated:CompleteMultipartUpload', true],
    ['s3:ObjectCreated:Put', 'ObjectCreated:Put', true],
    ['s3:ObjectCreated:Put', 'ObjectCreated:Copy', false],
    ['s3:ObjectRemoved:*', 'ObjectRemoved:DeleteMarkerCreated', true],
    ['s3:ObjectRemoved:Delete', 'ObjectRemoved:DeleteMarkerCreated', false],
    ['s3:ObjectRemoved:*', 'ObjectCreated:Put', false],
  ])('%s covers %s: %s', (configured, event, expected) => {
    expect(coversEvent(configured, event)).toBe(expected);
  });

  it('matches prefix and suffix rules (AWS compares them case-sensitively)', () => {
    const [d] = destinations(normalizeNotification({
      QueueConfigurations: [{ QueueArn: Q, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'images/' }, { Name: 'suffix', Value: '.jpg' }] } } }],
    }));
    expect(matches(d, 'ObjectCreated:Put', 'images/cat.jpg')).toBe(true);
    expect(matches(d, 'ObjectCreated:Put', 'images/cat.JPG')).toBe(false);
    expect(matches(d, 'ObjectCreated:Put', 'docs/cat.jpg')).toBe(false);
    expect(matches(d, 'ObjectRemoved:Delete', 'images/cat.jpg')).toBe(false);
  });

  it.each<[string, NotificationConfiguration, string]>([
    ['same event types without filters', { QueueConfigurations: [{ QueueArn: Q, Events: ['s3:ObjectCreated:*'] }], TopicConfigurations: [{ TopicArn: T, Events: ['s3:ObjectCreated:Put'] }] },
      'InvalidArgument: Configurations overlap. Configurations on the same bucket cannot share a common event type.'],
    ['disjoint prefixes', {
      QueueConfigurations: [{ QueueArn: Q, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a/' }] } } }],
      TopicConfigurations: [{ TopicArn: T, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'b/' }] } } }],
    }, 'accepted'],
    ['different event types', { QueueConfigurations: [{ QueueArn: Q, Events: ['s3:ObjectCreated:*'] }], TopicConfigurations: [{ TopicArn: T, Events: ['s3:ObjectRemoved:*'] }] }, 'accepted'],
    ['two prefix rules', { QueueConfigurations: [{ QueueArn: Q, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a' }, { Name: 'prefix', Value: 'b' }] } } }] },
      'InvalidArgument: Cannot specify more than one prefix rule in a filter.'],
    ['a Lambda destination', { LambdaFunctionConfigurations: [{ LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', Events: ['s3:ObjectCreated:*'] }] },
      'NotImplemented: Slipway cannot deliver S3 notifications to Lambda functions; use an SQS queue, an SNS topic or EventBridgeConfiguration.'],
  ])('%s', (_name, config, expected) => {
    expect(refusal(config)).toBe(expected);
  });

  it('names unnamed configurations and keeps given ids', () => {
    const n = normalizeNotification({ QueueConfigurations: [{ Id: 'mine', QueueArn: Q, Events: ['s3:ObjectCreated:*'] }], TopicConfigurations: [{ TopicArn: T, Events: ['s3:ObjectRemoved:*'] }] });
    expect(n.QueueConfigurations![0].Id).toBe('mine');
    expect(Buffer.from(n.TopicConfigurations![0].Id!, 'base64').toString()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['photos/my cat.jpg', 'photos/my+cat.jpg'],
    ['a+b=c&d.txt', 'a%2Bb%3Dc%26d.txt'],
    ['dir/ünï.txt', 'dir/%C3%BCn%C3%AF.txt'],
  ])('encodes key %s as %s', (key, encoded) => {
    expect(encodeEventKey(key)).toBe(encoded);
  });

  it('orders a key\'s events by their sequencers', () => {
    const v = (seq: number) => ({ seq }) as ObjectVersion;
    const put = sequencer({ version: v(7), event: 'ObjectCreated:Put', time: 1000 });
    const del = sequencer({ version: v(7), event: 'ObjectRemoved:Delete', time: 1000 });
    const again = sequencer({ version: v(8), event: 'ObjectCreated:Put', time: 1000 });
    expect([put < del, del < again]).toEqual([true, true]);
  });
});
