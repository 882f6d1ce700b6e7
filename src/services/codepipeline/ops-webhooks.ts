import type { RequestContext } from '../../aws/gateway/context.js';
import type { ActionDeclaration, ListWebhookItem, WebhookDefinition } from '../../aws/models/generated/codepipeline.js';
import { hexId } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import { paginate } from '../common/paging.js';
import { err, getPipeline, mergeTags, type CodePipeline, type Ops } from './common.js';
import type { PipelineRecord, WebhookRecord } from './store.js';
import { parseCidr, parseJsonPath, placeholders } from './webhook-rules.js';

/** Where webhook deliveries are POSTed on Slipway's port (AWS: https://<region>.webhooks.aws/trigger). */
export const WEBHOOK_PATH = '/_webhooks/trigger';

export function webhookArn(scope: Scope, name: string): string {
  return `arn:aws:codepipeline:${scope.region}:${scope.accountId}:webhook:${name}`;
}

export function webhookUrl(cp: CodePipeline, w: WebhookRecord): string {
  return `${cp.deps.endpoint()}${WEBHOOK_PATH}?t=${w.token}&v=1`;
}

/** The webhook's target: a source action of its pipeline. */
export function targetAction(p: PipelineRecord, name: string): ActionDeclaration | undefined {
  return p.declaration.stages[0]?.actions.find((a) => a.name === name && a.actionTypeId.category === 'Source');
}

function checkAuthentication(d: WebhookDefinition): void {
  const c = d.authenticationConfiguration ?? {};
  const bad = (m: string) => err('InvalidWebhookAuthenticationParametersException', m);
  if (d.authentication === 'GITHUB_HMAC') {
    if (!c.SecretToken) throw bad('For GITHUB_HMAC authentication, authenticationConfiguration must set SecretToken.');
    if (c.AllowedIPRange) throw bad('For GITHUB_HMAC authentication, only SecretToken may be set in authenticationConfiguration.');
  } else if (d.authentication === 'IP') {
    if (!c.AllowedIPRange) throw bad('For IP authentication, authenticationConfiguration must set AllowedIPRange.');
    if (c.SecretToken) throw bad('For IP authentication, only AllowedIPRange may be set in authenticationConfiguration.');
    if (!parseCidr(c.AllowedIPRange)) throw bad(`AllowedIPRange ${c.AllowedIPRange} is not a valid CIDR range.`);
  } else if (c.SecretToken || c.AllowedIPRange) {
    throw bad('For UNAUTHENTICATED authentication, authenticationConfiguration must be empty.');
  }
}

function checkFilters(d: WebhookDefinition, action: ActionDeclaration): void {
  const bad = (m: string) => err('InvalidWebhookFilterPatternException', m);
  if (!d.filters?.length) throw bad('A webhook needs at least one filter.');
  for (const f of d.filters) {
    if (!parseJsonPath(f.jsonPath)) throw bad(`The JsonPath expression ${f.jsonPath} is not valid: use $ followed by .name, ['name'] or [index] steps.`);
    const unknown = placeholders(f.matchEquals ?? '').filter((k) => action.configuration?.[k] === undefined);
    if (unknown.length) throw bad(`The MatchEquals value ${f.matchEquals} refers to ${unknown.map((k) => `{${k}}`).join(', ')}, which action ${action.name} does not configure.`);
  }
}

function redacted(d: WebhookDefinition): WebhookDefinition {
  const c = d.authenticationConfiguration ?? {};
  return { ...d, authenticationConfiguration: c.SecretToken ? { ...c, SecretToken: '****' } : c };
}

/** PutWebhook, ListWebhooks, DeleteWebhook and the third-party registration calls. */
export function webhookOperations(cp: CodePipeline): Ops {
  const { store } = cp;
  const view = (w: WebhookRecord): ListWebhookItem => ({
    definition: redacted(w.definition), url: webhookUrl(cp, w), arn: w.arn,
    lastTriggered: w.lastTriggered === undefined ? undefined : new Date(w.lastTriggered), tags: w.tags.length ? w.tags : undefined,
  });
  const getWebhook = (ctx: RequestContext, name: string | undefined) => {
    const w = name ? store.webhooks.get(ctx, name) : undefined;
    if (!w) throw err('WebhookNotFoundException', `The specified webhook ${name ?? ''} was not found.`);
    return w;
  };
  return {
    async PutWebhook(input, ctx) {
      const d = input.webhook;
      const p = getPipeline(cp, ctx, d.targetPipeline);
      const action = targetAction(p, d.targetAction);
      if (!action) throw err('ValidationException', `Action ${d.targetAction} is not a source action of pipeline ${p.name}: a webhook must target a source action.`);
      checkFilters(d, action);
      checkAuthentication(d);
      const existing = store.webhooks.get(ctx, d.name);
      const w: WebhookRecord = {
        definition: d, arn: webhookArn(ctx, d.name), token: existing?.token ?? hexId(48),
        tags: mergeTags(existing?.tags ?? [], input.tags ?? []), lastTriggered: existing?.lastTriggered, registered: existing?.registered,
      };
      store.webhooks.put(ctx, d.name, w);
      return { webhook: view(w) };
    },

    async ListWebhooks(input, ctx) {
      const all = store.webhooks.list(ctx).sort((a, b) => (a.definition.name < b.definition.name ? -1 : 1));
      const page = paginate(all, (w) => w.definition.name, input.NextToken, input.MaxResults ?? 100, (t) => err('InvalidNextTokenException', `The next token ${t} is not valid.`));
      return { webhooks: page.items.map(view), NextToken: page.next };
    },

    async DeleteWebhook(input, ctx) {
      // Deleting a webhook that is already gone succeeds, as on AWS.
      store.webhooks.delete(ctx, input.name);
      return {};
    },

    async RegisterWebhookWithThirdParty(input, ctx) {
      const w = getWebhook(ctx, input.webhookName);
      const p = store.pipelines.get(ctx, w.definition.targetPipeline);
      const action = p && targetAction(p, w.definition.targetAction);
      if (action?.actionTypeId.owner !== 'ThirdParty' || action.actionTypeId.provider !== 'GitHub') {
        throw err('ValidationException', `Webhook ${w.definition.name} does not target a GitHub (ThirdParty) source action: only those can be registered with a third party. POST the events to ${webhookUrl(cp, w)} instead.`);
      }
      store.webhooks.put(ctx, w.definition.name, { ...w, registered: true });
      return {};
    },

    async DeregisterWebhookWithThirdParty(input, ctx) {
      const w = getWebhook(ctx, input.webhookName);
      store.webhooks.put(ctx, w.definition.name, { ...w, registered: false });
      return {};
    },
  };
}
