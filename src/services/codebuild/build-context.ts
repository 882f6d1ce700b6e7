import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import type { Sandbox } from '../../runtime/sandbox.js';
import type { BuildBackend } from './backend.js';
import type { BuildLog } from './build-log.js';
import type { PhaseTracker } from './build-phases.js';
import type { Buildspec } from './buildspec.js';
import type { Notifier } from './notify.js';
import type { ReportWriter } from './report-writer.js';
import type { ShellSession } from './shell.js';
import type { CodeBuildStore, Status } from './store.js';
import type { Workspace } from './workspace.js';

/** What the build runner needs from the service. */
export interface RunnerDeps {
  aws: AwsClient;
  clock: Clock;
  log: Logger;
  store: CodeBuildStore;
  notify: Notifier;
  reports: ReportWriter;
  sandbox: Sandbox;
  /** Host directory holding every build's workspace. */
  workspaces: string;
  /** Host directory of LOCAL caches. */
  cacheRoot: string;
  /** Host directories builds must not see (Slipway's data dir). */
  hide: string[];
  endpoint(): string;
}

/** Why a build was cut short: StopBuild, its timeout, or Slipway shutting down. */
export type Interruption = 'STOPPED' | 'TIMED_OUT' | 'SHUTDOWN';

/** One build's state while it runs. */
export interface BuildRun {
  d: RunnerDeps;
  scope: Scope;
  id: string;
  tracker: PhaseTracker;
  log: BuildLog;
  ws: Workspace;
  signal: AbortSignal;
  spec?: Buildspec;
  shell?: ShellSession;
  /** The primary source's directory, as the sandbox sees it and on the host. */
  srcDir: string;
  srcHost: string;
  /** Secondary sources by identifier: [as seen in the sandbox, on the host]. */
  secondary: Record<string, [string, string]>;
  env: Record<string, string>;
  succeeding: boolean;
  /** The last failed phase said `on-failure: CONTINUE`. */
  continued?: boolean;
  cacheKey?: string;
  /** Where the commands run: the machine's sandbox, or a container. */
  backend: BuildBackend;
  /** The `run-as` user the workspace was last handed to, while phases run as that user. */
  runAs?: string;
  /** An unexpected error ended the build: FAULT. */
  fault?: string;
}

export function interruption(signal: AbortSignal): Interruption | undefined {
  if (!signal.aborted) return undefined;
  const r: unknown = signal.reason;
  return r === 'STOPPED' || r === 'TIMED_OUT' ? r : 'SHUTDOWN';
}

export function interruptedStatus(i: Interruption): Status {
  return i === 'SHUTDOWN' ? 'FAULT' : i;
}
