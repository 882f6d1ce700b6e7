import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudwatchOperations, MetricDatum } from '../../aws/models/generated/cloudwatch.js';
import type { InputLogEvent } from '../../aws/models/generated/logs.js';
import type { Timer } from '../../core/clock.js';
import { ServiceError, errorMessage } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { LambdaPool } from '../../runtime/lambda-pool.js';
import type { InvocationOutcome } from '../../runtime/lambda-worker.js';
import type { ServiceDeps } from '../service.js';
import { unpackPackage } from './code.js';
import { deadLetter } from './dead-letter.js';
import { runtimeFamily } from './config.js';
import { checkRuntime, environmentSpec, logStreamName, writeBootstraps } from './environment.js';
import { LogWriter, outputEvents } from './log-writer.js';
import { LambdaMetrics } from './metrics.js';
import type { LambdaStore, VersionRecord } from './store.js';

/** One invocation's target: the version that runs and how the caller named it. */
export interface InvokeTarget {
  scope: Scope;
  version: VersionRecord;
  invokedArn: string;
  /** `name:alias` or `name:version` for the Resource metric dimension. */
  resource?: string;
  /** Invoked through an alias: metrics also carry the ExecutedVersion dimension. */
  viaAlias?: boolean;
  /** The function's reserved concurrency: invocations beyond it are throttled. */
  reserved?: number;
}

export interface InvokeResult {
  payload: Buffer;
  functionError?: 'Unhandled';
  /** The invocation's log, START to REPORT, as written to CloudWatch Logs. */
  log: string;
}

export interface AsyncJob {
  scope: Scope;
  functionName: string;
  version: string;
  invokedArn: string;
  resource?: string;
  viaAlias?: boolean;
  payload: string;
  requestId: string;
}

interface LogJob {
  scope: Scope;
  group: string;
  stream: string;
  events: InputLogEvent[];
}

interface MetricsJob {
  scope: Scope;
  data: (Omit<MetricDatum, 'Timestamp'> & { Timestamp: number })[];
}

const MINUTE = 60_000;
/** How long an idle execution environment stays warm. */
const IDLE_LIFETIME = 10 * MINUTE;

/**
 * Runs invocations: unpacks the version's code once, hands the invocation to a warm
 * execution environment, writes its log to CloudWatch Logs and counts its AWS/Lambda
 * metrics. `Event` invocations are durable jobs, retried twice on a function error as AWS does.
 */
