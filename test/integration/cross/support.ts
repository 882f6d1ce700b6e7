import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

/** A real SQS queue: its URL and ARN. */
export interface Queue {
  url: string;
  arn: string;
}

export async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<Queue> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: attrs.Attributes!.QueueArn! };
}

/** Every message visible in the queue now (received, so hidden for the visibility timeout). */
export async function drain(sqs: SQSClient, url: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    if (!r.Messages?.length) return all;
    all.push(...r.Messages);
  }
}

/** The bodies of every visible message, parsed as JSON. */
export async function drainJson<T = Record<string, unknown>>(sqs: SQSClient, url: string): Promise<T[]> {
  return (await drain(sqs, url)).map((m) => JSON.parse(m.Body!) as T);
}
