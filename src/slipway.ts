import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { AwsClient } from './aws/gateway/aws-client.js';
import { Dispatcher } from './aws/gateway/dispatcher.js';
import { Gateway } from './aws/gateway/pipeline.js';
import { SystemClock, type Clock } from './core/clock.js';
import { DEFAULTS, type SlipwayConfig } from './core/config.js';
import { EventBus } from './core/event-bus.js';
import { createLogger, type Logger } from './core/logger.js';
import { internalRoutes } from './internal-routes.js';
import { SERVICES } from './services/registry.js';
import type { ServiceDefinition, ServiceInstance } from './services/service.js';
import { BlobStore } from './state/blobs.js';
import { CredentialStore } from './state/credentials.js';
import { Database } from './state/database.js';
import { JobQueue } from './state/job-queue.js';

export interface SlipwayOptions extends Partial<SlipwayConfig> {
  clock?: Clock;
  log?: Logger;
  services?: readonly ServiceDefinition[];
}

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A running Slipway: the HTTP server, the services and the state they share. */
export class Slipway {
  readonly config: SlipwayConfig;
  readonly aws: AwsClient;
  readonly log: Logger;
  private readonly server: Server;
  private readonly dispatcher: Dispatcher;
  private readonly jobs: JobQueue;
  private readonly instances = new Map<string, ServiceInstance>();
  private readonly startedAt = Date.now();
  private address: AddressInfo | undefined;

  private constructor(
    options: SlipwayOptions,
    private readonly db: Database,
    private readonly blobs: BlobStore,
  ) {
    this.config = { ...DEFAULTS, ...withoutUndefined(options), dataDir: resolve(options.dataDir ?? DEFAULTS.dataDir) };
    this.log = options.log ?? createLogger(this.config.logLevel);
    const clock = options.clock ?? new SystemClock(this.config.timeScale);
    const credentials = new CredentialStore(db);
    const dispatcher = (this.dispatcher = new Dispatcher());
    this.aws = new AwsClient(dispatcher, () => `localhost:${this.port}`);
    const bus = new EventBus(this.log);
    this.jobs = new JobQueue(db, clock, this.log.child('jobs'));
    const gateway = new Gateway({
      dispatcher,
      credentials: (key) => credentials.get(key),
      log: this.log.child('gateway'),
      defaultRegion: this.config.defaultRegion,
      maxBodyBytes: this.config.maxBodyBytes,
    });
    for (const def of options.services ?? SERVICES) {
      const dataDir = join(this.config.dataDir, 'services', def.name);
      mkdirSync(dataDir, { recursive: true });
      const instance = def.create({
        db, blobs, credentials, jobs: this.jobs, dataDir, clock, aws: this.aws, bus, log: this.log.child(def.name), config: this.config,
        endpoint: () => this.url,
      });
      dispatcher.register(def.name, instance.provider);
      for (const route of instance.routes ?? []) gateway.addRoute(route);
      for (const rewrite of instance.rewrites ?? []) gateway.addRewrite(rewrite);
      this.instances.set(def.name, instance);
    }
    // Last, so services' own /_slipway/<service>/ routes win over the catch-all 404.
    for (const route of internalRoutes(this)) gateway.addRoute(route);
    this.server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 }, gateway.handle);
  }

  static async start(options: SlipwayOptions = {}): Promise<Slipway> {
    const dataDir = resolve(options.dataDir ?? DEFAULTS.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, 'slipway.db'));
    const slipway = new Slipway({ ...options, dataDir }, db, new BlobStore(join(dataDir, 'blobs')));
    await slipway.listen();
    for (const instance of slipway.instances.values()) await instance.start?.();
    slipway.jobs.start();
    return slipway;
  }

  private listen(): Promise<void> {
    return new Promise((resolveListen, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        this.address = this.server.address() as AddressInfo;
        resolveListen();
      });
    });
  }

  get port(): number {
    return this.address?.port ?? this.config.port;
  }

  get url(): string {
    const host = this.config.host === '0.0.0.0' || this.config.host === '127.0.0.1' ? 'localhost' : this.config.host;
    return `http://${host}:${this.port}`;
  }

  health(): { status: string; version: string; uptimeSeconds: number; services: Record<string, string> } {
    return {
      status: 'running',
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      services: Object.fromEntries([...this.instances.keys()].sort().map((s) => [s, 'running'])),
    };
  }

  /** The operations each running service implements. */
  implementedOperations(): Record<string, string[]> {
    return Object.fromEntries(this.dispatcher.services().map((s) => [s, this.dispatcher.implemented(s)]));
  }

  /** Wipes all state: engines stop, tables and files empty, engines start again. */
  async reset(): Promise<void> {
    await this.jobs.stop();
    for (const instance of this.instances.values()) await instance.stop?.();
    this.db.wipe();
    this.blobs.wipe();
    for (const name of this.instances.keys()) {
      const dir = join(this.config.dataDir, 'services', name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
    }
    for (const instance of this.instances.values()) await instance.reset?.();
    for (const instance of this.instances.values()) await instance.start?.();
    this.jobs.start();
  }

  /** Resolves once no background job is running (tests wait for deliveries with this). */
  settled(): Promise<void> {
    return this.jobs.idle();
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    await closed;
    await this.jobs.stop();
    for (const instance of this.instances.values()) await instance.stop?.();
    this.db.close();
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
