import type { RetryPolicy } from './attributes.js';

/**
 * How long (AWS ms) SNS waits before the next attempt after attempt `attempt` failed, or
 * undefined when the policy is exhausted. AWS-managed endpoints (SQS, Lambda) and SMTP/SMS
 * follow SNS's fixed policies up to the end of their backoff phase (AWS goes on for days
 * with 20 s / 600 s retries; Slipway dead-letters there); HTTP/S follows the delivery policy.
 */
export function retryDelay(protocol: string, attempt: number, http: RetryPolicy): number | undefined {
  const retry = attempt; // attempt 1 failed -> retry 1 is next
  switch (protocol) {
    case 'sqs':
    case 'lambda':
      return phased(retry, { noDelay: 3, min: 2, minDelay: 1, backoff: 10, maxDelay: 20, max: 0, fn: 'exponential' });
    case 'email':
    case 'email-json':
    case 'sms':
      return phased(retry, { noDelay: 0, min: 2, minDelay: 10, backoff: 10, maxDelay: 600, max: 0, fn: 'exponential' });
    default: {
      const backoff = Math.max(0, http.numRetries - http.numNoDelayRetries - http.numMinDelayRetries - http.numMaxDelayRetries);
      return phased(retry, {
        noDelay: http.numNoDelayRetries, min: http.numMinDelayRetries, minDelay: http.minDelayTarget,
        backoff, maxDelay: http.maxDelayTarget, max: http.numMaxDelayRetries, fn: http.backoffFunction,
      });
    }
  }
}

interface Phases {
  noDelay: number;
  min: number;
  minDelay: number;
  backoff: number;
  maxDelay: number;
  max: number;
  fn: string;
}

/** Retry n (1-based) through the immediate, minimum-delay, backoff and maximum-delay phases, in seconds. */
function phased(n: number, p: Phases): number | undefined {
  let i = n;
  if (i <= p.noDelay) return 0;
  i -= p.noDelay;
  if (i <= p.min) return p.minDelay * 1000;
  i -= p.min;
  if (i <= p.backoff) return backoffSeconds(i, p) * 1000;
  i -= p.backoff;
  if (i <= p.max) return p.maxDelay * 1000;
  return undefined;
}

function backoffSeconds(i: number, p: Phases): number {
  if (p.backoff <= 1) return p.maxDelay;
  const t = (i - 1) / (p.backoff - 1);
  const min = Math.max(p.minDelay, 1);
  if (p.fn === 'exponential' || p.fn === 'geometric') return Math.round(min * (p.maxDelay / min) ** t);
  if (p.fn === 'arithmetic') return Math.round(min + (p.maxDelay - min) * t * t);
  return Math.round(min + (p.maxDelay - min) * t);
}
