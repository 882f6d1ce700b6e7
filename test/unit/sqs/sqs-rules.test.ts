import { describe, expect, it } from 'vitest';
import { applyAttributes, defaultAttributes, normalizeAttributes } from '../../../src/services/sqs/attributes.js';
import { md5OfAttributes, md5OfBody } from '../../../src/services/sqs/md5.js';
import { prepareMessage } from '../../../src/services/sqs/message-input.js';
import { checkQueueName, parseQueueArn, parseQueueUrl } from '../../../src/services/sqs/queue-url.js';
import { planSend } from '../../../src/services/sqs/send-rules.js';
import type { QueueRecord } from '../../../src/services/sqs/store.js';

const num = (v: string) => ({ DataType: 'Number', StringValue: v });

describe('SQS checksums', () => {
  it('hashes bodies as MD5 of their UTF-8 bytes', () => {
    expect(md5OfBody('This is a test message')).toBe('fafb00f5732ab283681e124bf8747ed1');
  });

  // Digests AWS returned for these attributes, as pinned by the moto and LocalStack suites.
  it.each([
    [{ timestamp: num('1493147359900') }, '235c5c510d26fb653d073faed50ae77c'],
    [{ timestamp: num('1493147359901') }, '994258b45346a2cc3f9cbb611aa7af30'],
    [{ 'SOME_Valid.attribute-Name': num('1493147359900') }, '36655e7e9d7c0e8479fa3f3f42247ae7'],
    [{
      ccc: { DataType: 'String', StringValue: 'testjunk' }, aaa: { DataType: 'Binary', BinaryValue: Buffer.from([2, 3, 4]) },
      zzz: num('0230.01'), öther_encodings: { DataType: 'String', StringValue: 'Tüst' },
    }, '8ae21a7957029ef04146b42aeaa18a22'],
  ])('MD5OfMessageAttributes of %j', (attrs, digest) => {
    expect(md5OfAttributes(attrs)).toBe(digest);
  });

  it('has no attribute digest for a message without attributes', () => {
    expect(md5OfAttributes({})).toBeUndefined();
  });
});

describe('SQS message checks', () => {
  const fails = (body: string | undefined, attrs?: Record<string, { DataType: string; StringValue?: string }>, max = 262_144) => {
    try {
      prepareMessage(body, attrs, undefined, max);
      return undefined;
    } catch (e) {
      return `${(e as { code: string }).code}: ${(e as Error).message}`;
    }
  };
  it.each([
    [undefined, undefined, 'MissingParameter: The request must contain the parameter MessageBody.'],
    ['a\u0000b', undefined, "InvalidMessageContents: Invalid binary character '#x0' was found in the message body, the set of allowed characters is: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"],
    ['\uD800', undefined, "InvalidMessageContents: Invalid binary character '#xD800' was found in the message body, the set of allowed characters is: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"],
    ['x', { 'AWS.reserved': { DataType: 'String', StringValue: 'v' } }, 'InvalidParameterValue'],
    ['x', { 'a..b': { DataType: 'String', StringValue: 'v' } }, 'InvalidParameterValue'],
    ['x', { a: { DataType: 'Text', StringValue: 'v' } }, 'InvalidParameterValue'],
    ['x', { a: { DataType: 'String', StringValue: '' } }, "InvalidParameterValue: Message (user) attribute 'a' must contain a non-empty value of message attribute type 'String'."],
    ['x', { a: num('1e999') }, "InvalidParameterValue: Can't cast the value of message (user) attribute 'a' to a number."],
    ['x', Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }])), 'InvalidParameterValue: Number of message attributes [11] exceeds the allowed maximum [10].'],
  ])('%j with %j is refused', (body, attrs, expected) => {
    expect(fails(body, attrs)).toContain(expected);
  });

  it('counts attribute names, types and values in the size limit', () => {
    expect(fails('x'.repeat(1000), { name: { DataType: 'String', StringValue: 'y'.repeat(20) } }, 1024)).toBe(
      'InvalidParameterValue: One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
    );
    expect(fails('x'.repeat(1000), { n: { DataType: 'String', StringValue: 'y' } }, 1024)).toBeUndefined();
  });

  it('accepts bodies with emoji and tabs, and custom attribute types', () => {
    expect(fails('tab\there 😀', { 'my.attr': { DataType: 'Number.int', StringValue: '-12.5e3' } })).toBeUndefined();
  });
});

