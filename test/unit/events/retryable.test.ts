import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src/core/errors.js';
import { retryable } from '../../../src/services/events/invoke.js';

describe('which failed deliveries EventBridge retries', () => {
  it.each<[string, unknown, boolean]>([
    // SQS throws QueueDoesNotExist without a status (the model supplies 400 on the wire): a resource that is gone is not retried.
    ['a queue that does not exist', new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.'), false],
    ['a topic that does not exist', new ServiceError('NotFound', 'Topic does not exist', { statusCode: 404 }), false],
    ['an operation Slipway does not implement', new ServiceError('NotImplemented', 'no', { statusCode: 501, senderFault: false }), false],
    ['throttling', new ServiceError('ThrottlingException', 'slow down', { statusCode: 400 }), true],
    ['a server fault', new ServiceError('InternalError', 'boom', { statusCode: 500 }), true],
    ['a server fault without a status', new ServiceError('ServiceUnavailableError', 'down', { senderFault: false }), true],
    ['anything that is not an AWS error', new Error('socket hang up'), true],
  ])('%s: %s', (_name, error, expected) => {
    expect(retryable(error)).toBe(expected);
  });
});
