import type { ServiceDefinition } from '../service.js';
import { virtualHostRewrite } from './addressing.js';
import { bucketConfigOperations } from './bucket-config.js';
import { bucketOperations } from './buckets.js';
import type { S3Deps } from './common.js';
import { copyOperations } from './copy.js';
import { S3Events } from './events.js';
import { listOperations } from './list-ops.js';
import { multipartOperations } from './multipart.js';
import { objectOperations } from './objects.js';
import { S3Store } from './store.js';
import { UploadStore } from './upload-store.js';

/** S3: buckets, objects (bytes in blob files, metadata in SQLite), versions, multipart uploads, configuration and notifications (SQS, SNS, EventBridge). */
export const s3: ServiceDefinition = {
  name: 's3',
  create(deps) {
    const store = new S3Store(deps.db);
    const s3deps: S3Deps = {
      store,
      uploads: new UploadStore(deps.db),
      blobs: deps.blobs,
      clock: deps.clock,
      log: deps.log,
      events: new S3Events(deps.jobs, deps.aws, deps.log, deps.clock),
      endpoint: deps.endpoint,
    };
    return {
      provider: {
        ...bucketOperations(s3deps),
        ...bucketConfigOperations(s3deps),
        ...objectOperations(s3deps),
        ...copyOperations(s3deps),
        ...listOperations(s3deps),
        ...multipartOperations(s3deps),
      },
      rewrites: [virtualHostRewrite],
      reset: () => store.clearCache(),
    };
  },
};
