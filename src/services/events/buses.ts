import type { RequestContext } from '../../aws/gateway/context.js';
import type { EventsOperations } from '../../aws/models/generated/events.js';
import { ServiceError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { busName, date, page, requireBus, scopeOf, validation } from './common.js';
import { busArn, DEFAULT_BUS, type BusRecord, type EventsStore } from './store.js';

type Ops = Pick<
  EventsOperations<RequestContext>,
  'CreateEventBus' | 'DescribeEventBus' | 'ListEventBuses' | 'DeleteEventBus' | 'UpdateEventBus' | 'PutPermission' | 'RemovePermission'
>;

const describe = (b: BusRecord) => ({
  Name: b.name,
  Arn: b.arn,
  Description: b.description,
  KmsKeyIdentifier: b.kmsKeyIdentifier,
  DeadLetterConfig: b.deadLetterConfig,
  LogConfig: b.logConfig,
  Policy: b.policy,
  CreationTime: date(b.created),
  LastModifiedTime: date(b.modified),
});

/** Event buses: the default bus of each account and region, custom buses, and their policies (stored). */
export function busOperations(store: EventsStore, clock: Clock): Ops {
  return {
    async CreateEventBus(input, ctx) {
      const scope = scopeOf(ctx);
      if (input.Name === DEFAULT_BUS || input.Name.startsWith('aws.')) throw validation(`The event bus name ${input.Name} is reserved.`);
      if (input.Name.includes('/')) throw validation('Event bus name must not contain \'/\'.');
      if (input.EventSourceName) throw validation('Partner event sources are not supported by Slipway.');
      if (store.bus(scope, input.Name)) throw new ServiceError('ResourceAlreadyExistsException', `Event bus ${input.Name} already exists.`, { statusCode: 400 });
      const t = clock.now();
      const bus: BusRecord = {
        name: input.Name,
        arn: busArn(scope, input.Name),
        description: input.Description,
        kmsKeyIdentifier: input.KmsKeyIdentifier,
        deadLetterConfig: input.DeadLetterConfig,
        logConfig: input.LogConfig,
        tags: input.Tags ?? [],
        created: t,
        modified: t,
      };
      store.putBus(scope, bus);
      return { EventBusArn: bus.arn, Description: bus.description, KmsKeyIdentifier: bus.kmsKeyIdentifier, DeadLetterConfig: bus.deadLetterConfig, LogConfig: bus.logConfig };
    },

    async DescribeEventBus(input, ctx) {
      return describe(requireBus(store, scopeOf(ctx), input.Name));
    },

    async UpdateEventBus(input, ctx) {
      const scope = scopeOf(ctx);
      const bus = { ...requireBus(store, scope, input.Name) };
      if (input.Description !== undefined) bus.description = input.Description;
      if (input.KmsKeyIdentifier !== undefined) bus.kmsKeyIdentifier = input.KmsKeyIdentifier || undefined;
      if (input.DeadLetterConfig !== undefined) bus.deadLetterConfig = input.DeadLetterConfig;
      if (input.LogConfig !== undefined) bus.logConfig = input.LogConfig;
      bus.modified = clock.now();
      store.putBus(scope, bus);
      return { Arn: bus.arn, Name: bus.name, Description: bus.description, KmsKeyIdentifier: bus.kmsKeyIdentifier, DeadLetterConfig: bus.deadLetterConfig, LogConfig: bus.logConfig };
    },

    async ListEventBuses(input, ctx) {
      const buses = store.listBuses(scopeOf(ctx)).filter((b) => !input.NamePrefix || b.name.startsWith(input.NamePrefix));
      const p = page(buses, (b) => b.name, input.NextToken, input.Limit);
      return { EventBuses: p.items.map((b) => ({ Name: b.name, Arn: b.arn, Description: b.description, Policy: b.policy, CreationTime: date(b.created), LastModifiedTime: date(b.modified) })), NextToken: p.next };
    },

    async DeleteEventBus(input, ctx) {
      const name = busName(input.Name);
      if (name === DEFAULT_BUS) throw validation('Cannot delete event bus default.');
      // Deleting a bus that does not exist succeeds, as on AWS.
      if (store.bus(scopeOf(ctx), name)) store.deleteBus(scopeOf(ctx), name);
      return {};
    },

    async PutPermission(input, ctx) {
      const scope = scopeOf(ctx);
      const bus = { ...requireBus(store, scope, input.EventBusName) };
      bus.policy = JSON.stringify(input.Policy !== undefined ? parsePolicy(input.Policy) : addStatement(bus, input));
      bus.modified = clock.now();
      store.putBus(scope, bus);
      return {};
    },

    async RemovePermission(input, ctx) {
      const scope = scopeOf(ctx);
      const bus = { ...requireBus(store, scope, input.EventBusName) };
      const policy = bus.policy ? (JSON.parse(bus.policy) as Policy) : { Version: '2012-10-17', Statement: [] };
      if (input.RemoveAllPermissions) policy.Statement = [];
      else {
        if (!input.StatementId) throw validation('Either StatementId or RemoveAllPermissions must be specified.');
        const before = policy.Statement.length;
        policy.Statement = policy.Statement.filter((s) => s.Sid !== input.StatementId);
        if (policy.Statement.length === before) throw new ServiceError('ResourceNotFoundException', 'Statement with the provided id does not exist.', { statusCode: 400 });
      }
      bus.policy = policy.Statement.length ? JSON.stringify(policy) : undefined;
      bus.modified = clock.now();
      store.putBus(scope, bus);
      return {};
    },
  };
}

interface Policy {
  Version: string;
  Statement: { Sid?: string; [k: string]: unknown }[];
}

function parsePolicy(text: string): Policy {
  try {
    const p = JSON.parse(text) as Policy;
    if (!Array.isArray(p.Statement)) throw new Error('no statements');
    return p;
  } catch {
    throw validation('The policy is not valid JSON with a Statement list.');
  }
}

function addStatement(bus: BusRecord, input: { Action?: string; Principal?: string; StatementId?: string; Condition?: unknown }): Policy {
  if (!input.Action || !input.Principal || !input.StatementId) throw validation('Action, Principal and StatementId are required when Policy is not given.');
  const policy: Policy = bus.policy ? (JSON.parse(bus.policy) as Policy) : { Version: '2012-10-17', Statement: [] };
  if (policy.Statement.some((s) => s.Sid === input.StatementId)) throw new ServiceError('ResourceAlreadyExistsException', 'Statement with the provided id already exists.', { statusCode: 400 });
  const principal = input.Principal === '*' ? '*' : { AWS: `arn:aws:iam::${input.Principal}:root` };
  policy.Statement.push({ Sid: input.StatementId, Effect: 'Allow', Principal: principal, Action: input.Action, Resource: bus.arn, ...(input.Condition ? { Condition: input.Condition } : {}) });
  return policy;
}
