import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { AddPermissionRequest, LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { Scope } from '../../core/scope.js';
import { checkRevision } from './config.js';
import { LATEST, conflict, functionArn, notFound, parseFunctionName } from './names.js';
import { requireFunction, resolveQualified, type LambdaContext } from './resolve.js';
import type { PolicyStatement } from './store.js';

type Provider = Partial<LambdaOperations<RequestContext>>;

/** The policy statement AWS writes for an AddPermission call. */
export function statementFor(scope: Scope, name: string, input: AddPermissionRequest, qualifier: string | undefined): PolicyStatement {
  const p = input.Principal;
  const principal = p === '*' ? '*' : /^\d{12}$/.test(p) ? { AWS: `arn:aws:iam::${p}:root` } : p.startsWith('arn:') ? { AWS: p } : { Service: p };
  const condition: Record<string, Record<string, string>> = {};
  const add = (op: string, key: string, value: string | undefined) => {
    if (value !== undefined) condition[op] = { ...condition[op], [key]: value };
  };
  add('StringEquals', 'AWS:SourceAccount', input.SourceAccount);
  add('StringEquals', 'aws:PrincipalOrgID', input.PrincipalOrgID);
  add('StringEquals', 'lambda:EventSourceToken', input.EventSourceToken);
  add('StringEquals', 'lambda:FunctionUrlAuthType', input.FunctionUrlAuthType);
  add('ArnLike', 'AWS:SourceArn', input.SourceArn);
  return {
    Sid: input.StatementId,
    Effect: 'Allow',
    Principal: principal,
    Action: input.Action,
    Resource: functionArn(scope, name, qualifier && qualifier !== LATEST ? qualifier : undefined),
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}

/** Resource-based policies: stored and returned as AWS writes them (Slipway does not enforce them). */
export function permissionsApi(c: LambdaContext): Provider {
  const { store } = c;
  const target = (ctx: Scope, functionName: string, qualifier: string | undefined) => {
    const ref = parseFunctionName(functionName, qualifier);
    const fn = requireFunction(store, ctx, ref.name);
    if (ref.qualifier !== undefined) resolveQualified(store, ctx, ref);
    return { ref, fn, key: ref.qualifier ?? LATEST };
  };
  return {
    async AddPermission(input, ctx) {
      const { ref, fn, key } = target(ctx, input.FunctionName, input.Qualifier);
      checkRevision(fn.policyRevision, input.RevisionId, 'GetFunction');
      const statements = fn.policies?.[key] ?? [];
      if (statements.some((s) => s.Sid === input.StatementId)) {
        throw conflict('The statement id (' + input.StatementId + ') provided already exists. Please provide a new statement id, or remove the existing statement.');
      }
      const statement = statementFor(ctx, ref.name, input, ref.qualifier);
      fn.policies = { ...fn.policies, [key]: [...statements, statement] };
      fn.policyRevision = randomUUID();
      store.functions.put(ctx, ref.name, fn);
      return { Statement: JSON.stringify(statement) };
    },

    async GetPolicy(input, ctx) {
      const { fn, key } = target(ctx, input.FunctionName, input.Qualifier);
      const statements = fn.policies?.[key] ?? [];
      if (!statements.length) throw notFound('The resource you requested does not exist.');
      return { Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }), RevisionId: fn.policyRevision };
    },

    async RemovePermission(input, ctx) {
      const { ref, fn, key } = target(ctx, input.FunctionName, input.Qualifier);
      checkRevision(fn.policyRevision, input.RevisionId, 'GetFunction');
      const statements = fn.policies?.[key] ?? [];
      if (!statements.some((s) => s.Sid === input.StatementId)) throw notFound(`Statement ${input.StatementId} is not found in resource policy.`);
      fn.policies = { ...fn.policies, [key]: statements.filter((s) => s.Sid !== input.StatementId) };
      fn.policyRevision = randomUUID();
      store.functions.put(ctx, ref.name, fn);
      return {};
    },
  };
}
