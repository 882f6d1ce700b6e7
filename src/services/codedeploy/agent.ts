import { cp } from 'node:fs/promises';
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { InstanceHost } from '../../runtime/instance-host.js';
import { AppSpecError, parseAppSpec, type AppSpec } from './appspec.js';
import { BundleError } from './bundle.js';
import { applyPermissions, hostPath, installFiles, INSTRUCTIONS_DIR, InstallError, removePrevious } from './install.js';
import type { EventRecord } from './store.js';

export const IN_PLACE_EVENTS = ['ApplicationStop', 'DownloadBundle', 'BeforeInstall', 'Install', 'AfterInstall', 'ApplicationStart', 'ValidateService'];
export const BLOCK_EVENTS = ['BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic'];
export const ALLOW_EVENTS = ['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic'];
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What the agent on one instance needs for one deployment. */
export interface AgentJob {
  host: InstanceHost;
  clock: Clock;
  /** The host's id of the local instance, and its root directory. */
  instanceId: string;
  root: string;
  deploymentId: string;
  applicationName: string;
  groupName: string;
  groupId: string;
  bundle: { bucket: string; key: string; version?: string; eTag?: string; bundleType: string };
  /** The bundle, downloaded, checked and unpacked once per deployment on the host. */
  bundleFile: () => Promise<{ file: string; dir: string }>;
  fileExistsBehavior: 'DISALLOW' | 'OVERWRITE' | 'RETAIN';
  ignoreApplicationStopFailures: boolean;
  signal: AbortSignal;
  /** Called whenever an event changes, to persist progress. */
  progress: (events: EventRecord[]) => void;
  /** The instance's events so far (all of its lifecycle); in-place events when absent. */
  events?: EventRecord[];
  /** The events to run now (a blue/green replacement installs first and allows traffic later); all pending ones when absent. */
  only?: string[];
  /** BlockTraffic and AllowTraffic: deregister from and register with the load balancer's target groups. */
  traffic?: { block: () => Promise<void>; allow: () => Promise<void> };
}

/** A lifecycle event's failure with the diagnostics AWS shows for it. */
class EventFailure extends Error {
  constructor(
    readonly errorCode: 'ScriptMissing' | 'ScriptNotExecutable' | 'ScriptTimedOut' | 'ScriptFailed' | 'UnknownError',
    message: string,
    readonly scriptName?: string,
    readonly logTail?: string,
  ) {
    super(message);
  }
}

/**
 * The CodeDeploy agent's in-place lifecycle on one instance, in AWS's order. Hooks run
 * inside the instance with AWS's environment; the first failing event fails the instance
 * and the events after it are skipped.
 */
