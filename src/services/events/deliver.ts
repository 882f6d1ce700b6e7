import type { AwsClient } from '../../aws/gateway/aws-client.js';
import { parseArn } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage, isServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { JobQueue } from '../../state/job-queue.js';
import { eventTime } from './event.js';
import { targetInput } from './input-transform.js';
import { invokeTarget, retryable, sendToQueue } from './invoke.js';
import type { Delivery } from './router.js';

const DEFAULT_RETRIES = 185;
const DEFAULT_MAX_AGE_S = 86_400;

interface DeadLetter {
  scope: Scope;
  queueArn: string;
  body: string;
  attributes: Record<string, string>;
}

/** AWS time between attempts: exponential from one second, at most five minutes apart. */
export const deliveryBackoff = (attempt: number) => Math.min(300_000, 1000 * 2 ** (attempt - 1));

/**
 * Durable, at-least-once delivery to targets. Each delivery is a job: committed when the
 * event is accepted, retried with backoff within the target's RetryPolicy, and sent to the
 * target's DeadLetterConfig queue when retries or the event's age run out, or at once when
 * the failure cannot get better. Jobs survive a restart.
 */
export function defineDelivery(jobs: JobQueue, aws: AwsClient, clock: Clock, log: Logger): (d: Delivery) => void {
  const deadLetter = jobs.define<DeadLetter>(
    'events.dead-letter',
    async (dl) => {
      const arn = parseArn(dl.queueArn)!;
      await sendToQueue(aws, arn, { accountId: arn.accountId, region: arn.region }, dl.body, undefined, dl.attributes);
    },
    { maxAttempts: 10, onExhausted: (dl, e) => log.error('event lost: the dead-letter queue did not take it', { queue: dl.queueArn, error: errorMessage(e) }) },
  );

  const giveUp = (d: Delivery, condition: string, attempts: number, error: unknown) => {
    const dlq = d.target.DeadLetterConfig?.Arn;
    log.warn('event not delivered', { rule: d.ruleArn, target: d.target.Arn, condition, attempts, error: errorMessage(error), deadLetter: dlq ?? 'none' });
    if (!dlq) return;
    const arn = parseArn(dlq)!;
    deadLetter({
      scope: { accountId: arn.accountId, region: arn.region },
      queueArn: dlq,
      body: JSON.stringify(d.event),
      attributes: {
        RULE_ARN: d.ruleArn,
        TARGET_ARN: d.target.Arn,
        ERROR_CODE: isServiceError(error) ? error.code : 'InternalError',
        ERROR_MESSAGE: errorMessage(error),
        EXHAUSTED_RETRY_CONDITION: condition,
        RETRY_ATTEMPTS: String(Math.max(0, attempts - 1)),
      },
    });
  };

  const deliver = jobs.define<Delivery>(
    'events.deliver',
    async (d, attempt) => {
      const maxAge = (d.target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
      const age = (clock.now() - d.ingestedAt) * clock.timeScale;
      if (attempt > 1 && age > maxAge) return giveUp(d, 'MaximumEventAgeExceeded', attempt - 1, new Error('The event is older than the target allows.'));
      const input = targetInput(d.target, { event: d.event, ruleArn: d.ruleArn, ruleName: d.ruleName, ingestionTime: eventTime(d.ingestedAt) });
      try {
        await invokeTarget(aws, d, input);
      } catch (e) {
        if (retryable(e)) throw e;
        giveUp(d, 'NonRetryableError', attempt, e);
      }
    },
    { concurrency: 32, backoffMs: deliveryBackoff, onExhausted: (d, e) => giveUp(d, 'MaximumRetryAttemptsExhausted', (d.target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRIES) + 1, e) },
  );

  return (d) => deliver(d, { maxAttempts: (d.target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRIES) + 1 });
}
