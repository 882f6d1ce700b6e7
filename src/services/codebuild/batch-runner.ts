import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { PhaseContext } from '../../aws/models/generated/codebuild.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import { parseBatch } from './batchspec.js';
import type { BuildsDeps } from './builds-api.js';
import { createBuild, type BuildSettings } from './build-start.js';
import { BuildspecError } from './buildspec.js';
import { fetchSource } from './sources.js';
import type { BatchGroupRecord, BatchPhaseType, BatchRecord, BuildRecord, Status } from './store.js';

export interface BatchDeps extends BuildsDeps {
  aws: AwsClient;
  log: Logger;
  endpoint(): string;
  /** Host directory for the batch's look at its source (to read the buildspec). */
  scratch: string;
}

const ok: PhaseContext = { statusCode: '', message: '' };

/**
 * Runs build batches: reads the `batch:` section of the buildspec (DOWNLOAD_BATCHSPEC), starts
 * each build of the list, matrix or graph as ordinary builds (a graph's builds once their
 * dependencies succeeded), follows them as they finish, stops the rest on a failure with
 * `fast-fail`, and ends the batch SUCCEEDED, FAILED or STOPPED. Everything is in the store, so a
 * restart picks up where the batch was.
 */
export class BatchRunner {
  /** One advance at a time per batch: builds finishing together must not start a group twice. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly d: BatchDeps) {}

  /** Reads the batchspec and starts the first builds, in the background. */
  begin(scope: Scope, id: string): void {
    this.serial(scope, id, () => this.download(scope, id));
  }

  /** A build ended: the batch may start more builds, or end. */
  async buildFinished(scope: Scope, b: BuildRecord): Promise<void> {
    if (!b.buildBatchArn) return;
    const id = b.buildBatchArn.split('build-batch/')[1];
    await this.serial(scope, id, () => this.advance(scope, id));
  }

  /** After a restart: batches in progress carry on. */
  resume(): void {
    for (const { scope, id, value } of this.d.store.batches.all()) if (!value.complete) this.serial(scope, id, () => (value.currentPhase === 'IN_PROGRESS' ? this.advance(scope, id) : this.download(scope, id)));
  }

  /** StopBuildBatch: stops its running builds; the batch ends STOPPED. */
  async stop(scope: Scope, id: string): Promise<void> {
    const b = this.d.store.updateBatch(scope, id, (r) => (r.stopped = true));
    if (!b || b.complete) return;
    await Promise.all(this.running(scope, b).map((g) => this.d.engine.stop(scope, g.current!)));
    await this.serial(scope, id, () => this.advance(scope, id));
  }

  /** RetryBuildBatch: the failed builds (or all) run again; the batch is IN_PROGRESS again. */
  async retry(scope: Scope, id: string, all: boolean): Promise<void> {
    const now = this.d.clock.now();
    this.d.store.updateBatch(scope, id, (r) => {
      for (const g of r.groups) {
        const status = g.current ? this.d.store.builds.get(scope, g.current)?.buildStatus : undefined;
        if (!g.current || (!all && status === 'SUCCEEDED')) continue;
        g.prior.push(g.current);
        delete g.current;
      }
      Object.assign(r, { complete: false, status: 'IN_PROGRESS', stopped: false, endTime: undefined, currentPhase: 'IN_PROGRESS' });
      r.phases.push({ phaseType: 'IN_PROGRESS', startTime: now });
    });
    await this.serial(scope, id, () => this.advance(scope, id));
  }

  private serial(scope: Scope, id: string, step: () => Promise<void>): Promise<void> {
    const key = `${scope.accountId}/${scope.region}/${id}`;
    const next = (this.chains.get(key) ?? Promise.resolve()).then(step).catch((e: unknown) => this.d.log.error('build batch step failed', { batch: id, error: errorMessage(e) }));
    this.chains.set(key, next);
    return next;
  }

  private phase(scope: Scope, id: string, type: BatchPhaseType, status?: Status, context: PhaseContext = ok): BatchRecord {
    const now = this.d.clock.now();
    return this.d.store.updateBatch(scope, id, (r) => {
      const open = r.phases[r.phases.length - 1];
      if (open && !open.endTime) Object.assign(open, { endTime: now, phaseStatus: status ?? 'SUCCEEDED', contexts: [context] });
      r.phases.push({ phaseType: type, startTime: now });
      r.currentPhase = type;
    })!;
  }

  private async download(scope: Scope, id: string): Promise<void> {
    const b = this.phase(scope, id, 'DOWNLOAD_BATCHSPEC');
    try {
      const plan = parseBatch(await this.batchspec(scope, b), b.batchConfig?.combineArtifacts === true);
      const max = b.batchConfig?.restrictions?.maximumBuildsAllowed;
      if (max && plan.groups.length > max) throw new BuildspecError(`The batch has ${plan.groups.length} builds; the project allows at most ${max} (buildBatchConfig.restrictions.maximumBuildsAllowed)`);
      this.d.store.updateBatch(scope, id, (r) => Object.assign(r, { fastFail: plan.fastFail, combineArtifacts: plan.combineArtifacts, groups: plan.groups.map((g) => ({ ...g, prior: [] })) }));
    } catch (e) {
      const context = { statusCode: e instanceof BuildspecError ? 'YAML_FILE_ERROR' : 'CLIENT_ERROR', message: errorMessage(e) };
      return this.end(scope, id, 'FAILED', context);
    }
    this.phase(scope, id, 'IN_PROGRESS');
    await this.advance(scope, id);
  }

