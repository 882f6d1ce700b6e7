import type { LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { SnsOperations } from '../../aws/models/generated/sns.js';
import { parseArn } from '../../core/arn.js';
import { errorMessage, isServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { publishEvent, type AwsEvent } from '../common/events.js';
import type { ServiceDeps } from '../service.js';
import { CODECOMMIT_EVENT, type CodecommitEventAnnounced } from '../common/codecommit-events.js';

interface EventJob {
  scope: Scope;
  event: Omit<AwsEvent, 'time'>;
  time: number;
}

interface TriggerJob {
  repositoryName: string;
  triggerName: string;
  destinationArn: string;
  message: string;
}

export type DeliveryResult = { ok: true } | { ok: false; message: string; retry: boolean };

/**
 * Sends what CodeCommit reports to other services: EventBridge events and repository
 * trigger messages (SNS Publish, Lambda Invoke). Both go through the durable job queue, so
 * a reference change committed before a crash is still reported after the restart.
 */
export class Notifier {
  private readonly queueEvent: (job: EventJob) => void;
  private readonly queueTrigger: (job: TriggerJob) => void;

  constructor(private readonly deps: ServiceDeps) {
    this.queueEvent = deps.jobs.define<EventJob>('codecommit.event', async (job) => {
      await publishEvent(deps.aws, deps.log, job.scope, { ...job.event, time: new Date(job.time) });
    });
    this.queueTrigger = deps.jobs.define<TriggerJob>(
      'codecommit.trigger',
      async (job) => {
        const result = await this.deliver(job.destinationArn, job.message);
        if (result.ok) return;
        if (result.retry) throw new Error(result.message);
        deps.log.warn('repository trigger delivery failed', { repository: job.repositoryName, trigger: job.triggerName, destination: job.destinationArn, error: result.message });
      },
      {
        maxAttempts: 5,
        onExhausted: (job, error) =>
          deps.log.warn('repository trigger delivery gave up', { repository: job.repositoryName, trigger: job.triggerName, error: errorMessage(error) }),
      },
    );
  }

  event(scope: Scope, event: AwsEvent): void {
    const { time, ...rest } = event;
    this.deps.bus.emit(CODECOMMIT_EVENT, { scope: { accountId: scope.accountId, region: scope.region }, event } satisfies CodecommitEventAnnounced);
    this.queueEvent({ scope: { accountId: scope.accountId, region: scope.region }, event: rest, time: time?.getTime() ?? this.deps.clock.now() });
  }

  trigger(repositoryName: string, triggerName: string, destinationArn: string, message: object): void {
    this.queueTrigger({ repositoryName, triggerName, destinationArn, message: JSON.stringify(message) });
  }

  /** Publishes to an SNS topic or invokes a Lambda function; a refusal (or no such service) is a failure. */
  async deliver(destinationArn: string, message: string): Promise<DeliveryResult> {
    const arn = parseArn(destinationArn);
    if (!arn || (arn.service !== 'sns' && arn.service !== 'lambda')) {
      return { ok: false, retry: false, message: `The destination ${destinationArn} is neither an Amazon SNS topic nor an AWS Lambda function.` };
    }
    const scope = { accountId: arn.accountId, region: arn.region };
    try {
      if (arn.service === 'sns') {
        await this.deps.aws.service<SnsOperations>('sns', scope).Publish({ TopicArn: destinationArn, Message: message });
      } else {
        const out = await this.deps.aws.service<LambdaOperations>('lambda', scope).Invoke({ FunctionName: destinationArn, InvocationType: 'Event', Payload: Buffer.from(message) });
        if (out.FunctionError) return { ok: false, retry: false, message: `The function failed: ${out.FunctionError}` };
      }
      return { ok: true };
    } catch (e) {
      const permanent = isServiceError(e) && e.senderFault;
      const code = isServiceError(e) ? `${e.code}: ` : '';
      return { ok: false, retry: !permanent && !(isServiceError(e) && e.code === 'NotImplemented'), message: `${code}${errorMessage(e)}` };
    }
  }
}