describe('queue names, URLs and ARNs', () => {
  const scope = { accountId: '000000000000', region: 'eu-west-1' };
  it.each([
    ['http://localhost:4566/000000000000/orders', { accountId: '000000000000', region: 'eu-west-1', name: 'orders' }],
    ['https://sqs.us-east-2.amazonaws.com/123456789012/jobs.fifo', { accountId: '123456789012', region: 'us-east-2', name: 'jobs.fifo' }],
    ['https://ap-south-1.queue.amazonaws.com/123456789012/q', { accountId: '123456789012', region: 'ap-south-1', name: 'q' }],
    ['http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q', { accountId: '000000000000', region: 'us-east-1', name: 'q' }],
    ['/000000000000/q', { accountId: '000000000000', region: 'eu-west-1', name: 'q' }],
  ])('%s names %j', (url, ref) => {
    expect(parseQueueUrl(url, scope)).toEqual(ref);
  });

  it('refuses URLs without an account and queue', () => {
    expect(() => parseQueueUrl('http://localhost:4566/orders', scope)).toThrow('The address http://localhost:4566/orders is not valid for this endpoint.');
  });

  it('parses ARNs', () => {
    expect(parseQueueArn('arn:aws:sqs:us-east-1:000000000000:orders')).toEqual({ region: 'us-east-1', accountId: '000000000000', name: 'orders' });
    expect(parseQueueArn('arn:aws:sns:us-east-1:000000000000:orders')).toBeUndefined();
  });

  it.each([
    ['orders', false, true], ['a'.repeat(80), false, true], ['a'.repeat(81), false, false], ['has space', false, false], ['x.fifo', false, false],
    ['x.fifo', true, true], ['x', true, false], [`${'a'.repeat(75)}.fifo`, true, true], [`${'a'.repeat(76)}.fifo`, true, false],
  ])('%s (FIFO %s) is valid: %s', (name, fifo, ok) => {
    if (ok) expect(() => checkQueueName(name, fifo)).not.toThrow();
    else expect(() => checkQueueName(name, fifo)).toThrow();
  });
});

describe('queue attributes', () => {
  it('normalizes values and the redrive policy', () => {
    const out = normalizeAttributes({ VisibilityTimeout: '0045', RedrivePolicy: '{"maxReceiveCount":"3","deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}' }, false, true);
    expect(out).toEqual({ VisibilityTimeout: '45', RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":3}' });
  });

  it.each([
    [{ DelaySeconds: '901' }, 'Invalid value for the parameter DelaySeconds.'],
    [{ MessageRetentionPeriod: '59' }, 'Invalid value for the parameter MessageRetentionPeriod.'],
    [{ MaximumMessageSize: '1048577' }, 'Invalid value for the parameter MaximumMessageSize.'],
    [{ RedrivePolicy: '{"maxReceiveCount":1}' }, 'Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.'],
    [{ RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":1001}' }, 'valid values are from 1 to 1000 both inclusive.'],
    [{ DeduplicationScope: 'queue' }, 'Unknown Attribute DeduplicationScope.'],
    [{ Policy: 'not json' }, 'Invalid value for the parameter Policy.'],
  ])('%j is refused', (attrs, message) => {
    expect(() => normalizeAttributes(attrs, false, false)).toThrow(message);
  });

  it('switches SSE-SQS off when a KMS key is set', () => {
    const next = applyAttributes(defaultAttributes(false), { KmsMasterKeyId: 'alias/aws/sqs' });
    expect(next).toMatchObject({ SqsManagedSseEnabled: 'false', KmsDataKeyReusePeriodSeconds: '300', KmsMasterKeyId: 'alias/aws/sqs' });
  });
});

describe('send rules by queue type', () => {
  const queue = (fifo: boolean, attributes: Record<string, string> = {}): QueueRecord => ({
    id: 1, accountId: '000000000000', region: 'us-east-1', name: fifo ? 'q.fifo' : 'q', fifo,
    attributes: { ...defaultAttributes(fifo), ...attributes }, tags: {}, createdAt: 0, modifiedAt: 0,
  });

  it('deduplicates FIFO messages by id, per group when the scope says so', () => {
    expect(planSend(queue(true), 'b', { MessageGroupId: 'g', MessageDeduplicationId: 'd' })).toEqual({ delaySeconds: 0, groupId: 'g', dedupId: 'd', dedupKey: 'd' });
    expect(planSend(queue(true, { DeduplicationScope: 'messageGroup' }), 'b', { MessageGroupId: 'g', MessageDeduplicationId: 'd' }).dedupKey).toBe('g\u0000d');
    expect(planSend(queue(true, { ContentBasedDeduplication: 'true' }), 'hello', { MessageGroupId: 'g' }).dedupId)
      .toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });

  it('refuses parameters that do not fit the queue type', () => {
    expect(() => planSend(queue(true), 'b', { MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })).toThrow('not valid for this queue type');
    expect(() => planSend(queue(false), 'b', { MessageDeduplicationId: 'd' })).toThrow('not valid for this queue type');
    expect(planSend(queue(false, { DelaySeconds: '7' }), 'b', {})).toMatchObject({ delaySeconds: 7, groupId: null });
  });
});
