import { performance } from 'node:perf_hooks';
import { ServiceError } from '../../../src/core/errors.js';
import { SERVICES } from '../../../src/services/registry.js';
import type { ServiceDefinition } from '../../../src/services/service.js';

/** One call a fake target service received. */
export interface Call {
  operation: string;
  input: Record<string, unknown>;
  account: string;
  region: string;
  /** performance.now() at receipt, for latency measurements. */
  at: number;
}

/**
 * A stand-in for a service EventBridge delivers to (SQS, SNS, Logs...), registered only in
 * tests: it records the calls it gets and can be told to fail the next n of them, or all.
 */
export class FakeService {
  readonly calls: Call[] = [];
  private failures = 0;
  private error: () => ServiceError = () => new ServiceError('InternalError', 'The fake service is down.', { statusCode: 500 });
  private when: (input: Record<string, unknown>) => boolean = () => true;
  onCall?: (call: Call) => void;

  constructor(
    readonly name: string,
    private readonly operations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>>,
  ) {}

  /** Fails the next `n` calls (Infinity: until told otherwise) with `error`, optionally only calls `when` picks. */
  fail(n: number, options: { error?: () => ServiceError; when?: (input: Record<string, unknown>) => boolean } = {}): void {
    this.failures = n;
    if (options.error) this.error = options.error;
    this.when = options.when ?? (() => true);
  }

  recover(): void {
    this.failures = 0;
  }

  of(operation: string): Call[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  definition(): ServiceDefinition {
    const provider: Record<string, (input: Record<string, unknown>, ctx: { accountId: string; region: string }) => Promise<Record<string, unknown>>> = {};
    for (const [op, answer] of Object.entries(this.operations)) {
      provider[op] = async (input, ctx) => {
        if (this.failures > 0 && this.when(input)) {
          this.failures--;
          throw this.error();
        }
        const call = { operation: op, input, account: ctx.accountId, region: ctx.region, at: performance.now() };
        this.calls.push(call);
        this.onCall?.(call);
        return answer(input);
      };
    }
    return { name: this.name, create: () => ({ provider }) };
  }
}

export function fakeSqs(): FakeService {
  return new FakeService('sqs', {
    GetQueueUrl: (i) => ({ QueueUrl: `http://localhost/${String(i.QueueOwnerAWSAccountId)}/${String(i.QueueName)}` }),
    SendMessage: () => ({ MessageId: crypto.randomUUID(), MD5OfMessageBody: '0' }),
  });
}

/** Messages the fake SQS took for one queue, as { body, groupId, attributes }. */
export function messages(sqs: FakeService, queue: string) {
  return sqs
    .of('SendMessage')
    .filter((c) => String(c.input.QueueUrl).endsWith(`/${queue}`))
    .map((c) => ({ body: String(c.input.MessageBody), groupId: c.input.MessageGroupId as string | undefined, attributes: c.input.MessageAttributes as Record<string, { StringValue: string }> | undefined }));
}

export const fakeSns = () => new FakeService('sns', { Publish: () => ({ MessageId: crypto.randomUUID() }) });
export const fakeLogs = () => new FakeService('logs', { CreateLogStream: () => ({}), PutLogEvents: () => ({}) });
export const fakeLambda = () => new FakeService('lambda', { Invoke: () => ({ StatusCode: 202 }) });
export const fakePipelines = () => new FakeService('codepipeline', { StartPipelineExecution: () => ({ pipelineExecutionId: crypto.randomUUID() }) });

/** The real services, with the fakes in place of the ones they stand for. */
export function servicesWith(...fakes: FakeService[]): ServiceDefinition[] {
  const names = new Set(fakes.map((f) => f.name));
  return [...SERVICES.filter((s) => !names.has(s.name)), ...fakes.map((f) => f.definition())];
}