export async function runAgent(job: AgentJob): Promise<{ ok: boolean; events: EventRecord[] }> {
  const runs = (name: string) => !job.only || job.only.includes(name);
  // The events to run start afresh: a phase interrupted by a restart runs again from its start.
  const events: EventRecord[] = (job.events ?? IN_PLACE_EVENTS.map((name) => ({ lifecycleEventName: name, status: 'Pending' as const })))
    .map((e) => (runs(e.lifecycleEventName) ? { lifecycleEventName: e.lifecycleEventName, status: 'Pending' } : { ...e }));
  const deployRoot = `/opt/codedeploy-agent/deployment-root/${job.groupId}/${job.deploymentId}`;
  const archive = `${deployRoot}/deployment-archive`;
  const marker = `${INSTRUCTIONS_DIR}/${job.groupId}_last_successful_install`;
  let spec: AppSpec | undefined;
  /** Each event's output tail, shown in its diagnostics whether it succeeded or not. */
  const tails: Record<string, string> = {};
  const runHooks = (s: AppSpec, event: string, from: string) => runScripts(job, s, event, from, deployRoot, (t) => (tails[event] = t));
  /** ApplicationStop and the block-traffic hooks run the previous successful revision's scripts. */
  const previousHooks = async (event: string): Promise<'Succeeded' | 'Skipped'> => {
    const previous = readIf(job.root, marker)?.trim();
    if (!previous || previous === deployRoot) return 'Skipped';
    try {
      const prevSpec = readSpec(job.root, `${previous}/deployment-archive`);
      await runHooks(prevSpec, event, `${previous}/deployment-archive`);
    } catch (e) {
      if (!job.ignoreApplicationStopFailures) throw e;
    }
    return 'Succeeded';
  };
  /** The allow-traffic hooks run this revision's scripts, or the last installed one's on an original instance taking traffic back. */
  const allowHooks = async (event: string): Promise<'Succeeded' | 'Skipped'> => {
    if (!spec && readIf(job.root, `${archive}/appspec.yml`) === undefined && readIf(job.root, `${archive}/appspec.yaml`) === undefined) {
      const previous = readIf(job.root, marker)?.trim();
      if (!previous) return 'Skipped';
      return runHooks(readSpec(job.root, `${previous}/deployment-archive`), event, `${previous}/deployment-archive`);
    }
    spec ??= readSpec(job.root, archive);
    return runHooks(spec, event, archive);
  };
  const traffic = async (step: 'block' | 'allow'): Promise<'Succeeded'> => {
    try {
      await job.traffic?.[step]();
    } catch (e) {
      throw new EventFailure('UnknownError', e instanceof Error ? e.message : String(e));
    }
    return 'Succeeded';
  };
  const steps: Record<string, () => Promise<'Succeeded' | 'Skipped'>> = {
    BeforeBlockTraffic: () => previousHooks('BeforeBlockTraffic'),
    BlockTraffic: () => traffic('block'),
    AfterBlockTraffic: () => previousHooks('AfterBlockTraffic'),
    ApplicationStop: () => previousHooks('ApplicationStop'),
    DownloadBundle: async () => {
      const file = hostPath(job.root, `${deployRoot}/bundle.tar`);
      mkdirSync(dirname(file), { recursive: true });
      let bundle: { file: string; dir: string };
      try {
        bundle = await job.bundleFile();
      } catch (e) {
        throw new EventFailure('UnknownError', e instanceof BundleError ? e.message : `The bundle could not be downloaded: ${e instanceof Error ? e.message : String(e)}`);
      }
      copyFileSync(bundle.file, file);
      // A native copy in a process of its own: ten instances copying at once use both cores.
      const target = hostPath(job.root, archive);
      mkdirSync(target, { recursive: true });
      const copied = await job.host.runOnHost(['cp', '-a', '--no-dereference', `${bundle.dir}/.`, `${target}/`]);
      if (copied.exitCode !== 0) await cp(bundle.dir, target, { recursive: true, verbatimSymlinks: true });
      return 'Succeeded';
    },
    BeforeInstall: async () => {
      spec = readSpec(job.root, archive);
      return runHooks(spec, 'BeforeInstall', archive);
    },
    Install: async () => {
      const s = spec!;
      try {
        await removePrevious(job.root, job.groupId);
        await installFiles(job.root, hostPath(job.root, archive), s, s.fileExistsBehavior ?? job.fileExistsBehavior, job.groupId);
        await applyPermissions(job.root, s.permissions);
      } catch (e) {
        if (e instanceof InstallError) throw new EventFailure('UnknownError', e.message);
        throw e;
      }
      for (const f of s.files) await job.host.ensureVisible(job.instanceId, f.destination);
      return 'Succeeded';
    },
    AfterInstall: () => runHooks(spec!, 'AfterInstall', archive),
    ApplicationStart: async () => {
      const result = await runHooks(spec!, 'ApplicationStart', archive);
      rememberStart(job, spec!, archive);
      return result;
    },
    ValidateService: async () => {
      const result = await runHooks(spec!, 'ValidateService', archive);
      writeFileSync(hostPath(job.root, marker), deployRoot + '\n');
      return result;
    },
    BeforeAllowTraffic: () => allowHooks('BeforeAllowTraffic'),
    AllowTraffic: () => traffic('allow'),
    AfterAllowTraffic: () => allowHooks('AfterAllowTraffic'),
  };
  const first = events.findIndex((e) => runs(e.lifecycleEventName));
  if (first < 0) return { ok: true, events };
  if (!job.host.isRunning(job.instanceId)) {
    fail(events[first], job.clock, new EventFailure('UnknownError', 'The instance is not running, so its CodeDeploy agent cannot be reached.'));
    skipRest(events, first + 1);
    job.progress(events);
    return { ok: false, events };
  }
  for (let i = first; i < events.length; i++) {
    const ev = events[i];
    if (!runs(ev.lifecycleEventName)) continue;
    Object.assign(ev, { status: 'InProgress', startTime: job.clock.now() });
    job.progress(events);
    try {
      if (job.signal.aborted) throw new EventFailure('UnknownError', 'The deployment was stopped.');
      ev.status = await steps[ev.lifecycleEventName]();
      ev.endTime = job.clock.now();
      ev.diagnostics = { errorCode: 'Success', message: 'Succeeded', scriptName: '', logTail: tails[ev.lifecycleEventName] ?? '' };
    } catch (e) {
      fail(ev, job.clock, e instanceof EventFailure ? e : e instanceof AppSpecError ? new EventFailure('UnknownError', e.message) : new EventFailure('UnknownError', String(e)));
      skipRest(events, i + 1);
      job.progress(events);
      return { ok: false, events };
    }
    job.progress(events);
  }
  return { ok: true, events };
}

