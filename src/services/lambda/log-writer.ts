import type { InputLogEvent, LogsOperations } from '../../aws/models/generated/logs.js';
import type { AwsClient } from '../../aws/gateway/aws-client.js';
import { errorMessage, isServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';

const MAX_EVENT_CHARS = 256 * 1024 - 26;

/** Splits a function's raw output into log events; Node's runtime marks a line break inside one message with \r. */
export function outputEvents(output: string, timestamp: number): InputLogEvent[] {
  const lines = output.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => ({ timestamp, message: line.replace(/\r/g, '\n').slice(0, MAX_EVENT_CHARS) || ' ' }));
}

/**
 * Writes invocations' log lines to CloudWatch Logs through the in-process client, creating
 * the group and each environment's stream on first use, as the Lambda service does.
 */
export class LogWriter {
  private readonly ready = new Set<string>();

  constructor(
    private readonly aws: AwsClient,
    private readonly log: Logger,
  ) {}

  async write(scope: Scope, group: string, stream: string, events: InputLogEvent[]): Promise<void> {
    const logs = this.aws.service<LogsOperations>('logs', scope);
    const key = `${scope.accountId}|${scope.region}|${group}|${stream}`;
    try {
      if (!this.ready.has(key)) {
        await logs.CreateLogGroup({ logGroupName: group }).catch(ignoreExists);
        await logs.CreateLogStream({ logGroupName: group, logStreamName: stream }).catch(ignoreExists);
        this.ready.add(key);
      }
      await logs.PutLogEvents({ logGroupName: group, logStreamName: stream, logEvents: events });
    } catch (e) {
      // A group deleted under a warm environment is made again on the next invocation.
      this.ready.delete(key);
      this.log.warn('function log lines could not be written', { group, stream, error: errorMessage(e) });
    }
  }

  reset(): void {
    this.ready.clear();
  }
}

function ignoreExists(e: unknown): void {
  if (isServiceError(e) && e.code === 'ResourceAlreadyExistsException') return;
  throw e;
}
