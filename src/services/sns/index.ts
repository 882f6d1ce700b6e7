import { join } from 'node:path';
import type { ServiceDefinition } from '../service.js';
import { httpPolicy } from './attributes.js';
import type { Sns } from './context.js';
import { Delivery } from './delivery.js';
import { httpPost } from './http-post.js';
import { Outbox } from './outbox.js';
import { publishOperations } from './publish-ops.js';
import { confirmationLinks, signingCertRoute } from './routes.js';
import { Signer } from './signing.js';
import { SnsStore } from './store.js';
import { subscriptionOperations } from './subscription-ops.js';
import type { TargetDeps } from './targets.js';
import { topicOperations } from './topic-ops.js';
import { topicPermissionOperations } from './topic-permissions.js';

/**
 * SNS: topics (standard and FIFO), subscriptions with filter policies, and delivery to SQS,
 * HTTP/S endpoints, Lambda, and email/SMS written to an outbox under the data dir.
 */
export const sns: ServiceDefinition = {
  name: 'sns',
  create(deps) {
    const store = new SnsStore(deps.db);
    const signer = new Signer(deps.dataDir);
    const targets: TargetDeps = {
      aws: deps.aws,
      outbox: new Outbox(join(deps.dataDir, 'outbox')),
      clock: deps.clock,
      envelope: () => ({ endpoint: deps.endpoint(), signer }),
      post: httpPost,
      contentType: (topic, sub) => httpPolicy(topic, sub).contentType,
    };
    const delivery = new Delivery(deps.db, store, deps.jobs, targets, deps.log);
    const ctx: Sns = { db: deps.db, store, clock: deps.clock, delivery };
    return {
      provider: { ...topicOperations(ctx), ...topicPermissionOperations(ctx), ...subscriptionOperations(ctx), ...publishOperations(ctx) },
      routes: [signingCertRoute(signer)],
      rewrites: [confirmationLinks],
      reset: () => signer.forget(),
    };
  },
};
