import type { AwsClient } from '../../../src/aws/gateway/aws-client.js';
import type { RequestContext } from '../../../src/aws/gateway/context.js';
import type { CloudwatchOperations } from '../../../src/aws/models/generated/cloudwatch.js';
import type { LambdaOperations } from '../../../src/aws/models/generated/lambda.js';
import { ServiceError } from '../../../src/core/errors.js';
import type { Scope } from '../../../src/core/scope.js';
import type { ServiceDefinition } from '../../../src/services/service.js';

/** A version's code: its result is the response payload; a throw is a function error. */
export type Handler = (event: Record<string, string>, env: { aws: AwsClient; scope: Scope }) => unknown;

interface Alias {
  version: string;
  weights: Record<string, number>;
}
interface Fn {
  versions: Map<string, Handler>;
  aliases: Map<string, Alias>;
}

/**
 * A small Lambda stand-in, used by the CodeDeploy tests through the same AWS API (the
 * in-process client and SDK v3) that the Lambda service answers: published versions as
 * JavaScript handlers, aliases with weighted routing, Invoke (RequestResponse and Event) and
 * the AWS/Lambda Invocations and Errors metrics per alias and executed version.
 */
export class LambdaStandIn {
  readonly functions = new Map<string, Fn>();
  /** Every UpdateAlias, in order: the alias's version and the additional version weights. */
  readonly aliasUpdates: { alias: string; version: string; weights: Record<string, number> }[] = [];
  random: () => number = Math.random;

  define(name: string, versions: Record<string, Handler>, aliases: Record<string, string> = {}): void {
    const list = Object.entries(versions);
    // $LATEST runs the newest code, as an unqualified invocation does.
    const fn: Fn = { versions: new Map([...list, ['$LATEST', list[list.length - 1][1]]]), aliases: new Map() };
    for (const [alias, version] of Object.entries(aliases)) fn.aliases.set(alias, { version, weights: {} });
    this.functions.set(name, fn);
  }

  private fn(ctx: Scope, name: string): Fn {
    const fn = this.functions.get(name);
    if (!fn) throw new ServiceError('ResourceNotFoundException', `Function not found: arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`, { statusCode: 404 });
    return fn;
  }

  private alias(ctx: Scope, name: string, alias: string): Alias {
    const a = this.fn(ctx, name).aliases.get(alias);
    if (!a) throw new ServiceError('ResourceNotFoundException', `Alias not found: arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}:${alias}`, { statusCode: 404 });
    return a;
  }

  private aliasOut(ctx: Scope, name: string, alias: string) {
    const a = this.alias(ctx, name, alias);
    return { AliasArn: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}:${alias}`, Name: alias, FunctionVersion: a.version, RoutingConfig: { AdditionalVersionWeights: { ...a.weights } } };
  }

  /** The version an invocation of `qualifier` runs: an alias's weights are drawn at random, as Lambda does. */
  private pick(ctx: Scope, name: string, qualifier: string | undefined): { version: string; alias?: string } {
    const fn = this.fn(ctx, name);
    const q = qualifier ?? '$LATEST';
    const a = fn.aliases.get(q);
    if (!a) {
      if (!fn.versions.has(q)) throw new ServiceError('ResourceNotFoundException', `Function not found: ${name}:${q}`, { statusCode: 404 });
      return { version: q };
    }
    let r = this.random();
    for (const [v, w] of Object.entries(a.weights)) {
      if (r < w) return { version: v, alias: q };
      r -= w;
    }
    return { version: a.version, alias: q };
  }

  private async metrics(aws: AwsClient, ctx: Scope, name: string, alias: string | undefined, version: string, failed: boolean): Promise<void> {
    if (!alias) return;
    const base = [{ Name: 'FunctionName', Value: name }, { Name: 'Resource', Value: `${name}:${alias}` }];
    const data = (dims: typeof base) => [
      { MetricName: 'Invocations', Dimensions: dims, Value: 1, Unit: 'Count' as const },
      { MetricName: 'Errors', Dimensions: dims, Value: failed ? 1 : 0, Unit: 'Count' as const },
    ];
    await aws.service<CloudwatchOperations>('cloudwatch', ctx).PutMetricData({ Namespace: 'AWS/Lambda', MetricData: [...data(base), ...data([...base, { Name: 'ExecutedVersion', Value: version }])] });
  }

  definition(): ServiceDefinition {
    return {
      name: 'lambda',
      create: (deps) => {
        const provider: Partial<LambdaOperations<RequestContext>> = {
          GetFunctionConfiguration: async (input, ctx) => {
            const q = input.Qualifier ?? '$LATEST';
            if (!this.fn(ctx, input.FunctionName).versions.has(q)) throw new ServiceError('ResourceNotFoundException', `Function not found: arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${input.FunctionName}:${q}`, { statusCode: 404 });
            return { FunctionName: input.FunctionName, FunctionArn: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${input.FunctionName}:${q}`, Version: q, State: 'Active' };
          },
          GetAlias: async (input, ctx) => this.aliasOut(ctx, input.FunctionName, input.Name),
          UpdateAlias: async (input, ctx) => {
            const a = this.alias(ctx, input.FunctionName, input.Name);
            if (input.FunctionVersion) a.version = input.FunctionVersion;
            if (input.RoutingConfig) a.weights = { ...(input.RoutingConfig.AdditionalVersionWeights ?? {}) };
            this.aliasUpdates.push({ alias: input.Name, version: a.version, weights: { ...a.weights } });
            return this.aliasOut(ctx, input.FunctionName, input.Name);
          },
          Invoke: async (input, ctx) => {
            const { version, alias } = this.pick(ctx, input.FunctionName, input.Qualifier);
            const handler = this.fn(ctx, input.FunctionName).versions.get(version)!;
            const event = input.Payload?.length ? (JSON.parse(Buffer.from(input.Payload).toString('utf8')) as Record<string, string>) : {};
            const run = async () => {
              try {
                const out = await handler(event, { aws: deps.aws, scope: { region: ctx.region, accountId: ctx.accountId } });
                await this.metrics(deps.aws, ctx, input.FunctionName, alias, version, false);
                return { ok: true, out };
              } catch (e) {
                await this.metrics(deps.aws, ctx, input.FunctionName, alias, version, true);
                return { ok: false, out: { errorMessage: e instanceof Error ? e.message : String(e), errorType: 'Error' } };
              }
            };
            if (input.InvocationType === 'Event') {
              void run();
              return { StatusCode: 202 };
            }
            const r = await run();
            return { StatusCode: 200, ExecutedVersion: version, FunctionError: r.ok ? undefined : 'Unhandled', Payload: Buffer.from(JSON.stringify(r.out ?? null)) };
          },
        };
        return { provider };
      },
    };
  }
}
