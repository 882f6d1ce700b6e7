import type { HttpRoute } from '../../aws/gateway/pipeline.js';
import type { ServiceDeps } from '../service.js';

const PREFIX = '/_slipway/lambda/code/';

/** GetFunction's `Code.Location`: the deployment package, by its opaque blob id. */
export function codeRoute(deps: ServiceDeps): HttpRoute {
  return {
    matches: (method, path) => method === 'GET' && path.startsWith(PREFIX),
    handle(_req, res, path) {
      const id = path.slice(PREFIX.length);
      let size: number;
      try {
        size = deps.blobs.size(id);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('No such deployment package\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(size) });
      deps.blobs.read(id).pipe(res);
    },
  };
}
