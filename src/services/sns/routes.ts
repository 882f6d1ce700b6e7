import type { HttpRoute, RequestRewrite } from '../../aws/gateway/pipeline.js';
import { CERT_PATH, type Signer } from './signing.js';

const SNS_VERSION = '2010-03-31';

/**
 * The SubscribeURL and UnsubscribeURL in SNS messages are unsigned GETs
 * (`/?Action=ConfirmSubscription&TopicArn=...&Token=...`). They carry no Version, which
 * query-protocol detection needs, so one is added and the request is served as SNS's.
 */
export const confirmationLinks: RequestRewrite = (req) => {
  if (req.method !== 'GET' || req.headers.authorization || req.query.has('Version')) return;
  const action = req.query.get('Action');
  const isLink = (action === 'ConfirmSubscription' && req.query.has('Token') && req.query.has('TopicArn')) ||
    (action === 'Unsubscribe' && req.query.has('SubscriptionArn'));
  if (isLink) req.query.set('Version', SNS_VERSION);
};

/** SigningCertURL: the public key notifications are signed with, in PEM form. */
export function signingCertRoute(signer: Signer): HttpRoute {
  return {
    matches: (method, path) => (method === 'GET' || method === 'HEAD') && path === CERT_PATH,
    handle(req, res) {
      req.resume();
      const pem = signer.publicKeyPem();
      res.writeHead(200, { 'content-type': 'application/x-pem-file', 'content-length': Buffer.byteLength(pem) });
      res.end(req.method === 'HEAD' ? undefined : pem);
    },
  };
}
