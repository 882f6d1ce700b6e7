import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, constants, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { RunResult, Sandbox } from '../../runtime/sandbox.js';
import { DRIVER, ISOLATED, PERSISTENT } from './shell-scripts.js';
import type { Workspace } from './workspace.js';

export interface ShellOptions {
  sandbox: Sandbox;
  workspace: Workspace;
  /** The directory commands start in (as the sandbox sees it). */
  cwd: string;
  hide: string[];
  signal: AbortSignal;
  onOutput(text: string): void;
}

/** A `run-as` user as the build's /etc/passwd defines it. */
export interface RunAsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface CommandResult {
  exitCode: number | null;
  /** The build was stopped or timed out while the command ran. */
  interrupted: boolean;
}

interface Pending {
  n: number;
  resolve(r: CommandResult): void;
}

/** Runs a build's commands one by one in its sandbox, through one long-lived driver. */
export class ShellSession {
  private launchEnv: Record<string, string> = {};
  private starting: Promise<void> | undefined;
  private onReady: (() => void) | undefined;
  private onBye: (() => void) | undefined;
  /** Ends the driver's whole process tree once the build is over. */
  private readonly teardown = new AbortController();
  private readonly mark = `__slipway_cb_${randomBytes(9).toString('hex')}`;
  private ctl: FileHandle | undefined;
  private driver: Promise<RunResult> | undefined;
  private pending: Pending | undefined;
  private buffer = '';
  private seq = 0;
  private capturing = false;
  private shell = 'bash';
  private script = 'persistent.sh';

  constructor(private readonly o: ShellOptions) {}

  /** The buildspec's shell (`bash` or `/bin/sh`) and version (0.1 runs each command on its own). */
  configure(shell: string, persistent: boolean): void {
    this.shell = shell === 'bash' || shell === '/bin/bash' ? 'bash' : '/bin/sh';
    this.script = persistent ? 'persistent.sh' : 'isolated.sh';
  }

  /** The variables every command starts with (the build's environment), read by each command. */
  setBaseEnv(env: Record<string, string>): void {
    writeFileSync(this.agent('base.sh'), Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join(''));
  }

  private agent(file: string): string {
    return this.o.workspace.host(`${this.o.workspace.agent}/${file}`);
  }

