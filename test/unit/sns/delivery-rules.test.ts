import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_RETRY } from '../../../src/services/sns/attributes.js';
import { formatEnvelope, notificationFields } from '../../../src/services/sns/envelope.js';
import { checkPublish } from '../../../src/services/sns/message.js';
import { retryDelay } from '../../../src/services/sns/retry.js';
import { canonicalString, Signer } from '../../../src/services/sns/signing.js';

const schedule = (protocol: string, policy = DEFAULT_HTTP_RETRY) => {
  const delays: number[] = [];
  for (let attempt = 1; ; attempt++) {
    const d = retryDelay(protocol, attempt, policy);
    if (d === undefined) return delays;
    delays.push(d / 1000);
  }
};

describe('SNS retry policies', () => {
  it('HTTP/S by default: three retries 20 seconds apart', () => {
    expect(schedule('http')).toEqual([20, 20, 20]);
  });

  it('HTTP/S with a custom policy: immediate, minimum, backoff and maximum phases', () => {
    const policy = { minDelayTarget: 1, maxDelayTarget: 16, numRetries: 9, numNoDelayRetries: 2, numMinDelayRetries: 1, numMaxDelayRetries: 1, backoffFunction: 'exponential' };
    expect(schedule('https', policy)).toEqual([0, 0, 1, 1, 2, 4, 8, 16, 16]);
  });

  it('SQS and Lambda: 3 immediate, 2 one second apart, then 10 backing off from 1 to 20 seconds', () => {
    const delays = schedule('sqs');
    expect(delays.slice(0, 5)).toEqual([0, 0, 0, 1, 1]);
    expect(delays).toHaveLength(15);
    expect(delays.at(-1)).toBe(20);
    expect(schedule('lambda')).toEqual(delays);
  });

  it('email: 2 ten seconds apart, then backing off to 600 seconds', () => {
    const delays = schedule('email');
    expect(delays.slice(0, 3)).toEqual([10, 10, 10]);
    expect(delays.at(-1)).toBe(600);
  });
});

describe('SNS messages and envelopes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sns-signer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const signer = new Signer(dir);

  it('signs the canonical string so the published key verifies it, and keeps the key across restarts', () => {
    const n = { messageId: 'm-1', message: 'hello', subject: 'Hi', attributes: {}, timestamp: '2024-01-01T00:00:00.000Z' };
    const fields = Object.fromEntries(notificationFields(n, { topicArn: 'arn:aws:sns:us-east-1:000000000000:t', subscriptionArn: 'arn:aws:sns:us-east-1:000000000000:t:x', protocol: 'sqs', signatureVersion: '2' }, { endpoint: 'http://localhost:4566', signer })) as Record<string, string>;
    expect(canonicalString(fields, 'Notification')).toBe('Message\nhello\nMessageId\nm-1\nSubject\nHi\nTimestamp\n2024-01-01T00:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:000000000000:t\nType\nNotification\n');
    const key = createPublicKey(new Signer(dir).publicKeyPem());
    expect(verify('sha256', Buffer.from(canonicalString(fields, 'Notification')), key, Buffer.from(fields.Signature, 'base64'))).toBe(true);
    expect(fields.SigningCertURL).toBe('http://localhost:4566/SimpleNotificationService-slipway.pem');
  });

  it('lays the envelope out as SNS does, one field per line', () => {
    expect(formatEnvelope([['Type', 'Notification'], ['MessageAttributes', { a: { Type: 'String', Value: 'x' } }]])).toBe(
      '{\n  "Type" : "Notification",\n  "MessageAttributes" : {\n    "a" : {"Type":"String","Value":"x"}\n  }\n}',
    );
  });

  it.each([
    [{ Message: '' }, 'Invalid parameter: Empty message'],
    [{ Message: 'x', Subject: 'line\nbreak' }, 'Invalid parameter: Subject'],
    [{ Message: 'x', Subject: 's'.repeat(100) }, 'Invalid parameter: Subject'],
    [{ Message: 'x'.repeat(262_145) }, 'Invalid parameter: Message too long'],
    [{ Message: 'not json', MessageStructure: 'json' }, 'Invalid parameter: Message Structure - JSON message body failed to parse'],
    [{ Message: 'x', MessageStructure: 'xml' }, 'Invalid parameter: MessageStructure'],
    [{ Message: 'x', MessageAttributes: { a: { DataType: 'Date', StringValue: 'x' } } }, "Invalid parameter: The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."],
    [{ Message: 'x', MessageAttributes: { a: { DataType: 'String.Array', StringValue: 'x' } } }, "with type 'String.Array' has an invalid value"],
    [{ Message: 'x', MessageAttributes: { a: { DataType: 'Number', StringValue: 'ten' } } }, "Invalid parameter: Could not cast message attribute 'a' value to number."],
  ])('%j is refused', (req, message) => {
    expect(() => checkPublish(req)).toThrow(message);
  });
});
