import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodebuildOperations } from '../../aws/models/generated/codebuild.js';
import { ServiceError } from '../../core/errors.js';
import { invalidateCache } from './cache.js';
import { projectArn, projectName } from './projects.js';
import type { CodeBuildStore } from './store.js';

/** InvalidateProjectCache: the next build of the project starts without a cache. */
export function cacheOperations(store: CodeBuildStore, aws: AwsClient, cacheRoot: string): Partial<CodebuildOperations<RequestContext>> {
  return {
    async InvalidateProjectCache(input, ctx) {
      const name = projectName(input.projectName);
      const p = store.projects.get(ctx, name);
      if (!p) throw new ServiceError('ResourceNotFoundException', `Project cannot be found: ${projectArn(ctx, name)}`, { statusCode: 400 });
      if (p.cache) await invalidateCache(p.cache, { aws, scope: { accountId: ctx.accountId, region: ctx.region }, project: name, localRoot: cacheRoot });
      return {};
    },
  };
}
