import type { Clock } from '../core/clock.js';
import type { SlipwayConfig } from '../core/config.js';
import type { EventBus } from '../core/event-bus.js';
import type { Logger } from '../core/logger.js';
import type { AwsClient } from '../aws/gateway/aws-client.js';
import type { Provider } from '../aws/gateway/dispatcher.js';
import type { HttpRoute, RequestRewrite } from '../aws/gateway/pipeline.js';
import type { BlobStore } from '../state/blobs.js';
import type { CredentialStore } from '../state/credentials.js';
import type { Database } from '../state/database.js';
import type { JobQueue } from '../state/job-queue.js';

/** What every service is built from. */
export interface ServiceDeps {
  db: Database;
  blobs: BlobStore;
  credentials: CredentialStore;
  /** Durable background work with retries (event delivery, engines' steps); started after listen. */
  jobs: JobQueue;
  /** A directory of the service's own under the data dir (git repositories, workspaces). */
  dataDir: string;
  clock: Clock;
  aws: AwsClient;
  bus: EventBus;
  log: Logger;
  config: SlipwayConfig;
  /** The base URL clients reach Slipway at, e.g. http://localhost:4566. */
  endpoint(): string;
}

/** A running service: its provider, plus optional HTTP routes and engine lifecycle. */
export interface ServiceInstance {
  provider: Provider;
  routes?: HttpRoute[];
  rewrites?: RequestRewrite[];
  /** Resumes engines (interrupted builds, pending deliveries) once the server listens. */
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  /** Drops in-memory state after POST /_slipway/reset wiped the stores. */
  reset?(): Promise<void> | void;
}

export interface ServiceDefinition {
  /** The service's model name (botocore's), e.g. `iam`, `logs`, `elbv2`. */
  name: string;
  create(deps: ServiceDeps): ServiceInstance;
}