  /** Starts the driver; commands wait for it. */
  start(env: Record<string, string>): Promise<void> {
    this.starting ??= this.launch(env).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async launch(env: Record<string, string>): Promise<void> {
    const fifo = this.agent('ctl');
    rmSync(fifo, { force: true });
    const ready = new Promise<void>((resolve) => (this.onReady = resolve));
    writeFileSync(this.agent('persistent.sh'), PERSISTENT);
    writeFileSync(this.agent('isolated.sh'), ISOLATED);
    if (!existsSync(this.agent('base.sh'))) writeFileSync(this.agent('base.sh'), '');
    this.buffer = '';
    this.launchEnv = env;
    this.driver = this.o.sandbox.run({
      argv: this.driverArgv(),
      cwd: this.o.cwd,
      env: { ...env, __CB_AGENT: this.o.workspace.visible(this.o.workspace.agent), __CB_MARK: this.mark },
      binds: this.o.workspace.binds(),
      hide: this.o.hide,
      signal: AbortSignal.any([this.o.signal, this.teardown.signal]),
      onOutput: (text) => this.receive(text),
    });
    const driver = this.driver;
    // The driver makes the FIFO and says so; opening it for writing completes once the driver
    // opened it for reading. If the driver dies first, nothing waits forever.
    const opened = ready.then(() => open(fifo, 'w'));
    const ended = driver.then(() => undefined);
    const first = await Promise.race([opened.then((h) => h), ended]);
    if (!first) {
      // The driver never opened its end: open it here so the pending open (a pool thread) returns.
      if (existsSync(fifo)) closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
      void opened.then((h) => h.close()).catch(() => undefined);
      this.driver = undefined;
      throw new Error('the build shell could not be started');
    }
    this.ctl = first;
    void driver.then(() => this.driverEnded());
  }

  /** The driver runs in bash where there is one: the host's is known, an image's is looked for in it. */
  private driverArgv(): string[] {
    if (this.o.sandbox.kind !== 'docker') return [hasBash() ? 'bash' : '/bin/sh', '-c', DRIVER];
    return ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -c "$1"; fi; exec /bin/sh -c "$1"', 'sh', DRIVER];
  }

  private driverEnded(): void {
    void this.ctl?.close().catch(() => undefined);
    this.ctl = undefined;
    this.driver = undefined;
    if (this.buffer) this.o.onOutput(this.buffer);
    this.buffer = '';
    const p = this.pending;
    this.pending = undefined;
    p?.resolve({ exitCode: null, interrupted: this.o.signal.aborted });
  }

  /** Splits the driver's output into the command's output and its end marker. */
  private receive(text: string): void {
    this.buffer += text;
    for (;;) {
      const at = this.buffer.indexOf(this.mark);
      if (at < 0) break;
      const end = this.buffer.indexOf('\n', at);
      if (end < 0) break;
      if (at > 0 && !this.capturing) this.o.onOutput(this.buffer.slice(0, at));
      const [, n, rc] = this.buffer.slice(at, end).split(' ');
      this.buffer = this.buffer.slice(end + 1);
      if (n === 'ready' || n === 'bye') {
        (n === 'ready' ? this.onReady : this.onBye)?.();
        continue;
      }
      const p = this.pending;
      if (p && Number(n) === p.n) {
        this.pending = undefined;
        p.resolve({ exitCode: Number(rc), interrupted: false });
      }
    }
    // Pass complete lines on at once (live logs); keep what could be the start of a marker.
    const keep = this.buffer.lastIndexOf('\n') + 1;
    if (keep > 0 && !this.capturing) {
      this.o.onOutput(this.buffer.slice(0, keep));
      this.buffer = this.buffer.slice(keep);
    }
  }

  private async send(command: string, succeeding: boolean, mode: 'run' | 'capture', user?: RunAsUser): Promise<CommandResult> {
    if (this.o.signal.aborted) return { exitCode: null, interrupted: true };
    try {
      if (this.starting) await this.starting;
      if (!this.driver) await this.start(this.launchEnv);
    } catch (e) {
      if (this.o.signal.aborted) return { exitCode: null, interrupted: true };
      throw e;
    }
    writeFileSync(this.agent('cmd'), command);
    const n = ++this.seq;
    const done = new Promise<CommandResult>((resolve) => (this.pending = { n, resolve }));
    this.capturing = mode === 'capture';
    const who = user ? `${user.name}:${user.uid}:${user.gid}:${user.home}` : '-';
    try {
      await this.ctl!.write(`${n} ${succeeding ? 1 : 0} ${mode} ${this.shell} ${this.script} ${who}\n`);
    } catch (e) {
      // A stop that killed the driver as the command was sent (EPIPE) is the stop, not a fault.
      if (this.o.signal.aborted) return { exitCode: null, interrupted: true };
      throw e;
    }
    const r = await done;
    this.capturing = false;
    return { ...r, interrupted: r.interrupted || this.o.signal.aborted };
  }

  /** Runs a command of the buildspec, as the `run-as` user when there is one. */
  run(command: string, succeeding: boolean, user?: RunAsUser): Promise<CommandResult> {
    return this.send(command, succeeding, 'run', user);
  }

  /** Sets a variable for the commands that follow, over whatever the earlier ones left. */
  setVariable(name: string, value: string): void {
    appendFileSync(this.agent('env.sh'), `\nexport ${name}=${shellQuote(value)}\n`);
  }

  /** Back from a `run-as` phase: the build's own HOME, and no USER or LOGNAME, for the commands that follow. */
  resetIdentity(home: string): void {
    appendFileSync(this.agent('env.sh'), `\nexport HOME=${shellQuote(home)}\nunset USER LOGNAME\n`);
  }

  /** Runs `command` in the build's current state without changing it; its stdout, or undefined if it failed. */
  async capture(command: string): Promise<string | undefined> {
    // The state is saved only by PERSISTENT's exit trap: drop it for this command.
    const r = await this.send(`trap - EXIT; ${command}`, true, 'capture');
    if (r.exitCode !== 0) return undefined;
    try {
      return readFileSync(this.agent('out'), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** A string with `$VAR` and `$(command)` expanded by the build's shell (artifact names, cache keys). */
  evaluate(expression: string): Promise<string | undefined> {
    return this.capture(`printf '%s' "${expression.replace(/(["\\])/g, '\\$1')}"`);
  }

  /** The values the commands left in these variables (exported variables). */
  async readVariables(names: string[]): Promise<Record<string, string>> {
    const valid = names.filter((n) => /^[A-Za-z_]\w*$/.test(n));
    if (valid.length === 0) return {};
    const text = await this.capture(`printf '%s\\0' ${valid.map((n) => `"\${${n}-}"`).join(' ')}`);
    const values = (text ?? '').split('\0');
    return Object.fromEntries(valid.map((n, i) => [n, values[i] ?? '']));
  }

  /** Ends the driver (the build is over). */
  async close(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    const driver = this.driver;
    if (!driver) return;
    const bye = new Promise<void>((resolve) => (this.onBye = resolve));
    await this.ctl?.write('exit\n').catch(() => undefined);
    await Promise.race([bye, driver]);
    // Background processes the commands left (a server started with `&`) end with the build, as
    // they do when AWS tears the build container down.
    this.teardown.abort();
    await driver;
  }
}

let bash: boolean | undefined;

function hasBash(): boolean {
  if (bash === undefined) {
    try {
      execFileSync('bash', ['-c', 'true']);
      bash = true;
    } catch {
      bash = false;
    }
  }
  return bash;
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
