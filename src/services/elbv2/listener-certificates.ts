import type { Certificate } from '../../aws/models/generated/elbv2.js';
import { ServiceError } from '../../core/errors.js';
import { validation } from './common.js';
import { getListener, page, type Elbv2, type Ops } from './context.js';
import type { ListenerRecord } from './store.js';

/** AWS's default quota of certificates per load balancer, the default certificate not counted. */
const MAX_CERTIFICATES = 25;

function httpsListener(l: ListenerRecord): ListenerRecord {
  if (l.protocol !== 'HTTPS') throw new ServiceError('InvalidConfigurationRequestException', `Listener '${l.arn}' is not an HTTPS listener: certificates can be added only to HTTPS listeners`);
  return l;
}

function arnsOf(certificates: Certificate[] | undefined): string[] {
  const arns = (certificates ?? []).map((c) => c.CertificateArn);
  if (!arns.length || arns.some((a) => !a)) throw validation('Certificates must name at least one certificate, each with a CertificateArn');
  return arns as string[];
}

/**
 * SNI certificates of HTTPS listeners: a client naming a host that one of them serves gets that
 * certificate, any other client the listener's default one. Like the default certificate, each
 * is a Secrets Manager secret holding a PEM pair, checked when added.
 */
export function listenerCertificateOperations(e: Elbv2): Ops {
  const { store } = e;
  return {
    async AddListenerCertificates(input, ctx) {
      const listener = httpsListener(getListener(e, ctx, input.ListenerArn));
      const added = arnsOf(input.Certificates).filter((a) => a !== listener.certificateArn);
      const arns = [...new Set([...(listener.sniCertificateArns ?? []), ...added])];
      if (arns.length > MAX_CERTIFICATES) throw new ServiceError('TooManyCertificatesException', `A listener can have at most ${MAX_CERTIFICATES} certificates besides its default one`);
      const next = { ...listener, sniCertificateArns: arns };
      await e.engine.openListener(ctx, next); // loads every certificate: a bad one fails here and nothing is stored
      store.listeners.put(ctx, next.arn, next);
      return { Certificates: added.map((CertificateArn) => ({ CertificateArn, IsDefault: false })) };
    },

    async RemoveListenerCertificates(input, ctx) {
      const listener = httpsListener(getListener(e, ctx, input.ListenerArn));
      const removed = arnsOf(input.Certificates);
      if (removed.includes(listener.certificateArn ?? '')) {
        throw new ServiceError('OperationNotPermittedException', "You can't remove the default certificate for a listener. To replace the default certificate, call ModifyListener.");
      }
      const next = { ...listener, sniCertificateArns: (listener.sniCertificateArns ?? []).filter((a) => !removed.includes(a)) };
      await e.engine.openListener(ctx, next);
      store.listeners.put(ctx, next.arn, next);
      return {};
    },

    async DescribeListenerCertificates(input, ctx) {
      const listener = getListener(e, ctx, input.ListenerArn);
      const all: Certificate[] = [
        ...(listener.certificateArn ? [{ CertificateArn: listener.certificateArn, IsDefault: true }] : []),
        ...[...(listener.sniCertificateArns ?? [])].sort().map((CertificateArn) => ({ CertificateArn, IsDefault: false })),
      ];
      const p = page(all, (c) => `${c.IsDefault ? 0 : 1}${c.CertificateArn}`, input.Marker, input.PageSize);
      return { Certificates: p.items, NextMarker: p.next };
    },
  };
}
