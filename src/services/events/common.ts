import type { RequestContext } from '../../aws/gateway/context.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { PatternError, EventPattern } from '../common/event-pattern/index.js';
import { paginate } from '../common/paging.js';
import { DEFAULT_BUS, type BusRecord, type EventsStore, type RuleRecord } from './store.js';

export function validation(message: string): ServiceError {
  return new ServiceError('ValidationException', message, { statusCode: 400 });
}

export function notFound(message: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', message, { statusCode: 400 });
}

export function invalidPattern(e: PatternError): ServiceError {
  return new ServiceError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${e.message}`, { statusCode: 400 });
}

export function scopeOf(ctx: RequestContext): Scope {
  return { accountId: ctx.accountId, region: ctx.region };
}

/** The bus name from an EventBusName parameter, which may be a name or an event-bus ARN. */
export function busName(nameOrArn: string | undefined): string {
  if (!nameOrArn) return DEFAULT_BUS;
  const m = /^arn:aws[\w-]*:events:[^:]*:\d{12}:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1] : nameOrArn;
}

export function requireBus(store: EventsStore, scope: Scope, nameOrArn: string | undefined): BusRecord {
  const name = busName(nameOrArn);
  const bus = store.bus(scope, name);
  if (!bus) throw notFound(`Event bus ${name} does not exist.`);
  return bus;
}

export function requireRule(store: EventsStore, scope: Scope, name: string, busNameOrArn: string | undefined): RuleRecord {
  const bus = requireBus(store, scope, busNameOrArn);
  const rule = store.rule(scope, bus.name, name);
  if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus.name}.`);
  return rule;
}

/** Compiles a pattern or answers InvalidEventPatternException naming the offending part. */
export function compilePattern(text: string): EventPattern {
  try {
    return EventPattern.compile(text);
  } catch (e) {
    if (e instanceof PatternError) throw invalidPattern(e);
    throw e;
  }
}

/** EventBridge's NextToken/Limit paging over items already in name order. */
export function page<T>(items: T[], keyOf: (t: T) => string, token: string | undefined, limit: number | undefined) {
  return paginate(items, keyOf, token, limit ?? 100, () => validation('The provided NextToken is not valid.'));
}

export function date(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}
