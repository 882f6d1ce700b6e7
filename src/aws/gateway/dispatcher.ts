import { ServiceError } from '../../core/errors.js';
import { serviceIndex } from '../models/index.js';
import type { RequestContext } from './context.js';

/** An object whose methods named after AWS operations serve them: `GetRole(input, ctx)`. */
export type Provider = object;

type OperationMethod = (input: Record<string, unknown>, ctx: RequestContext) => unknown;

/** The operation methods a provider defines: its own and inherited methods named in PascalCase. */
export function operationMethods(provider: Provider): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(provider); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (/^[A-Z]/.test(name) && typeof (provider as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  for (const name of Object.keys(provider)) if (/^[A-Z]/.test(name)) names.add(name);
  return [...names].sort();
}

/** Routes operations to providers; registration checks every handler against the service's model. */
export class Dispatcher {
  private readonly providers = new Map<string, { provider: Provider; operations: Set<string> }>();

  register(service: string, provider: Provider): void {
    const entry = serviceIndex()[service];
    if (!entry) throw new Error(`Cannot register provider for ${service}: there is no ${service} model.`);
    const known = new Set(entry.operations);
    const ops = operationMethods(provider);
    const stray = ops.filter((op) => !known.has(op));
    if (stray.length) {
      throw new Error(`The ${service} provider has handlers that match no ${service} operation: ${stray.join(', ')}.`);
    }
    this.providers.set(service, { provider, operations: new Set(ops) });
  }

  services(): string[] {
    return [...this.providers.keys()].sort();
  }

  implemented(service: string): string[] {
    return [...(this.providers.get(service)?.operations ?? [])].sort();
  }

  implements(service: string, operation: string): boolean {
    return this.providers.get(service)?.operations.has(operation) ?? false;
  }

  async invoke(ctx: RequestContext, input: Record<string, unknown>): Promise<unknown> {
    const entry = this.providers.get(ctx.service);
    if (!entry || !entry.operations.has(ctx.operation)) throw notImplemented(ctx.service, ctx.operation);
    const method = (entry.provider as Record<string, OperationMethod>)[ctx.operation];
    return await method.call(entry.provider, input, ctx);
  }
}

/** The answer for an operation Slipway has no handler for: an error, never a fake success. */
export function notImplemented(service: string, operation: string): ServiceError {
  return new ServiceError(
    'NotImplemented',
    `Slipway does not support the ${service} operation ${operation}. The operations it implements are listed in docs/coverage.md.`,
    { statusCode: 501, senderFault: false },
  );
}
