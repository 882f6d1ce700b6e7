import type { PhaseContext } from '../../aws/models/generated/codebuild.js';
import { errorMessage } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import { BuildLog } from './build-log.js';
import { interruptedStatus, interruption, type BuildRun, type RunnerDeps } from './build-context.js';
import { captureExported, saveBuildCache, uploadArtifacts, writeReports } from './build-output.js';
import { PhaseTracker } from './build-phases.js';
import { chooseBackend } from './backend.js';
import { downloadSource, prepareShell } from './build-setup.js';
import { VariableError } from './build-env.js';
import { BuildspecError, type PhaseKey } from './buildspec.js';
import { runPhase } from './phase-exec.js';
import { s3LogObject, writeS3Log } from './s3-logs.js';
import { phaseIdentity } from './run-as.js';
import { SourceError } from './sources.js';
import type { BuildRecord, PhaseType, Status } from './store.js';
import { Workspace } from './workspace.js';

const BUILD_PHASES: [PhaseType, PhaseKey][] = [
  ['INSTALL', 'install'],
  ['PRE_BUILD', 'pre_build'],
  ['BUILD', 'build'],
  ['POST_BUILD', 'post_build'],
];

function interruptContext(run: BuildRun): PhaseContext {
  const i = interruption(run.signal)!;
  const b = run.tracker.build;
  if (i === 'TIMED_OUT') return { statusCode: 'BUILD_TIMED_OUT', message: `Build has timed out. ${b.timeoutInMinutes * 60} secs` };
  if (i === 'STOPPED') return { statusCode: 'BUILD_STOPPED', message: 'Build was stopped' };
  return { statusCode: 'BUILD_INTERRUPTED', message: 'Slipway stopped while this build was running; the build was not resumed' };
}

/** DOWNLOAD_SOURCE's failure context for what went wrong. */
function downloadFailure(e: unknown): PhaseContext {
  if (e instanceof BuildspecError) return { statusCode: 'YAML_FILE_ERROR', message: e.message };
  if (e instanceof SourceError) return { statusCode: 'CLIENT_ERROR', message: e.message };
  if (e instanceof VariableError) return { statusCode: e.statusCode, message: e.message };
  throw e;
}

/** Runs INSTALL to POST_BUILD with AWS's transitions; false when the build goes straight to FINALIZING. */
async function buildPhases(run: BuildRun): Promise<boolean> {
  let ranBuild = false;
  for (const [type, key] of BUILD_PHASES) {
    // After BUILD ran (even failing), POST_BUILD still runs; earlier failures skip to FINALIZING.
    if (!run.succeeding && !(type === 'POST_BUILD' && ranBuild) && !continued(run)) return false;
    run.tracker.start(type);
    const spec = run.spec!.phases[key];
    if (type === 'INSTALL' && spec?.runtimeVersions) run.log.agent('Skipping install of runtimes. Runtime version selection is not supported by this build image.');
    const who = spec ? await phaseIdentity(run, key) : {};
    const outcome = who.failure ? { failure: who.failure, interrupted: false } : await runPhase({ name: type, spec, shell: run.shell!, log: run.log, signal: run.signal, succeeding: run.succeeding, user: who.user });
    if (outcome.interrupted) {
      run.tracker.end(interruptedStatus(interruption(run.signal)!), interruptContext(run));
      return false;
    }
    run.tracker.end(outcome.failure ? 'FAILED' : 'SUCCEEDED', outcome.failure);
    if (type === 'BUILD') ranBuild = true;
    if (outcome.failure) {
      run.succeeding = false;
      run.continued = spec?.onFailure?.mode === 'CONTINUE';
      if (spec?.onFailure?.mode === 'ABORT') return false;
    }
  }
  return true;
}

function continued(run: BuildRun): boolean {
  return run.continued === true;
}

async function phase(run: BuildRun, type: PhaseType, body: () => Promise<PhaseContext | undefined>): Promise<boolean> {
  run.tracker.start(type);
  let failure: PhaseContext | undefined;
  try {
    failure = await body();
  } catch (e) {
    failure = { statusCode: 'CLIENT_ERROR', message: errorMessage(e) };
  }
  if (interruption(run.signal)) {
    run.tracker.end(interruptedStatus(interruption(run.signal)!), interruptContext(run));
    return false;
  }
  run.tracker.end(failure ? 'FAILED' : 'SUCCEEDED', failure);
  if (failure) run.succeeding = false;
  return !failure;
}

