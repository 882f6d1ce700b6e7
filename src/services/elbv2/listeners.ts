import type { Listener } from '../../aws/models/generated/elbv2.js';
import { ServiceError } from '../../core/errors.js';
import { checkActions } from './actions.js';
import { mergeTags, resourceId, validation } from './common.js';
import { getListener, getLoadBalancer, page, type Elbv2, type Ops } from './context.js';
import { rulePrefix, type ListenerRecord, type LoadBalancerRecord } from './store.js';

export function listenerView(l: ListenerRecord): Listener {
  return { ListenerArn: l.arn, LoadBalancerArn: l.loadBalancerArn, Port: l.port, Protocol: l.protocol, DefaultActions: l.defaultActions };
}

/** HTTP is what the proxy serves; HTTPS and TCP are refused with the reason rather than stored and left dead. */
function checkProtocol(lb: LoadBalancerRecord, protocol: string | undefined): 'HTTP' {
  const p = protocol ?? (lb.type === 'network' ? 'TCP' : 'HTTP');
  if (p === 'HTTP' && lb.type === 'application') return 'HTTP';
  if (p === 'HTTPS' && lb.type === 'application') {
    throw new ServiceError(
      'UnsupportedProtocolException',
      'HTTPS listeners are not supported by Slipway: it has no ACM to hold the certificate. Create an HTTP listener (and terminate TLS in front of Slipway if you need it).',
    );
  }
  if (lb.type === 'network') {
    throw new ServiceError('UnsupportedProtocolException', `Listeners of network load balancers (protocol ${p}) are not supported by Slipway yet: use an application load balancer with an HTTP listener`);
  }
  throw new ServiceError('UnsupportedProtocolException', `Protocol '${p}' is not supported for listeners of application load balancers; use HTTP`);
}

function checkPortFree(e: Elbv2, lb: LoadBalancerRecord, port: number, except?: string): void {
  const scope = { accountId: lb.arn.split(':')[4], region: lb.arn.split(':')[3] };
  if (e.store.listenersOf(scope, lb.arn).some((l) => l.port === port && l.arn !== except)) {
    throw new ServiceError('DuplicateListenerException', `A listener already exists on port ${port} of load balancer '${lb.arn}'`);
  }
}

export function listenerOperations(e: Elbv2): Ops {
  const { store } = e;
  return {
    async CreateListener(input, ctx) {
      const lb = getLoadBalancer(e, ctx, input.LoadBalancerArn);
      const protocol = checkProtocol(lb, input.Protocol);
      if (input.Port === undefined) throw validation('A listener port must be specified');
      checkPortFree(e, lb, input.Port);
      if (store.listenersOf(ctx, lb.arn).length >= 50) throw new ServiceError('TooManyListenersException', 'A load balancer can have at most 50 listeners');
      const id = resourceId();
      const arn = lb.arn.replace(':loadbalancer/', ':listener/') + `/${id}`;
      const listener: ListenerRecord = {
        arn,
        loadBalancerArn: lb.arn,
        port: input.Port,
        protocol,
        defaultActions: checkActions(store, ctx, lb, input.DefaultActions),
        defaultRuleArn: rulePrefix(arn) + resourceId(),
        tags: mergeTags([], input.Tags ?? []),
      };
      // Bind first: a port this machine cannot give is an error, and nothing is stored.
      await e.engine.openListener(ctx, listener);
      store.listeners.put(ctx, arn, listener);
      e.engine.changed();
      return { Listeners: [listenerView(listener)] };
    },

    async DescribeListeners(input, ctx) {
      if (!input.LoadBalancerArn && !input.ListenerArns?.length) throw validation('You must specify either a load balancer ARN or one or more listener ARNs');
      const listeners = input.ListenerArns?.length
        ? input.ListenerArns.map((arn) => getListener(e, ctx, arn))
        : store.listenersOf(ctx, getLoadBalancer(e, ctx, input.LoadBalancerArn!).arn);
      const p = page(listeners, (l) => l.arn, input.Marker, input.PageSize);
      return { Listeners: p.items.map(listenerView), NextMarker: p.next };
    },

    async ModifyListener(input, ctx) {
      const listener = getListener(e, ctx, input.ListenerArn);
      const lb = getLoadBalancer(e, ctx, listener.loadBalancerArn);
      const next: ListenerRecord = { ...listener };
      if (input.Protocol !== undefined) next.protocol = checkProtocol(lb, input.Protocol);
      if (input.Certificates?.length || input.SslPolicy) checkProtocol(lb, 'HTTPS');
      if (input.DefaultActions) next.defaultActions = checkActions(store, ctx, lb, input.DefaultActions);
      if (input.Port !== undefined && input.Port !== listener.port) {
        checkPortFree(e, lb, input.Port, listener.arn);
        next.port = input.Port;
        await e.engine.openListener(ctx, next); // rebinds; the old port stays if the new one cannot be had
      }
      store.listeners.put(ctx, next.arn, next);
      e.engine.changed();
      return { Listeners: [listenerView(next)] };
    },

    async DeleteListener(input, ctx) {
      const listener = getListener(e, ctx, input.ListenerArn);
      store.db.transaction(() => {
        for (const r of store.rulesOf(ctx, listener.arn)) store.rules.delete(ctx, r.arn);
        store.listeners.delete(ctx, listener.arn);
      });
      await e.engine.closeListener(listener.arn);
      e.engine.changed();
      return {};
    },
  };
}
