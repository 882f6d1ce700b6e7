import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { SnsOperations } from '../../aws/models/generated/sns.js';
import type { SqsOperations } from '../../aws/models/generated/sqs.js';
import { parseArn } from '../../core/arn.js';

/** What AWS attaches to an event it dead-letters: the request, an error code and its message. */
export interface DeadLetter {
  targetArn: string;
  payload: Buffer;
  requestId: string;
  errorMessage: string;
}

/**
 * Sends an asynchronous invocation that failed all its attempts to the function's dead-letter
 * queue or topic, as AWS does: the event as the body, `RequestID`, `ErrorCode` and
 * `ErrorMessage` as message attributes.
 */
export async function deadLetter(aws: AwsClient, d: DeadLetter): Promise<void> {
  const arn = parseArn(d.targetArn);
  if (!arn) throw new Error(`The dead-letter target ${d.targetArn} is not an ARN.`);
  const scope = { accountId: arn.accountId, region: arn.region };
  const body = d.payload.toString('utf8');
  const errorMessage = d.errorMessage.slice(0, 1000);
  if (arn.service === 'sqs') {
    const sqs = aws.service<SqsOperations>('sqs', scope);
    const { QueueUrl } = await sqs.GetQueueUrl({ QueueName: arn.resource, QueueOwnerAWSAccountId: arn.accountId });
    await sqs.SendMessage({
      QueueUrl: QueueUrl!, MessageBody: body,
      MessageAttributes: {
        RequestID: { DataType: 'String', StringValue: d.requestId }, ErrorCode: { DataType: 'Number', StringValue: '200' }, ErrorMessage: { DataType: 'String', StringValue: errorMessage },
      },
    });
    return;
  }
  if (arn.service === 'sns') {
    await aws.service<SnsOperations>('sns', scope).Publish({
      TopicArn: d.targetArn, Message: body,
      MessageAttributes: {
        RequestID: { DataType: 'String', StringValue: d.requestId }, ErrorCode: { DataType: 'Number', StringValue: '200' }, ErrorMessage: { DataType: 'String', StringValue: errorMessage },
      },
    });
    return;
  }
  throw new Error(`The dead-letter target ${d.targetArn} is neither an SQS queue nor an SNS topic.`);
}