/** Every phase of one build, from the end of QUEUED to COMPLETED. */
export async function runBuild(d: RunnerDeps, scope: Scope, id: string, signal: AbortSignal): Promise<BuildRecord> {
  const first = d.store.builds.get(scope, id)!;
  const cw = first.logsConfig.cloudWatchLogs;
  const enabled = (cw?.status ?? 'ENABLED') === 'ENABLED';
  const target = enabled ? { group: cw?.groupName ?? `/aws/codebuild/${first.projectName}`, stream: cw?.streamName ? `${cw.streamName}/${first.uuid}` : first.uuid } : undefined;
  const log = new BuildLog(d.aws, scope, target, d.clock, d.log);
  if (s3LogObject(first.logsConfig, first.uuid)) log.keepLines();
  const tracker = new PhaseTracker(d.store, scope, id, d.clock, log, d.notify);
  const backend = await chooseBackend(d, first);
  const ws = new Workspace(d.workspaces, first.uuid, backend.sandbox);
  const run: BuildRun = { d, scope, id, tracker, log, ws, signal, backend, srcDir: '', srcHost: '', secondary: {}, env: {}, succeeding: true };
  tracker.end('SUCCEEDED', undefined, true);
  try {
    try {
      await execute(run);
    } catch (e) {
      run.fault = errorMessage(e);
      d.log.error('build failed unexpectedly', { build: id, error: run.fault });
    }
    return await finish(run);
  } finally {
    // The outcome is final once the commands ended: the sandbox's teardown and the workspace's
    // removal happen after it is reported, before the engine hands the slot to the next build.
    await run.shell?.close().catch(() => undefined);
    ws.remove();
  }
}

async function execute(run: BuildRun): Promise<void> {
  run.tracker.update((b) => (b.started = true));
  run.tracker.start('PROVISIONING');
  for (const line of run.backend.lines) run.log.agent(line);
  run.ws.create();
  prepareShell(run);
  run.tracker.end('SUCCEEDED', undefined, true);
  if (interruption(run.signal)) return;
  run.log.agent(`Waiting for DOWNLOAD_SOURCE`);
  const downloaded = await phase(run, 'DOWNLOAD_SOURCE', async () => {
    try {
      await downloadSource(run);
      return undefined;
    } catch (e) {
      return downloadFailure(e);
    }
  });
  if (!downloaded) return;
  const reachedUpload = await buildPhases(run);
  if (interruption(run.signal)) return;
  await captureExported(run);
  if (!reachedUpload) return;
  await phase(run, 'UPLOAD_ARTIFACTS', async () => {
    writeReports(run);
    const failure = await uploadArtifacts(run);
    await saveBuildCache(run);
    return failure;
  });
}

async function finish(run: BuildRun): Promise<BuildRecord> {
  const stopped = interruption(run.signal);
  const open = run.tracker.open();
  if (open) run.tracker.end(stopped ? interruptedStatus(stopped) : 'FAULT', stopped ? interruptContext(run) : { statusCode: 'INTERNAL_ERROR', message: run.fault ?? 'unknown error' });
  run.tracker.start('FINALIZING');
  run.tracker.end('SUCCEEDED');
  // The S3 log is in place before the build shows as complete, as the CloudWatch one is.
  await run.log.flush();
  await writeS3Log(run.d.aws, run.scope, run.tracker.build.logsConfig, run.tracker.build.uuid, run.log.lines(), run.d.log);
  const phases = run.tracker.build.phases;
  const status: Status = stopped ? interruptedStatus(stopped) : phases.some((p) => p.phaseStatus === 'FAULT') ? 'FAULT' : phases.some((p) => p.phaseStatus === 'FAILED') ? 'FAILED' : 'SUCCEEDED';
  const now = run.d.clock.now();
  run.tracker.update((b) => {
    b.phases.push({ phaseType: 'COMPLETED', startTime: now });
    b.currentPhase = 'COMPLETED';
    b.buildStatus = status;
    b.buildComplete = true;
    b.endTime = now;
  });
  await run.tracker.drain();
  await run.log.flush();
  const b = run.tracker.build;
  await run.d.notify.buildState(run.scope, b);
  await run.d.notify.metrics(run.scope, b);
  return b;
}
