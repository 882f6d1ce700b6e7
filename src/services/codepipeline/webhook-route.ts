import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoute } from '../../aws/gateway/pipeline.js';
import type { Scope } from '../../core/scope.js';
import type { CodePipeline } from './common.js';
import { targetAction, WEBHOOK_PATH } from './ops-webhooks.js';
import type { WebhookRecord } from './store.js';
import { filtersPass, inRange, signatureValid } from './webhook-rules.js';

/** GitHub sends payloads up to 25 MB. */
const MAX_BODY = 25 * 1024 * 1024;

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function authenticated(w: WebhookRecord, req: IncomingMessage, body: Buffer): boolean {
  const c = w.definition.authenticationConfiguration ?? {};
  if (w.definition.authentication === 'GITHUB_HMAC') return signatureValid(c.SecretToken ?? '', body, header(req, 'x-hub-signature-256'), header(req, 'x-hub-signature'));
  if (w.definition.authentication === 'IP') return inRange(req.socket.remoteAddress, c.AllowedIPRange ?? '');
  return true;
}

function parse(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The webhook URLs: a POST whose payload passes the webhook's authentication and filters starts
 * its pipeline (trigger `Webhook`); anything else is answered with an HTTP error and starts nothing.
 * Served beside the AWS protocol, never through it: the URL's token is the only credential.
 */
export function webhookRoute(cp: CodePipeline): HttpRoute {
  const find = (token: string | null): { scope: Scope; w: WebhookRecord } | undefined => {
    const hit = token ? cp.store.webhooks.all().find((x) => x.value.token === token) : undefined;
    return hit && { scope: hit.scope, w: hit.value };
  };
  return {
    matches: (_method, path) => path === WEBHOOK_PATH,
    async handle(req, res, _path, query) {
      const found = find(query.get('t'));
      if (req.method !== 'POST' || !found) {
        req.resume();
        return reply(res, req.method !== 'POST' ? 405 : 404, { message: req.method !== 'POST' ? 'Webhooks accept POST only.' : 'No webhook has this URL.' });
      }
      const { scope, w } = found;
      const body = await readBody(req);
      if (!body) return reply(res, 413, { message: `The payload is larger than ${MAX_BODY} bytes.` });
      if (!authenticated(w, req, body)) return reply(res, 403, { message: `The request did not pass the webhook's ${w.definition.authentication} authentication.` });
      const payload = parse(body);
      if (!payload.ok) return reply(res, 400, { message: 'The payload is not valid JSON.' });
      const p = cp.store.pipelines.get(scope, w.definition.targetPipeline);
      const action = p && targetAction(p, w.definition.targetAction);
      if (!p || !action) return reply(res, 409, { message: `The webhook's target ${w.definition.targetPipeline}/${w.definition.targetAction} no longer exists.` });
      const match = filtersPass(w.definition.filters, payload.value, action.configuration ?? {});
      if (!match.ok) return reply(res, 400, { message: `The payload does not match the webhook's filters: ${match.reason}` });
      const e = cp.engine.startExecution(scope, p, { triggerType: 'Webhook', triggerDetail: w.arn });
      cp.store.webhooks.put(scope, w.definition.name, { ...w, lastTriggered: cp.deps.clock.now() });
      return reply(res, 200, { pipelineExecutionId: e.id });
    },
  };
}
