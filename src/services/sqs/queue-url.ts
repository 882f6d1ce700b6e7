import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { invalidParameter } from './errors.js';

/** A queue's identity: the account and region it lives in, and its name. */
export interface QueueRef extends Scope {
  name: string;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

/** Queue URLs carry the host the client used: http://localhost:4566/000000000000/orders. */
export function queueUrl(host: string, accountId: string, name: string): string {
  return `http://${host}/${accountId}/${name}`;
}

export function queueArn(ref: QueueRef): string {
  return `arn:aws:sqs:${ref.region}:${ref.accountId}:${ref.name}`;
}

export function parseQueueArn(arn: string): QueueRef | undefined {
  const m = /^arn:aws[\w-]*:sqs:([a-z0-9-]+):(\d{12}):([\w.-]{1,80})$/.exec(arn);
  return m ? { region: m[1], accountId: m[2], name: m[3] } : undefined;
}

/**
 * Reads a queue URL in any host form (localhost, 127.0.0.1, sqs.<region>.amazonaws.com,
 * <region>.queue.amazonaws.com). The path names the account and queue; an AWS host names
 * the region, otherwise the request's region applies.
 */
export function parseQueueUrl(url: string, scope: Scope): QueueRef {
  let host = '';
  let path = url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      const u = new URL(url);
      host = u.hostname;
      path = decodeURIComponent(u.pathname);
    } catch {
      throw invalidAddress(url);
    }
  }
  const m = /^\/?(\d{12})\/([^/]+)\/?$/.exec(path);
  if (!m) throw invalidAddress(url);
  return { accountId: m[1], region: regionOfHost(host) ?? scope.region, name: m[2] };
}

function regionOfHost(host: string): string | undefined {
  return /^sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\./.exec(host)?.[1] ?? /^([a-z]{2}(?:-[a-z]+)+-\d)\.queue\./.exec(host)?.[1];
}

function invalidAddress(url: string): ServiceError {
  return new ServiceError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
}

export function isFifoName(name: string): boolean {
  return name.endsWith('.fifo');
}

/** Checks a new queue's name against the rules for its type (FifoQueue=true needs .fifo, and only then). */
export function checkQueueName(name: string, fifo: boolean): void {
  if (fifo || isFifoName(name)) {
    if (!fifo || !FIFO_NAME.test(name)) {
      throw invalidParameter(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    }
    return;
  }
  if (!NAME.test(name)) throw invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
}
