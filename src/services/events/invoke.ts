import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { CodepipelineOperations } from '../../aws/models/generated/codepipeline.js';
import type { EventsOperations } from '../../aws/models/generated/events.js';
import type { LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { LogsOperations } from '../../aws/models/generated/logs.js';
import type { SnsOperations } from '../../aws/models/generated/sns.js';
import type { SqsOperations } from '../../aws/models/generated/sqs.js';
import { parseArn, type Arn } from '../../core/arn.js';
import { isServiceError, ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { Delivery } from './router.js';

/** Sends `input` (the target's view of the event) to the target's service through the in-process client. */
export async function invokeTarget(aws: AwsClient, d: Delivery, input: string): Promise<void> {
  const arn = parseArn(d.target.Arn);
  if (!arn) throw unsupported(`The target ARN ${d.target.Arn} is not valid.`);
  const scope: Scope = { accountId: arn.accountId || d.scope.accountId, region: arn.region || d.scope.region };
  switch (arn.service) {
    case 'sqs':
      return sendToQueue(aws, arn, scope, input, d.target.SqsParameters?.MessageGroupId);
    case 'sns':
      await aws.service<SnsOperations>('sns', scope).Publish({ TopicArn: d.target.Arn, Message: input });
      return;
    case 'logs':
      return writeLog(aws, arn, scope, d, input);
    case 'events':
      return forward(aws, scope, d);
    case 'lambda':
      await aws.service<LambdaOperations>('lambda', scope).Invoke({ FunctionName: d.target.Arn, InvocationType: 'Event', Payload: Buffer.from(input) });
      return;
    case 'codepipeline':
      await aws.service<CodepipelineOperations>('codepipeline', scope).StartPipelineExecution({ name: arn.resource });
      return;
    default:
      throw unsupported(`Slipway cannot deliver events to ${arn.service} targets (${d.target.Arn}).`);
  }
}

function unsupported(message: string): ServiceError {
  return new ServiceError('UnsupportedTarget', message, { statusCode: 400 });
}

// Queue URLs by ARN, per Slipway (its client): a delivery then costs one SQS call. An entry is dropped when its send fails.
const urlCaches = new WeakMap<AwsClient, Map<string, string>>();

export async function sendToQueue(aws: AwsClient, arn: Arn, scope: Scope, body: string, groupId?: string, attributes?: Record<string, string>): Promise<void> {
  const sqs = aws.service<SqsOperations>('sqs', scope);
  const key = `${arn.region}:${arn.accountId}:${arn.resource}`;
  let queueUrls = urlCaches.get(aws);
  if (!queueUrls) urlCaches.set(aws, (queueUrls = new Map()));
  let url = queueUrls.get(key);
  if (!url) {
    url = (await sqs.GetQueueUrl({ QueueName: arn.resource, QueueOwnerAWSAccountId: arn.accountId })).QueueUrl!;
    if (queueUrls.size > 10_000) queueUrls.clear();
    queueUrls.set(key, url);
  }
  try {
    await sqs.SendMessage({
      QueueUrl: url,
      MessageBody: body,
      MessageGroupId: groupId,
      MessageAttributes: attributes && Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
    });
  } catch (e) {
    queueUrls.delete(key);
    throw e;
  }
}

/** Writes to a log group (`arn:aws:logs:r:a:log-group:NAME[:*]`) in a stream named after the event, as AWS does. */
async function writeLog(aws: AwsClient, arn: Arn, scope: Scope, d: Delivery, input: string): Promise<void> {
  const group = arn.resource.replace(/^log-group:/, '').replace(/:\*$/, '');
  const logs = aws.service<LogsOperations>('logs', scope);
  const stream = d.event.id;
  try {
    await logs.CreateLogStream({ logGroupName: group, logStreamName: stream });
  } catch (e) {
    if (!(isServiceError(e) && e.code === 'ResourceAlreadyExistsException')) throw e;
  }
  const { timestamp, message } = logEntry(input, Date.parse(d.event.time));
  await logs.PutLogEvents({ logGroupName: group, logStreamName: stream, logEvents: [{ timestamp, message }] });
}

/** A transformer may shape a log entry as {"timestamp": ..., "message": ...}; anything else is the message. */
function logEntry(input: string, eventTime: number): { timestamp: number; message: string } {
  try {
    const doc = JSON.parse(input) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'message' in doc && 'timestamp' in doc && Object.keys(doc).length === 2) {
      const { timestamp, message } = doc as { timestamp: unknown; message: unknown };
      const t = typeof timestamp === 'number' ? timestamp : Date.parse(String(timestamp));
      return { timestamp: Number.isNaN(t) ? eventTime : t, message: typeof message === 'string' ? message : JSON.stringify(message) };
    }
  } catch {
    // Not JSON: the text itself is the message.
  }
  return { timestamp: eventTime, message: input };
}

/** Puts the event on another bus (same or another account and region), keeping its source, type, detail and time. */
async function forward(aws: AwsClient, scope: Scope, d: Delivery): Promise<void> {
  const e = d.event;
  const out = await aws.service<EventsOperations>('events', scope).PutEvents({
    Entries: [{ Source: e.source, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail), Resources: e.resources, Time: new Date(e.time), EventBusName: d.target.Arn }],
  });
  const failed = out.Entries?.find((x) => x.ErrorCode);
  if (failed) throw new ServiceError(failed.ErrorCode!, failed.ErrorMessage ?? 'The event bus did not accept the event.', { statusCode: 400 });
}

const RETRYABLE_CODES = new Set(['ThrottlingException', 'Throttling', 'RequestThrottled', 'TooManyRequestsException', 'ServiceUnavailable', 'InternalFailure', 'InternalError', 'InternalException']);

/**
 * Whether a failed delivery is worth retrying. Like AWS, EventBridge retries throttling and
 * service faults; a missing resource, a refused request or an operation Slipway does not
 * implement will not get better, so it goes to the dead-letter queue at once.
 */
export function retryable(e: unknown): boolean {
  if (!isServiceError(e)) return true;
  if (e.code === 'NotImplemented') return false;
  // An error without a status (the model gives it one on the wire) is a server fault only if it says so.
  return RETRYABLE_CODES.has(e.code) || (e.statusCode ?? (e.senderFault ? 400 : 500)) >= 500;
}
