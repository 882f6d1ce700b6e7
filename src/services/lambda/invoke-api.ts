import type { RequestContext } from '../../aws/gateway/context.js';
import type { LambdaOperations } from '../../aws/models/generated/lambda.js';
import { ServiceError } from '../../core/errors.js';
import { LATEST, functionArn, parseFunctionName } from './names.js';
import { requireVersion, resolveQualified, type LambdaContext } from './resolve.js';
import { pickVersion } from './routing.js';

type Provider = Partial<LambdaOperations<RequestContext>>;

const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
const MAX_ASYNC_PAYLOAD = 1024 * 1024;
const TAIL_BYTES = 4096;

/** Invoke: RequestResponse runs now, Event becomes a durable job, DryRun only checks. */
export function invokeApi(c: LambdaContext): Provider {
  const { store, engine } = c;
  return {
    async Invoke(input, ctx) {
      const ref = parseFunctionName(input.FunctionName, input.Qualifier);
      const { version: primary, alias } = resolveQualified(store, ctx, ref);
      const picked = alias ? pickVersion(alias.functionVersion, alias.weights, Math.random()) : undefined;
      const version = alias && picked !== alias.functionVersion ? requireVersion(store, ctx, ref.name, picked!) : primary;
      const payload = checkedPayload(input.Payload, input.InvocationType === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD);
      const invokedArn = functionArn(ctx, ref.name, ref.qualifier);
      const resource = ref.qualifier && ref.qualifier !== LATEST ? `${ref.name}:${ref.qualifier}` : undefined;
      const scope = { accountId: ctx.accountId, region: ctx.region };
      if (input.InvocationType === 'DryRun') return { StatusCode: 204 };
      if (input.InvocationType === 'Event') {
        engine.enqueueAsync({ scope, functionName: ref.name, version: version.config.Version!, invokedArn, resource, viaAlias: !!alias, payload: payload.toString('base64'), requestId: ctx.requestId });
        return { StatusCode: 202 };
      }
      const clientContext = input.ClientContext ? Buffer.from(input.ClientContext, 'base64').toString('utf8') : undefined;
      const reserved = store.functions.get(ctx, ref.name)?.reservedConcurrency;
      const result = await engine.invoke({ scope, version, invokedArn, resource, viaAlias: !!alias, reserved }, payload, ctx.requestId, clientContext);
      return {
        StatusCode: 200,
        FunctionError: result.functionError,
        LogResult: input.LogType === 'Tail' ? tail(result.log) : undefined,
        ExecutedVersion: version.config.Version,
        Payload: result.payload,
      };
    },
  };
}

/** The event as JSON bytes: an empty payload is `{}`; anything that is not JSON is refused as AWS does. */
function checkedPayload(bytes: Uint8Array | undefined, max: number): Buffer {
  const payload = Buffer.from(bytes ?? new Uint8Array());
  if (payload.length > max) {
    throw new ServiceError('RequestTooLargeException', `Request must be smaller than ${max} bytes for the InvokeFunction operation`, { fields: { Type: 'User' } });
  }
  if (payload.length === 0) return Buffer.from('{}');
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw new ServiceError('InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${e instanceof Error ? e.message : String(e)}`, { fields: { Type: 'User' } });
  }
  return payload;
}

/** The last 4 KB of the invocation's log, base64, as `LogType: Tail` returns it. */
function tail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)).toString('base64');
}