export class LambdaEngine {
  readonly pool: LambdaPool;
  private readonly logs: LogWriter;
  private readonly metrics = new LambdaMetrics();
  private readonly unpacked = new Map<string, Promise<string>>();
  private readonly inflight = new Map<string, number>();
  private bootstraps: { node: string; python: string } | undefined;
  private flushTimer: Timer | undefined;
  private running = false;
  readonly enqueueAsync: (job: AsyncJob) => void;
  private readonly enqueueMetrics: (job: MetricsJob) => void;
  private readonly enqueueLog: (job: LogJob) => void;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: LambdaStore,
  ) {
    this.pool = new LambdaPool(deps.clock);
    this.logs = new LogWriter(deps.aws, deps.log);
    this.enqueueAsync = deps.jobs.define<AsyncJob>('lambda.async-invoke', (job) => this.runAsync(job), {
      maxAttempts: 3,
      backoffMs: (attempt) => attempt * MINUTE,
      onExhausted: (job, e) => this.exhausted(job, e),
    });
    this.enqueueMetrics = deps.jobs.define<MetricsJob>('lambda.metrics', (job) => this.putMetrics(job), { maxAttempts: 5 });
    // One at a time, so a stream's events arrive in order; as a job, the answer does not wait for it.
    this.enqueueLog = deps.jobs.define<LogJob>('lambda.logs', (job) => this.logs.write(job.scope, job.group, job.stream, job.events), { concurrency: 1, maxAttempts: 3 });
  }

  start(): void {
    this.running = true;
    this.scheduleFlush();
  }

  stop(): void {
    this.running = false;
    this.flushTimer?.cancel();
    this.flush();
    this.pool.stop();
  }

  reset(): void {
    this.pool.stop();
    // The service's directory was emptied: the runtime clients are written again on next use.
    this.bootstraps = undefined;
    this.inflight.clear();
    this.unpacked.clear();
    this.logs.reset();
    rmSync(join(this.deps.dataDir, 'code'), { recursive: true, force: true });
  }

  /** Removes a deleted package's unpacked tree. */
  forget(blob: string): void {
    this.unpacked.delete(blob);
    rmSync(join(this.deps.dataDir, 'code', blob), { recursive: true, force: true });
  }

  /** Ends warm environments of a function (all versions) or of one version. */
  retire(scope: Scope, name: string, version?: string): void {
    this.pool.retire(`${scope.accountId}|${scope.region}|${name}|${version ? `${version}|` : ''}`);
  }

  async invoke(target: InvokeTarget, payload: Buffer, requestId: string, clientContext?: string): Promise<InvokeResult> {
    const { scope, version } = target;
    const config = version.config;
    checkRuntime(config);
    const fnKey = `${scope.accountId}|${scope.region}|${config.FunctionName}`;
    const running = this.inflight.get(fnKey) ?? 0;
    if (target.reserved !== undefined && running >= target.reserved) {
      this.metrics.record({ scope, functionName: config.FunctionName!, resource: target.resource, throttled: true });
      throw new ServiceError('TooManyRequestsException', 'Rate Exceeded.', { fields: { Type: 'User', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' } });
    }
    this.inflight.set(fnKey, running + 1);
    try {
      return await this.run(target, payload, requestId, clientContext);
    } finally {
      const left = (this.inflight.get(fnKey) ?? 1) - 1;
      if (left > 0) this.inflight.set(fnKey, left);
      else this.inflight.delete(fnKey);
    }
  }

  private async run(target: InvokeTarget, payload: Buffer, requestId: string, clientContext?: string): Promise<InvokeResult> {
    const { scope, version } = target;
    const config = version.config;
    const codeDir = await this.codeDir(version.codeBlob);
    this.bootstraps ??= writeBootstraps(join(this.deps.dataDir, 'runtime'));
    const bootstraps = this.bootstraps;
    const key = `${scope.accountId}|${scope.region}|${config.FunctionName}|${config.Version}|${config.RevisionId}`;
    const timeoutMs = (config.Timeout ?? 3) * 1000;
    const startedAt = this.deps.clock.now();
    const outcome =
      missingBootstrap(config.Runtime, codeDir, requestId) ??
      (await this.pool.invoke(
        key,
        () => environmentSpec(this.deps, scope, config, codeDir, bootstraps),
        // The timeout is the code's real running time, so the deadline is on the function's own (wall) clock.
        { requestId, payload, invokedArn: target.invokedArn, deadlineMs: Date.now() + timeoutMs, clientContext },
        timeoutMs,
      ));
    const failed = outcome.status !== 'ok';
    const log = this.writeLog(target, requestId, outcome, startedAt);
    this.metrics.record({ scope, functionName: config.FunctionName!, resource: target.resource, executedVersion: target.viaAlias ? config.Version : undefined, durationMs: outcome.durationMs, error: failed });
    return { payload: failed ? errorPayload(outcome, requestId, config.Timeout ?? 3) : outcome.payload, functionError: failed ? 'Unhandled' : undefined, log };
  }

  private codeDir(blob: string): Promise<string> {
    let p = this.unpacked.get(blob);
    if (!p) {
      const dir = join(this.deps.dataDir, 'code', blob);
      p = unpackPackage(readFileSync(this.deps.blobs.path(blob)), dir).then(() => dir);
      p.catch(() => this.unpacked.delete(blob));
      this.unpacked.set(blob, p);
    }
    return p;
  }

  /** Queues the invocation's log for CloudWatch Logs (a durable job) and returns its text for `LogType: Tail`. */
  private writeLog(target: InvokeTarget, requestId: string, o: InvocationOutcome, startedAt: number): string {
    const config = target.version.config;
    const now = this.deps.clock.now();
    const lines = [`START RequestId: ${requestId} Version: ${config.Version}`];
    const events = [{ timestamp: startedAt, message: lines[0]! }, ...outputEvents(o.output, now)];
    if (o.status === 'timeout') events.push({ timestamp: now, message: `${new Date(now).toISOString()} ${requestId} Task timed out after ${(config.Timeout ?? 3).toFixed(2)} seconds` });
    const billed = Math.max(1, Math.ceil(o.durationMs));
    const report = [
      `REPORT RequestId: ${requestId}`,
      `Duration: ${o.durationMs.toFixed(2)} ms`,
      `Billed Duration: ${billed} ms`,
      `Memory Size: ${config.MemorySize ?? 128} MB`,
      ...(o.maxMemoryMb ? [`Max Memory Used: ${o.maxMemoryMb} MB`] : []),
      ...(o.initDurationMs ? [`Init Duration: ${o.initDurationMs.toFixed(2)} ms`] : []),
    ].join('\t');
    events.push({ timestamp: now, message: `END RequestId: ${requestId}` }, { timestamp: now, message: `${report}\t` });
    const group = config.LoggingConfig?.LogGroup ?? `/aws/lambda/${config.FunctionName}`;
    this.enqueueLog({ scope: target.scope, group, stream: logStreamName(now, config.Version ?? '$LATEST', o.environmentId), events });
    return events.map((e) => e.message).join('\n') + '\n';
  }

  private async runAsync(job: AsyncJob): Promise<void> {
    const id = job.version === '$LATEST' ? undefined : `${job.functionName}/${job.version}`;
    const version = id ? this.store.versions.get(job.scope, id) : this.store.functions.get(job.scope, job.functionName)?.latest;
    if (!version) {
      this.deps.log.warn('asynchronous invocation dropped: the function version no longer exists', { function: job.functionName, version: job.version });
      return;
    }
    const reserved = this.store.functions.get(job.scope, job.functionName)?.reservedConcurrency;
    const target = { scope: job.scope, version, invokedArn: job.invokedArn, resource: job.resource, viaAlias: job.viaAlias, reserved };
    const result = await this.invoke(target, Buffer.from(job.payload, 'base64'), job.requestId);
    if (result.functionError) throw new Error(functionErrorMessage(result.payload));
  }

  /** An asynchronous invocation failed all its attempts: it goes to the function's dead-letter target, if it has one. */
  private async exhausted(job: AsyncJob, e: unknown): Promise<void> {
    const id = job.version === '$LATEST' ? undefined : `${job.functionName}/${job.version}`;
    const version = id ? this.store.versions.get(job.scope, id) : this.store.functions.get(job.scope, job.functionName)?.latest;
    const targetArn = version?.config.DeadLetterConfig?.TargetArn;
    this.deps.log.warn('asynchronous invocation failed after its retries', { function: job.functionName, requestId: job.requestId, error: errorMessage(e), deadLetter: targetArn });
    if (!targetArn) return;
    try {
      await deadLetter(this.deps.aws, { targetArn, payload: Buffer.from(job.payload, 'base64'), requestId: job.requestId, errorMessage: errorMessage(e) });
    } catch (err) {
      this.deps.log.warn('sending to the dead-letter target failed', { function: job.functionName, target: targetArn, error: errorMessage(err) });
    }
  }

  private scheduleFlush(): void {
    if (!this.running) return;
    const now = this.deps.clock.now();
    this.flushTimer = this.deps.clock.setTimer(MINUTE - (now % MINUTE) || MINUTE, () => {
      this.flush();
      this.pool.reap(IDLE_LIFETIME);
      this.scheduleFlush();
    });
  }

  /** Hands the minute's metrics to CloudWatch as durable jobs. */
  flush(): void {
    // Stamped with the start of the minute the invocations ran in, as AWS's one-minute data is.
    const minute = Math.floor((this.deps.clock.now() - 1) / MINUTE) * MINUTE;
    for (const { scope, data } of this.metrics.drain(minute)) {
      for (let i = 0; i < data.length; i += 500) {
        this.enqueueMetrics({ scope, data: data.slice(i, i + 500).map((d) => ({ ...d, Timestamp: (d.Timestamp as Date).getTime() })) });
      }
    }
  }

  private async putMetrics(job: MetricsJob): Promise<void> {
    await this.deps.aws.service<CloudwatchOperations>('cloudwatch', job.scope).PutMetricData({
      Namespace: 'AWS/Lambda',
      MetricData: job.data.map((d) => ({ ...d, Timestamp: new Date(d.Timestamp) })),
    });
  }
}

/** A `provided` package without its `bootstrap` fails as AWS's does, without starting anything. */
function missingBootstrap(runtime: string | undefined, codeDir: string, requestId: string): InvocationOutcome | undefined {
  if (runtimeFamily(runtime) !== 'provided' || existsSync(join(codeDir, 'bootstrap'))) return undefined;
  const message = `RequestId: ${requestId} Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]`;
  return {
    status: 'init-error',
    payload: Buffer.from(JSON.stringify({ errorType: 'Runtime.InvalidEntrypoint', errorMessage: message })),
    output: `${message}\nRuntime.InvalidEntrypoint\n`,
    durationMs: 0,
    environmentId: randomBytes(16).toString('hex'),
  };
}

/** What the caller gets back when the function did not return normally. */
function errorPayload(o: InvocationOutcome, requestId: string, timeoutSeconds: number): Buffer {
  if (o.status === 'timeout') {
    return Buffer.from(JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` }));
  }
  return o.payload.length ? o.payload : Buffer.from(JSON.stringify({ errorType: 'Runtime.Unknown', errorMessage: `RequestId: ${requestId} Error: Runtime failed without a reason` }));
}

/** The `errorMessage` of a function's error document, or the document itself. */
function functionErrorMessage(payload: Buffer): string {
  const text = payload.toString('utf8');
  try {
    const doc = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof doc.errorMessage === 'string') return doc.errorMessage;
  } catch {
    // Not JSON: the text says what happened.
  }
  return text.slice(0, 500);
}
