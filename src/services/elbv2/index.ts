import type { ServiceDefinition } from '../service.js';
import type { Elbv2 } from './context.js';
import { listenerCertificateOperations } from './listener-certificates.js';
import { listenerOperations } from './listeners.js';
import { loadBalancerOperations } from './load-balancers.js';
import { ProxyEngine } from './proxy/engine.js';
import { ruleOperations } from './rules.js';
import { Elbv2Store } from './store.js';
import { tagOperations } from './tags.js';
import { targetGroupOperations } from './target-groups.js';
import { targetOperations } from './targets.js';

/** Elastic Load Balancing v2: application load balancers whose listeners are real HTTP reverse proxies. */
export const elbv2: ServiceDefinition = {
  name: 'elbv2',
  create(deps) {
    const store = new Elbv2Store(deps.db);
    const engine = new ProxyEngine({ store, clock: deps.clock, aws: deps.aws, jobs: deps.jobs, log: deps.log, config: deps.config });
    const e: Elbv2 = { store, engine, clock: deps.clock };
    return {
      provider: {
        ...loadBalancerOperations(e),
        ...targetGroupOperations(e),
        ...targetOperations(e),
        ...listenerOperations(e),
        ...listenerCertificateOperations(e),
        ...ruleOperations(e),
        ...tagOperations(e),
      },
      routes: [
        {
          matches: (method, path) => method === 'GET' && path === '/_slipway/elbv2/listeners',
          handle(req, res) {
            req.resume();
            const body = JSON.stringify({ Listeners: engine.addresses() });
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
            res.end(body);
          },
        },
      ],
      start: () => engine.start(),
      stop: () => engine.stop(),
    };
  },
};
