import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { layoutFor, covers, type Layout } from './instance-fs.js';
import { createNetwork, destroyNetwork, netnsName, type InstanceNetwork } from './instance-net.js';
import { detectSandbox, hostRootArgs, type RunResult } from './sandbox.js';
import { Spawner } from './spawner.js';

/** What the host needs to bring an instance up. */
export interface InstanceBoot {
  id: string;
  /** The instance's root directory on the host. */
  root: string;
  network: InstanceNetwork;
  hostname: string;
}

export interface ExecSpec {
  argv: string[];
  /** Working directory inside the instance. */
  cwd: string;
  env: Record<string, string>;
  /** Run as this user (name or uid) instead of root. */
  user?: string;
  /** Aborting kills the command's process group (a hook's timeout, a stopped deployment). */
  signal?: AbortSignal;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

interface Running {
  boot: InstanceBoot;
  init: ChildProcess;
  /** Host pid of a process inside the instance's namespaces, for nsenter. */
  pid: number;
  layout: Layout;
}

/**
 * Local instances: each is a long-lived bubblewrap process (its own mount, PID, IPC and UTS
 * namespaces, and network namespace where the machine allows) whose file tree is the host's,
 * read-only, with the instance's root directory laid over it. Commands (user data, hooks)
 * enter those namespaces, so what they start in the background keeps running inside the
 * instance until the instance is stopped, which ends every process in it.
 */
export class InstanceHost {
  private readonly running = new Map<string, Running>();
  /** Networks created and not yet removed, so halting everything leaves none behind. */
  private readonly networks = new Map<string, InstanceNetwork>();
  private readonly spawner = Spawner.available() ? new Spawner() : undefined;
  private readonly exitListeners = new Set<(id: string) => void>();

  constructor(
    private readonly log: Logger,
    /** Host directories instances must not see (Slipway's data dir). */
    private readonly hide: string[],
  ) {}

