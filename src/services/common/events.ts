import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { EventsOperations } from '../../aws/models/generated/events.js';
import { isServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';

/** An AWS service event (`aws.codebuild` "CodeBuild Build State Change" and the like). */
export interface AwsEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  resources?: string[];
  time?: Date;
}

/**
 * Publishes a service's event to the default EventBridge bus of its account and region,
 * through EventBridge's own PutEvents. Emitting must never break the work it reports on,
 * so a failure is logged, not thrown.
 */
export async function publishEvent(aws: AwsClient, log: Logger, scope: Scope, event: AwsEvent): Promise<void> {
  try {
    const out = await aws.service<EventsOperations>('events', scope).PutEvents({
      Entries: [
        {
          Source: event.source,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
          Resources: event.resources ?? [],
          Time: event.time,
        },
      ],
    });
    if (out.FailedEntryCount) log.warn('event was not accepted', { source: event.source, detailType: event.detailType, entries: out.Entries });
  } catch (e) {
    // Without an EventBridge provider there is nowhere to send it.
    if (isServiceError(e) && e.code === 'NotImplemented') return;
    log.warn('event could not be published', { source: event.source, detailType: event.detailType, error: e instanceof Error ? e.message : String(e) });
  }
}