function fail(ev: EventRecord, clock: Clock, e: EventFailure): void {
  ev.status = 'Failed';
  ev.startTime ??= clock.now();
  ev.endTime = clock.now();
  ev.diagnostics = { errorCode: e.errorCode, message: e.message, scriptName: e.scriptName ?? '', logTail: e.logTail ?? '' };
}

function skipRest(events: EventRecord[], from: number): void {
  for (let j = from; j < events.length; j++) events[j].status = 'Skipped';
}

function readIf(root: string, inside: string): string | undefined {
  const p = hostPath(root, inside);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

/** The revision's appspec.yml (or appspec.yaml) at the archive root. */
function readSpec(root: string, archive: string): AppSpec {
  const text = readIf(root, `${archive}/appspec.yml`) ?? readIf(root, `${archive}/appspec.yaml`);
  if (text === undefined) {
    throw new EventFailure('UnknownError', `The CodeDeploy agent did not find an AppSpec file within the unpacked revision directory at revision-relative path "appspec.yml". The revision was unpacked to directory "${archive}", and the AppSpec file was expected but not found at path "${archive}/appspec.yml".`);
  }
  return parseAppSpec(text);
}

function environment(job: AgentJob, event: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH, HOME: '/root', LANG: 'C.UTF-8',
    APPLICATION_NAME: job.applicationName, DEPLOYMENT_ID: job.deploymentId, DEPLOYMENT_GROUP_NAME: job.groupName,
    DEPLOYMENT_GROUP_ID: job.groupId, LIFECYCLE_EVENT: event, BUNDLE_BUCKET: job.bundle.bucket, BUNDLE_KEY: job.bundle.key,
  };
  if (job.bundle.version) env.BUNDLE_VERSION = job.bundle.version;
  if (job.bundle.eTag) env.BUNDLE_ETAG = job.bundle.eTag;
  return env;
}

/** Runs an event's scripts in order; a missing, failing or timed-out script fails the event. */
async function runScripts(job: AgentJob, spec: AppSpec, event: string, archive: string, deployRoot: string, keepTail: (tail: string) => void): Promise<'Succeeded'> {
  let tail = '';
  for (const hook of spec.hooks[event] ?? []) {
    const script = posix.join(archive, posix.normalize('/' + hook.location));
    const hostScript = hostPath(job.root, script);
    if (!existsSync(hostScript)) throw new EventFailure('ScriptMissing', `Script does not exist at specified location: ${script}`, hook.location);
    chmodSync(hostScript, 0o755);
    const logFile = hostPath(job.root, `${deployRoot}/logs/scripts.log`);
    mkdirSync(dirname(logFile), { recursive: true });
    const timeout = new AbortController();
    const timer = job.clock.setTimer(hook.timeout * 1000, () => timeout.abort());
    const onStop = () => timeout.abort();
    job.signal.addEventListener('abort', onStop, { once: true });
    const result = await job.host.exec(job.instanceId, {
      argv: [script], cwd: '/', env: environment(job, event), user: hook.runas, signal: timeout.signal,
      onOutput: (text, stream) => {
        const lines = text.replace(/\n$/, '').split('\n').map((l) => `[${stream}]${l}`).join('\n') + '\n';
        tail = (tail + lines).slice(-2048);
        keepTail(tail);
        appendFileSync(logFile, lines.split('\n').filter(Boolean).map((l) => `${new Date(job.clock.now()).toISOString()} ${event} ${l}`).join('\n') + '\n');
      },
    });
    timer.cancel();
    job.signal.removeEventListener('abort', onStop);
    if (job.signal.aborted) throw new EventFailure('ScriptFailed', 'The deployment was stopped while the script ran.', hook.location, tail);
    if (result.aborted) throw new EventFailure('ScriptTimedOut', `Script at specified location: ${hook.location} failed to complete in ${hook.timeout} seconds`, hook.location, tail);
    if (result.exitCode !== 0) {
      const as = hook.runas ?? 'root';
      throw new EventFailure('ScriptFailed', `Script at specified location: ${hook.location} run as user ${as} failed with exit code ${result.exitCode ?? result.signal}`, hook.location, tail);
    }
  }
  return 'Succeeded';
}

/** Slipway restarts the instance's application after its own restart: the ApplicationStart scripts run again at boot. */
function rememberStart(job: AgentJob, spec: AppSpec, archive: string): void {
  const scripts = (spec.hooks.ApplicationStart ?? []).map((h) => posix.join(archive, posix.normalize('/' + h.location)));
  job.host.setBootCommand(job.root, `codedeploy-${job.groupId}`, scripts.length ? { argv: ['/bin/sh', '-c', scripts.map((s) => `'${s}'`).join(' && ')], cwd: '/', env: environment(job, 'ApplicationStart') } : undefined);
}