  /** Whether instances can run processes at all (bubblewrap is required). */
  available(): boolean {
    return detectSandbox().kind === 'bubblewrap';
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Calls `fn` with an instance's id when its processes end without a halt (killed, crashed). */
  onUnexpectedExit(fn: (id: string) => void): () => void {
    this.exitListeners.add(fn);
    return () => this.exitListeners.delete(fn);
  }

  /** The instance's root directory on the host, while it runs. */
  rootOf(id: string): string | undefined {
    return this.running.get(id)?.boot.root;
  }

  /** The instance's address, while it runs. */
  addressOf(id: string): string | undefined {
    return this.running.get(id)?.boot.network.address;
  }

  /** Creates the network and starts the instance's init process. */
  async boot(boot: InstanceBoot): Promise<void> {
    if (this.running.has(boot.id)) return;
    await createNetwork(boot.network);
    this.networks.set(boot.id, boot.network);
    if (!this.available()) return;
    if (boot.network.mode === 'netns') writeNameFiles(boot);
    try {
      const running = await this.startInit(boot);
      this.running.set(boot.id, running);
      running.init.once('exit', () => {
        if (this.running.get(boot.id) !== running) return;
        this.running.delete(boot.id);
        for (const fn of this.exitListeners) fn(boot.id);
      });
    } catch (e) {
      await this.halt(boot.id, boot.network);
      throw e;
    }
    // In the background: a boot command that never ends (an application's start script that
    // stays in the foreground) must not hold up the instance, or Slipway's own start.
    void this.runBootCommands(boot).catch((e: unknown) => this.log.warn('boot commands failed', { id: boot.id, error: String(e) }));
  }

  /**
   * Records (or with no spec removes) a command run at every later boot of the instance,
   * such as the agent restarting the deployed application after Slipway restarts. Kept in a
   * file beside the instance root, outside what the instance sees.
   */
  setBootCommand(root: string, name: string, spec: Omit<ExecSpec, 'signal' | 'onOutput'> | undefined): void {
    const dir = join(dirname(root), 'boot.d');
    const file = join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
    if (!spec) return rmSync(file, { force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(spec));
    renameSync(`${file}.tmp`, file);
  }

  private async runBootCommands(boot: InstanceBoot): Promise<void> {
    const dir = join(dirname(boot.root), 'boot.d');
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
    } catch {
      return;
    }
    // Each on its own: one application's start script must not wait for another's.
    await Promise.all(names.map(async (name) => {
      const spec = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ExecSpec;
      const result = await this.exec(boot.id, spec).catch((e: unknown) => e);
      this.log.debug('boot command ran', { id: boot.id, name, result });
    }));
  }

  /** Ends every process in the instance and removes its network. */
  async halt(id: string, network?: InstanceNetwork): Promise<void> {
    const r = this.running.get(id);
    this.running.delete(id);
    if (r) await killInit(r.init);
    const net = network ?? r?.boot.network ?? this.networks.get(id);
    this.networks.delete(id);
    if (net) await destroyNetwork(net);
  }

  async haltAll(): Promise<void> {
    await Promise.all([...new Set([...this.running.keys(), ...this.networks.keys()])].map((id) => this.halt(id)));
    this.spawner?.stop();
  }

  /**
   * Makes sure `path` (inside) is writable from the instance's processes: a destination
   * outside the mounts it booted with needs a fresh mount namespace, which restarts the
   * instance's processes.
   */
  async ensureVisible(id: string, path: string): Promise<boolean> {
    const r = this.running.get(id);
    if (!r || covers(r.layout, path)) return false;
    await killInit(r.init);
    this.running.set(id, await this.startInit(r.boot));
    return true;
  }

  /** Runs a command inside the instance; resolves when the command itself exits. */
  exec(id: string, spec: ExecSpec): Promise<RunResult> {
    const r = this.running.get(id);
    if (!r) return Promise.reject(new Error(`instance ${id} is not running`));
    const ns = ['-t', String(r.pid), '-m', '-p', '-i', '-u', '-r'];
    if (r.boot.network.mode === 'netns') ns.push('-n');
    const user = spec.user && spec.user !== 'root' ? ['setpriv', `--reuid=${spec.user}`, `--regid=${spec.user}`, '--init-groups', '--'] : [];
    // The init runs in / of the instance, which `-w` takes over; another directory is entered
    // inside, because nsenter's own --wd=<dir> resolves it before the root changes.
    if (spec.cwd === '/') ns.push('-w');
    const inDir = spec.cwd === '/' ? [] : ['/bin/sh', '-c', 'cd -- "$0" && exec "$@"', spec.cwd];
    const args = [...ns, '--', ...user, ...inDir, ...spec.argv];
    return this.spawner ? this.spawner.run('nsenter', args, spec) : runUntilExit('nsenter', args, spec);
  }

  /** Runs a command on the host itself (outside every instance), through the same spawner. */
  runOnHost(argv: string[]): Promise<RunResult> {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    return this.spawner ? this.spawner.run(argv[0], argv.slice(1), { env }) : runUntilExit(argv[0], argv.slice(1), { argv, cwd: '/', env });
  }

  private async startInit(boot: InstanceBoot): Promise<Running> {
    const layout = layoutFor(boot.root);
    const args = [...hostRootArgs(), '--dev', '/dev', '--proc', '/proc'];
    for (const dir of this.hide) args.push('--tmpfs', dir);
    args.push(...layout.args);
    args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', boot.hostname, '--die-with-parent', '--new-session', '--chdir', '/');
    // The init says when the sandbox is fully set up: bubblewrap reports its pid before that.
    args.push('--info-fd', '3', '--', 'sh', '-c', 'echo ready; exec sleep infinity');
    const [cmd, argv] = boot.network.mode === 'netns' ? ['nsenter', [`--net=/run/netns/${netnsName(boot.network)}`, 'bwrap', ...args]] : ['bwrap', args];
    const init = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const pid = await childPid(init);
    this.log.debug('instance booted', { id: boot.id, address: boot.network.address });
    return { boot, init, pid, layout };
  }
}

/**
 * A namespaced instance has no route out, so the host's resolver is unreachable and every
 * lookup (a server resolving its own name at start) would hang until it times out. Its own
 * name is in its hosts file, and the resolver is its loopback, which refuses at once.
 */
function writeNameFiles(boot: InstanceBoot): void {
  mkdirSync(join(boot.root, 'etc'), { recursive: true });
  writeFileSync(join(boot.root, 'etc/hosts'), `127.0.0.1 localhost\n::1 localhost ip6-localhost\n${boot.network.address} ${boot.hostname}\n`);
  writeFileSync(join(boot.root, 'etc/resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
}

/** Reads bubblewrap's info JSON for the pid of the process inside the namespaces. */
function childPid(init: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let info = '';
    let err = '';
    init.stderr?.setEncoding('utf8').on('data', (t: string) => (err += t));
    let ready = false;
    const settle = () => {
      const m = /"child-pid":\s*(\d+)/.exec(info);
      if (m && ready) resolve(Number(m[1]));
    };
    const fd = init.stdio[3] as NodeJS.ReadableStream;
    fd.setEncoding('utf8');
    fd.on('data', (t: string) => ((info += t), settle()));
    init.stdout?.setEncoding('utf8').on('data', (t: string) => ((ready ||= t.includes('ready')), settle()));
    init.once('exit', (code) => reject(new Error(`instance failed to start (exit ${code}): ${err.trim()}`)));
    init.once('error', reject);
  });
}

function killInit(init: ChildProcess): Promise<void> {
  if (init.exitCode !== null || init.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    init.once('exit', () => resolve());
    init.kill('SIGKILL');
    for (const s of init.stdio) s?.destroy();
  });
}

/**
 * Spawns in a new process group and resolves on the process's exit, not on its output
 * closing: a hook that starts a server in the background leaves it running (and holding
 * the pipes), as on a real instance. Abort kills the whole group.
 */
function runUntilExit(cmd: string, args: string[], spec: ExecSpec): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    if (spec.signal?.aborted) onAbort();
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.setEncoding('utf8').on('data', (t: string) => spec.onOutput?.(t, 'stdout'));
    child.stderr?.setEncoding('utf8').on('data', (t: string) => spec.onOutput?.(t, 'stderr'));
    child.once('error', () => resolve({ exitCode: 127, signal: null, timedOut: false, aborted }));
    child.once('exit', (exitCode, signal) => {
      spec.signal?.removeEventListener('abort', onAbort);
      // Output already written is delivered; pipes a background process still holds are let go.
      setImmediate(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve({ exitCode, signal, timedOut: false, aborted });
      });
    });
  });
}

const hosts = new Map<string, InstanceHost>();

/**
 * The instance host of one Slipway (keyed by its data dir): EC2 boots instances on it and
 * CodeDeploy's agent runs hooks on them, without either service reaching into the other.
 */
export function instanceHostFor(dataDir: string, log: Logger): InstanceHost {
  let host = hosts.get(dataDir);
  if (!host) hosts.set(dataDir, (host = new InstanceHost(log, [dataDir])));
  return host;
}
