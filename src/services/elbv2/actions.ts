import type { Action } from '../../aws/models/generated/elbv2.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { notFound, validation } from './common.js';
import type { Elbv2Store, LoadBalancerRecord } from './store.js';
import { forwardTargets } from './store.js';

const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];
const invalidAction = (message: string) => new ServiceError('InvalidLoadBalancerActionException', message);

/**
 * Checks a listener's or rule's actions and returns them as AWS describes them: a forward
 * action carries both TargetGroupArn (for one group) and ForwardConfig with weights.
 */
export function checkActions(store: Elbv2Store, scope: Scope, lb: LoadBalancerRecord, actions: Action[]): Action[] {
  if (actions.length === 0) throw validation('At least one action must be specified');
  if (actions.length > 1) {
    throw invalidAction('Only one action can be specified: Slipway supports forward, redirect and fixed-response actions, which are each the last action of a rule');
  }
  const [action] = actions;
  switch (action.Type) {
    case 'forward':
      return [checkForward(store, scope, lb, action)];
    case 'redirect':
      return [checkRedirect(action)];
    case 'fixed-response':
      return [checkFixedResponse(action)];
    default:
      throw invalidAction(`Action type '${action.Type}' is not supported by Slipway; use forward, redirect or fixed-response`);
  }
}

function checkForward(store: Elbv2Store, scope: Scope, lb: LoadBalancerRecord, action: Action): Action {
  const tuples = action.ForwardConfig?.TargetGroups ?? [];
  if (action.TargetGroupArn && tuples.length) {
    if (tuples.length > 1 || tuples[0].TargetGroupArn !== action.TargetGroupArn) {
      throw validation('You cannot specify both a target group ARN and a forward config that names other target groups');
    }
  }
  const groups = tuples.length ? tuples : action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : [];
  if (groups.length === 0) throw validation('A forward action must specify a target group ARN or a forward config with at least one target group');
  if (groups.length > 5) throw new ServiceError('TooManyTargetGroupsException', 'A forward action can have at most 5 target groups');
  const seen = new Set<string>();
  let total = 0;
  for (const [i, g] of groups.entries()) {
    const arn = g.TargetGroupArn ?? '';
    if (!arn) throw validation(`ForwardConfig.TargetGroups.member.${i + 1}.TargetGroupArn must be specified`);
    if (seen.has(arn)) throw validation(`Target group '${arn}' is specified more than once in the forward action`);
    seen.add(arn);
    if (g.Weight === undefined && groups.length > 1) throw validation(`A weight must be specified for target group '${arn}': the forward action has more than one target group`);
    const weight = g.Weight ?? 1;
    if (!Number.isInteger(weight) || weight < 0 || weight > 999) throw validation(`The weight of target group '${arn}' must be an integer from 0 to 999, got ${weight}`);
    total += weight;
    checkTargetGroupFits(store, scope, lb, arn);
  }
  if (total === 0) throw validation('The weights of the target groups in a forward action add up to 0: at least one target group must have a weight greater than 0');
  const sticky = action.ForwardConfig?.TargetGroupStickinessConfig;
  if (sticky?.Enabled && (sticky.DurationSeconds === undefined || sticky.DurationSeconds < 1 || sticky.DurationSeconds > 604800)) {
    throw validation('Target group stickiness duration must be between 1 and 604800 seconds');
  }
  const weighted = groups.map((g) => ({ TargetGroupArn: g.TargetGroupArn, Weight: g.Weight ?? 1 }));
  return {
    Type: 'forward',
    TargetGroupArn: weighted.length === 1 ? weighted[0].TargetGroupArn : undefined,
    ForwardConfig: {
      TargetGroups: weighted,
      TargetGroupStickinessConfig: sticky?.Enabled ? { Enabled: true, DurationSeconds: sticky.DurationSeconds } : { Enabled: false },
    },
  };
}

function checkTargetGroupFits(store: Elbv2Store, scope: Scope, lb: LoadBalancerRecord, arn: string): void {
  const tg = store.targetGroups.get(scope, arn);
  if (!tg) throw notFound.targetGroup(`Target group '${arn}' not found`);
  const wanted = lb.type === 'network' ? 'TCP' : 'HTTP';
  if (tg.protocol !== wanted) {
    throw new ServiceError('IncompatibleProtocolsException', `The protocol of target group '${tg.name}' (${tg.protocol}) is not compatible with a ${lb.type} load balancer`);
  }
  const others = store.loadBalancersUsing(scope, arn).filter((a) => a !== lb.arn);
  if (others.length) {
    throw new ServiceError('TargetGroupAssociationLimitException', `The following target groups cannot be associated with more than one load balancer: ${arn}`);
  }
}

function checkRedirect(action: Action): Action {
  const r = action.RedirectConfig;
  if (!r) throw validation('A redirect action must have a RedirectConfig');
  if (r.Protocol !== undefined && !['HTTP', 'HTTPS', '#{protocol}'].includes(r.Protocol)) throw validation(`Redirect protocol '${r.Protocol}' must be HTTP, HTTPS or #{protocol}`);
  if (r.Port !== undefined && r.Port !== '#{port}' && !(/^\d+$/.test(r.Port) && Number(r.Port) >= 1 && Number(r.Port) <= 65535)) {
    throw validation(`Redirect port '${r.Port}' must be a port from 1 to 65535 or #{port}`);
  }
  if (r.Path !== undefined && !r.Path.startsWith('/')) throw validation(`Redirect path '${r.Path}' must begin with a '/' character`);
  if (r.Query?.startsWith('?')) throw validation(`Redirect query '${r.Query}' must not begin with a '?' character`);
  const config = { Protocol: r.Protocol ?? '#{protocol}', Port: r.Port ?? '#{port}', Host: r.Host ?? '#{host}', Path: r.Path ?? '/#{path}', Query: r.Query ?? '#{query}', StatusCode: r.StatusCode };
  if (config.Protocol === '#{protocol}' && config.Port === '#{port}' && config.Host === '#{host}' && config.Path === '/#{path}' && config.Query === '#{query}') {
    throw validation('The redirect configuration is not valid because it creates a loop');
  }
  return { Type: 'redirect', RedirectConfig: config };
}

function checkFixedResponse(action: Action): Action {
  const f = action.FixedResponseConfig;
  if (!f) throw validation('A fixed-response action must have a FixedResponseConfig');
  if (!/^[245]\d\d$/.test(f.StatusCode)) throw validation(`Fixed response status code '${f.StatusCode}' must be a 2XX, 4XX or 5XX code`);
  if (f.ContentType !== undefined && !CONTENT_TYPES.includes(f.ContentType)) throw validation(`Fixed response content type '${f.ContentType}' must be one of ${CONTENT_TYPES.join(', ')}`);
  if (f.MessageBody !== undefined && Buffer.byteLength(f.MessageBody) > 1024) throw validation('Fixed response message body cannot be longer than 1024 characters');
  return { Type: 'fixed-response', FixedResponseConfig: { StatusCode: f.StatusCode, ContentType: f.ContentType, MessageBody: f.MessageBody } };
}

export { forwardTargets };