  /** The buildspec's text: inline, or a file of the source (fetched into a scratch directory). */
  private async batchspec(scope: Scope, b: BatchRecord): Promise<string> {
    const ref = b.settings.source.buildspec?.trim();
    if (ref && (ref.includes('\n') || /^version\s*:/.test(ref))) return ref;
    if (b.settings.source.type === 'NO_SOURCE') throw new BuildspecError('A NO_SOURCE project needs an inline buildspec');
    mkdirSync(this.d.scratch, { recursive: true });
    const dir = mkdtempSync(join(this.d.scratch, 'batch-'));
    try {
      const ctx = { aws: this.d.aws, scope, endpoint: this.d.endpoint(), signal: new AbortController().signal };
      await fetchSource(b.settings.source, b.settings.sourceVersion, dir, ctx);
      const rel = ref || 'buildspec.yml';
      if (rel.split('/').includes('..')) throw new BuildspecError(`Invalid buildspec path ${rel}`);
      try {
        return readFileSync(join(dir, rel), 'utf8');
      } catch {
        throw new BuildspecError(`stat ${rel}: no such file or directory`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private running(scope: Scope, b: BatchRecord): BatchGroupRecord[] {
    return b.groups.filter((g) => g.current && !this.d.store.builds.get(scope, g.current)?.buildComplete);
  }

  private statusOf(scope: Scope, g: BatchGroupRecord): Status | undefined {
    return g.current ? this.d.store.builds.get(scope, g.current)?.buildStatus : undefined;
  }

  /** Starts the builds that can start, stops the rest after a fast-fail, and ends the batch when nothing is left. */
  private async advance(scope: Scope, id: string): Promise<void> {
    const b = this.d.store.batches.get(scope, id);
    if (!b || b.complete || b.currentPhase !== 'IN_PROGRESS') return;
    const failed = (g: BatchGroupRecord) => !g.ignoreFailure && ['FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'].includes(this.statusOf(scope, g) ?? '');
    const halted = b.stopped || (b.fastFail && b.groups.some(failed));
    // Not awaited: a stopped build's end comes back here through buildFinished, after this step.
    if (halted) for (const g of this.running(scope, b)) void this.d.engine.stop(scope, g.current!);
    else {
      for (const g of b.groups.filter((x) => !x.current)) {
        const deps = g.dependsOn.map((dep) => b.groups.find((x) => x.identifier === dep)!);
        if (deps.every((x) => this.statusOf(scope, x) === 'SUCCEEDED')) this.startGroup(scope, b, g);
      }
    }
    const fresh = this.d.store.batches.get(scope, id)!;
    if (this.running(scope, fresh).length > 0) return;
    // Nothing runs: groups not started now never will (a dependency failed, or the batch halted).
    const status: Status = fresh.stopped ? 'STOPPED' : fresh.groups.some((g) => failed(g) || (!g.current && !g.ignoreFailure)) ? 'FAILED' : 'SUCCEEDED';
    if (fresh.combineArtifacts && status === 'SUCCEEDED') this.phase(scope, id, 'COMBINE_ARTIFACTS');
    return this.end(scope, id, status, status === 'FAILED' ? { statusCode: 'BUILD_BATCH_FAILED', message: 'One or more builds in the batch failed' } : ok);
  }

  private startGroup(scope: Scope, b: BatchRecord, g: BatchGroupRecord): void {
    const s: BuildSettings = structuredClone(b.settings);
    if (g.buildspec) s.source.buildspec = g.buildspec;
    if (g.env.image) s.environment.image = g.env.image;
    if (g.env.computeType) s.environment.computeType = g.env.computeType as typeof s.environment.computeType;
    if (g.env.type) s.environment.type = g.env.type as typeof s.environment.type;
    if (g.env.privilegedMode !== undefined) s.environment.privilegedMode = g.env.privilegedMode;
    const vars = Object.entries({ ...g.env.variables, CODEBUILD_BATCH_BUILD_IDENTIFIER: g.identifier }).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' as const }));
    s.envOverride = [...s.envOverride.filter((v) => !(v.name in g.env.variables)), ...vars];
    // Each build's artifacts go under its identifier, so the builds of a batch never overwrite each other.
    if (s.artifacts.type === 'S3') s.artifacts = { ...s.artifacts, name: `${s.artifacts.name || b.projectName}/${g.identifier}` };
    delete s.idempotencyToken;
    const p = this.d.store.projects.get(scope, b.projectName);
    if (!p) return;
    const build = createBuild(this.d, scope, b.principal, p, { ...s, buildBatchArn: b.arn }, b.initiator);
    this.d.store.updateBatch(scope, b.id, (r) => (r.groups.find((x) => x.identifier === g.identifier)!.current = build.id));
  }

  private async end(scope: Scope, id: string, status: Status, context: PhaseContext): Promise<void> {
    this.phase(scope, id, status === 'SUCCEEDED' ? 'SUCCEEDED' : status === 'STOPPED' ? 'STOPPED' : 'FAILED', status, context);
    const now = this.d.clock.now();
    this.d.store.updateBatch(scope, id, (r) => {
      const last = r.phases[r.phases.length - 1];
      Object.assign(last, { endTime: now, phaseStatus: status, contexts: [context] });
      Object.assign(r, { status, complete: true, endTime: now });
    });
    await Promise.resolve();
  }
}
