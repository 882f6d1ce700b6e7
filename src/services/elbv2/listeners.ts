import type { Listener } from '../../aws/models/generated/elbv2.js';
import { ServiceError } from '../../core/errors.js';
import { checkActions } from './actions.js';
import { mergeTags, resourceId, validation } from './common.js';
import { getListener, getLoadBalancer, page, type Elbv2, type Ops } from './context.js';
import { rulePrefix, type ListenerRecord, type LoadBalancerRecord } from './store.js';

const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

export function listenerView(l: ListenerRecord): Listener {
  return {
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol,
    Certificates: l.certificateArn ? [{ CertificateArn: l.certificateArn }] : undefined,
    SslPolicy: l.sslPolicy,
    DefaultActions: l.defaultActions,
  };
}

/** HTTP and HTTPS are what the proxy serves; other protocols are refused with the reason rather than stored and left dead. */
function checkProtocol(lb: LoadBalancerRecord, protocol: string | undefined): 'HTTP' | 'HTTPS' {
  const p = protocol ?? (lb.type === 'network' ? 'TCP' : 'HTTP');
  if ((p === 'HTTP' || p === 'HTTPS') && lb.type === 'application') return p;
  if (lb.type === 'network') {
    throw new ServiceError('UnsupportedProtocolException', `Listeners of network load balancers (protocol ${p}) are not supported by Slipway yet: use an application load balancer with an HTTP listener`);
  }
  throw new ServiceError('UnsupportedProtocolException', `Protocol '${p}' is not supported for listeners of application load balancers; use HTTP`);
}

/** An HTTPS listener's certificate and policy (the certificate itself is checked when the listener binds). */
function tlsSettings(protocol: 'HTTP' | 'HTTPS', certificates: { CertificateArn?: string }[] | undefined, sslPolicy: string | undefined, current?: ListenerRecord) {
  if (protocol === 'HTTP') {
    if (certificates?.length || sslPolicy) throw validation('Certificates and an SSL policy can be specified only for HTTPS listeners');
    return { certificateArn: undefined, sslPolicy: undefined };
  }
  const certificateArn = certificates?.[0]?.CertificateArn ?? current?.certificateArn;
  if (!certificateArn) throw new ServiceError('CertificateNotFoundException', 'A certificate must be specified for HTTPS listeners');
  if ((certificates?.length ?? 0) > 1) throw new ServiceError('TooManyCertificatesException', 'An HTTPS listener takes one default certificate here; add others with AddListenerCertificates');
  const policy = sslPolicy ?? current?.sslPolicy ?? DEFAULT_SSL_POLICY;
  if (!/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(policy)) throw new ServiceError('SSLPolicyNotFoundException', `SSL policy '${policy}' not found`);
  return { certificateArn, sslPolicy: policy };
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
        ...tlsSettings(protocol, input.Certificates, input.SslPolicy),
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
      Object.assign(next, tlsSettings(next.protocol, input.Certificates, input.SslPolicy, listener));
      if (next.protocol === 'HTTP') next.sniCertificateArns = undefined;
      if (input.DefaultActions) next.defaultActions = checkActions(store, ctx, lb, input.DefaultActions);
      if (input.Port !== undefined && input.Port !== listener.port) {
        checkPortFree(e, lb, input.Port, listener.arn);
        next.port = input.Port;
      }
      await e.engine.openListener(ctx, next); // rebinds when the port, protocol or certificate changed
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
