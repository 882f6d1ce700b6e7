import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';

/** A host directory made visible inside the sandbox at `target`. */
export interface Bind {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface RunSpec {
  /** argv; argv[0] is looked up on the sandbox's PATH. */
  argv: string[];
  /** Working directory, as the sandboxed process sees it. */
  cwd: string;
  env: Record<string, string>;
  binds?: Bind[];
  /** Host directories the process must not see (Slipway's data dir), covered with empty ones. */
  hide?: string[];
  /** Real milliseconds before the whole process tree is killed. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
}

/**
 * Runs user code (build commands, deployment hooks). `bubblewrap` gives each run its own
 * mount, PID, IPC and UTS namespaces over a read-only view of the host, so a build sees its
 * workspace at the paths AWS uses and cannot see Slipway's data or other builds; `process`
 * is the fallback where bubblewrap is missing, with no isolation, and says so.
 */
export interface Sandbox {
  readonly kind: 'bubblewrap' | 'process' | 'docker';
  /** True when binds really move directories: paths inside differ from host paths. */
  readonly mapsPaths: boolean;
  /** A line for the build log saying what isolation this run has. */
  describe(): string;
  run(spec: RunSpec): Promise<RunResult>;
}

let detected: Sandbox | undefined;

/** The best sandbox this machine offers, probed once. SLIPWAY_SANDBOX=process forces the fallback. */
export function detectSandbox(): Sandbox {
  if (detected) return detected;
  const forced = process.env.SLIPWAY_SANDBOX;
  const probe = forced === 'process' ? undefined : spawnSync('bwrap', [...hostRootArgs(), '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--', 'true'], { timeout: 5000 });
  detected = probe?.status === 0 ? new BubblewrapSandbox() : new ProcessSandbox();
  return detected;
}

export class ProcessSandbox implements Sandbox {
  readonly kind = 'process';
  readonly mapsPaths = false;

  describe(): string {
    return 'Running directly as a local process without isolation (bubblewrap is not available on this machine).';
  }

  run(spec: RunSpec): Promise<RunResult> {
    return supervise(spec.argv[0], spec.argv.slice(1), spec);
  }
}

class BubblewrapSandbox implements Sandbox {
  readonly kind = 'bubblewrap';
  readonly mapsPaths = true;

  describe(): string {
    return 'Running in a bubblewrap sandbox: a read-only view of the host system with private /tmp, PID, IPC and hostname namespaces and the workspace mounted at the AWS paths.';
  }

  run(spec: RunSpec): Promise<RunResult> {
    const args = [...hostRootArgs(), '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
    args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', 'slipway', '--die-with-parent', '--new-session');
    for (const dir of spec.hide ?? []) if (existsSync(dir)) args.push('--tmpfs', dir);
    for (const b of spec.binds ?? []) args.push(b.readOnly ? '--ro-bind' : '--bind', b.source, b.target);
    args.push('--chdir', spec.cwd, '--clearenv');
    for (const [k, v] of Object.entries(spec.env)) args.push('--setenv', k, v);
    args.push('--', ...spec.argv);
    return supervise('bwrap', args, { ...spec, cwd: '/' });
  }
}

let rootArgs: string[] | undefined;

/**
 * The sandbox's root is a fresh tmpfs with each top-level host directory bound read-only
 * into it (symlinks such as /bin -> usr/bin kept as symlinks), so binds can add directories
 * such as /codebuild that the host does not have.
 */
export function hostRootArgs(): string[] {
  if (rootArgs) return rootArgs;
  const args: string[] = [];
  for (const entry of readdirSync('/', { withFileTypes: true })) {
    const path = `/${entry.name}`;
    if (['proc', 'dev', 'tmp', 'sys'].includes(entry.name)) continue;
    if (entry.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else if (entry.isDirectory()) args.push('--ro-bind', path, path);
  }
  args.push('--ro-bind', '/sys', '/sys');
  return (rootArgs = args);
}

/** Spawns in its own process group so a timeout or stop kills the whole tree. */
function supervise(cmd: string, args: string[], spec: RunSpec): Promise<RunResult> {
  // A stop that came while the caller was still getting ready: nothing is started (a process
  // killed as it starts could leave bubblewrap's child behind, before it is tied to its parent).
  if (spec.signal?.aborted) return Promise.resolve({ exitCode: null, signal: null, timedOut: false, aborted: true });
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    let aborted = false;
    const killTree = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = spec.timeoutMs ? setTimeout(() => ((timedOut = true), killTree()), spec.timeoutMs) : undefined;
    const onAbort = () => ((aborted = true), killTree());
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (t: string) => spec.onOutput?.(t, 'stdout'));
    child.stderr.setEncoding('utf8').on('data', (t: string) => spec.onOutput?.(t, 'stderr'));
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      killTree();
      resolve({ exitCode, signal, timedOut, aborted });
    };
    child.once('error', () => finish(127, null));
    // When the command exits, whatever it left in the background goes with it (as bubblewrap's
    // PID namespace does); a background process holding the output open would otherwise keep
    // 'close' from ever firing.
    child.once('exit', killTree);
    child.once('close', finish);
  });
}
