import type { RequestContext } from '../../aws/gateway/context.js';
import type { Parameter, SsmOperations } from '../../aws/models/generated/ssm.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { SecretBox } from '../common/secret-box.js';
import type { ChangeEvents } from './change-events.js';
import { parseSelector, type Selected } from './names.js';
import { applyPut } from './put-parameter.js';
import { isSecretReference, SecretReferences } from './secret-reference.js';
import { latest, type ParameterRecord, type ParameterStore, type ParameterVersion } from './store.js';
import { parameterView } from './views.js';

type Ops = Partial<SsmOperations<RequestContext>>;

export function notFound(name: string): ServiceError {
  return new ServiceError('ParameterNotFound', `Parameter ${name} not found.`, { statusCode: 400 });
}

export function versionNotFound(name: string, version: number | string): ServiceError {
  return new ServiceError('ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`, {
    statusCode: 400,
  });
}

export function scopeOf(ctx: RequestContext): Scope {
  return { accountId: ctx.accountId, region: ctx.region };
}

/** Finds the parameter a name, `name:selector` or ARN points at. */
export function findParameter(store: ParameterStore, scope: Scope, sel: Selected): ParameterRecord | undefined {
  return store.get(scope, sel.name) ?? (sel.alternate ? store.get(scope, sel.alternate) : undefined);
}

/** The version a selector picks: the latest, a version number, or the version carrying a label. */
export function selectVersion(p: ParameterRecord, sel: Selected): ParameterVersion {
  if (sel.version !== undefined) {
    const v = p.versions.find((x) => x.version === sel.version);
    if (!v) throw versionNotFound(p.name, sel.version);
    return v;
  }
  if (sel.label !== undefined) {
    const v = p.versions.find((x) => x.labels.includes(sel.label!));
    if (!v) throw notFound(`${p.name}:${sel.label}`);
    return v;
  }
  return latest(p);
}

export function parameterOperations(store: ParameterStore, box: SecretBox, clock: Clock, refs: SecretReferences, events: ChangeEvents): Ops {
  const getOne = async (ctx: RequestContext, name: string, withDecryption: boolean | undefined): Promise<Parameter> => {
    if (isSecretReference(name)) return refs.get(scopeOf(ctx), name, withDecryption);
    const sel = parseSelector(name);
    const p = findParameter(store, scopeOf(ctx), sel);
    if (!p) throw notFound(name);
    return parameterView(box, scopeOf(ctx), p, selectVersion(p, sel), withDecryption, sel.selector);
  };

  const remove = async (scope: Scope, name: string): Promise<boolean> => {
    const p = store.get(scope, name);
    if (!p || !store.delete(scope, name)) return false;
    await events.changed(scope, 'Delete', name, latest(p).type, latest(p).description);
    return true;
  };

  return {
    async PutParameter(input, ctx) {
      const scope = scopeOf(ctx);
      const existing = store.get(scope, input.Name);
      const record = applyPut(existing, input, { scope, user: ctx.principal.arn, now: clock.now(), box });
      store.put(scope, record);
      const v = latest(record);
      await events.changed(scope, existing ? 'Update' : 'Create', record.name, v.type, v.description);
      return { Version: v.version, Tier: v.tier };
    },

    async GetParameter(input, ctx) {
      return { Parameter: await getOne(ctx, input.Name, input.WithDecryption) };
    },

    async GetParameters(input, ctx) {
      const parameters: Parameter[] = [];
      const invalid: string[] = [];
      for (const name of new Set(input.Names)) {
        try {
          parameters.push(await getOne(ctx, name, input.WithDecryption));
        } catch (e) {
          if (!(e instanceof ServiceError) || !['ParameterNotFound', 'ParameterVersionNotFound'].includes(e.code)) throw e;
          invalid.push(name);
        }
      }
      return { Parameters: parameters, InvalidParameters: invalid };
    },

    async DeleteParameter(input, ctx) {
      if (!(await remove(scopeOf(ctx), input.Name))) throw notFound(input.Name);
      return {};
    },

    async DeleteParameters(input, ctx) {
      const deleted: string[] = [];
      const invalid: string[] = [];
      for (const name of new Set(input.Names)) ((await remove(scopeOf(ctx), name)) ? deleted : invalid).push(name);
      return { DeletedParameters: deleted, InvalidParameters: invalid };
    },
  };
}
