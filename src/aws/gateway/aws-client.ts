import { requestId } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import { loadModel } from '../models/index.js';
import { validateInput, validationMessage } from '../protocol/validate.js';
import type { Principal, RequestContext } from './context.js';
import { notImplemented, type Dispatcher } from './dispatcher.js';
import { validationError } from './request-errors.js';

/** A provider's operations as a caller sees them: input in, output out, no request context. */
export type ClientOf<T> = {
  [K in keyof T]: T[K] extends (input: infer I, ctx: never) => Promise<infer O> ? (input: I) => Promise<O> : never;
};

export function rootPrincipal(accountId: string): Principal {
  return { accessKeyId: '', arn: `arn:aws:iam::${accountId}:root`, userId: accountId };
}

/**
 * How services call each other: the same operations, validation and errors as over the
 * wire, without the HTTP round trip. CodePipeline starts builds with StartBuild through
 * this client, never by reaching into CodeBuild's store.
 */
export class AwsClient {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly host: () => string,
  ) {}

  async call<O = unknown>(service: string, operation: string, input: object, scope: Scope, principal?: Principal): Promise<O> {
    if (!this.dispatcher.implements(service, operation)) throw notImplemented(service, operation);
    const model = loadModel(service);
    const op = model.operation(operation)!;
    const shape = model.inputShape(op);
    const value = input as Record<string, unknown>;
    const problems = shape ? validateInput(model, shape, value) : [];
    if (problems.length) throw validationError(service, 'internal', validationMessage(problems));
    const ctx: RequestContext = {
      requestId: requestId(),
      ...scope,
      service,
      operation,
      protocol: 'internal',
      principal: principal ?? rootPrincipal(scope.accountId),
      headers: {},
      host: this.host(),
    };
    return (await this.dispatcher.invoke(ctx, value)) as O;
  }

  /** A typed client for one service in one account and region: `aws.service<LogsOperations>('logs', scope).CreateLogGroup(...)`. */
  service<T extends object>(name: string, scope: Scope, principal?: Principal): ClientOf<T> {
    return new Proxy({} as ClientOf<T>, {
      get: (_target, operation) => (input: object) => this.call(name, String(operation), input ?? {}, scope, principal),
    });
  }
}
