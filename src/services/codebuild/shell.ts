import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, constants, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { RunResult, Sandbox } from '../../runtime/sandbox.js';
import type { Workspace } from './workspace.js';

/**
 * One command of version 0.2. Variables and the working directory persist from command to
 * command, as CodeBuild does: the previous command's exported state is sourced, every
 * assignment is exported (`set -a`), and on exit (even `exit 3`) the state and the directory
 * are saved for the next command. Only shell builtins run here (the command is sourced from
 * its file), so a command costs one process. POSIX sh, so `/bin/sh` works too.
 */
const PERSISTENT = `__cb_ok=$__CB_SUCCEEDING; __cb_agent=$__CB_AGENT; unset __CB_SUCCEEDING __CB_AGENT __CB_MARK __CB_SHELL __CB_SCRIPT
if [ -f "$__cb_agent/env.sh" ]; then . "$__cb_agent/env.sh" >/dev/null 2>&1; fi
if [ -f "$__cb_agent/cwd" ]; then read -r __cb_dir < "$__cb_agent/cwd"; cd "$__cb_dir" 2>/dev/null || true; fi
export CODEBUILD_BUILD_SUCCEEDING="$__cb_ok"
trap 'set -- "$?"; set +a; export -p > "$__cb_agent/env.sh"; pwd > "$__cb_agent/cwd"; exit "$1"' EXIT
set -a
. "$__cb_agent/cmd"
`;

/** Version 0.1: each command in a fresh shell in the source directory. */
const ISOLATED = `__cb_agent=$__CB_AGENT; export CODEBUILD_BUILD_SUCCEEDING="$__CB_SUCCEEDING"; unset __CB_SUCCEEDING __CB_AGENT __CB_MARK __CB_SHELL __CB_SCRIPT
. "$__cb_agent/cmd"
`;

/**
 * The build's driver: one sandboxed process for the whole build, so a command costs a fork
 * rather than a new sandbox. It reads `<n> <succeeding> <run|capture>` lines from a FIFO, runs
 * the command in `cmd` in a child shell (stdin closed, stderr merged into stdout as the AWS log
 * does) and prints a marker with the exit status.
 */
const DRIVER = `exec 2>&1
exec 3< "$__CB_AGENT/ctl"
while IFS=' ' read -r __n __ok __mode <&3; do
  [ "$__n" = exit ] && break
  if [ "$__mode" = capture ]; then
    __CB_SUCCEEDING=$__ok "$__CB_SHELL" -c "$__CB_SCRIPT" </dev/null 3<&- > "$__CB_AGENT/out" 2>/dev/null
  else
    __CB_SUCCEEDING=$__ok "$__CB_SHELL" -c "$__CB_SCRIPT" </dev/null 3<&-
  fi
  printf '%s %s %s\\n' "$__CB_MARK" "$__n" "$?"
done
`;

export interface ShellOptions {
  sandbox: Sandbox;
  workspace: Workspace;
  /** `bash` or `/bin/sh`. */
  shell: string;
  persistent: boolean;
  /** The directory commands start in (as the sandbox sees it). */
  cwd: string;
  hide: string[];
  signal: AbortSignal;
  onOutput(text: string): void;
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
  private env: Record<string, string> = {};
  private readonly mark = `__slipway_cb_${randomBytes(9).toString('hex')}`;
  private ctl: FileHandle | undefined;
  private driver: Promise<RunResult> | undefined;
  private pending: Pending | undefined;
  private buffer = '';
  private seq = 0;
  private capturing = false;

  constructor(private readonly o: ShellOptions) {}

  /** The variables every command starts with (the build's environment). */
  setBaseEnv(env: Record<string, string>): void {
    this.env = env;
  }

  private agent(file: string): string {
    return this.o.workspace.host(`${this.o.workspace.agent}/${file}`);
  }

  private shellPath(): string {
    return this.o.shell === 'bash' || this.o.shell === '/bin/bash' ? 'bash' : '/bin/sh';
  }

  private async start(): Promise<void> {
    const fifo = this.agent('ctl');
    if (!existsSync(fifo)) execFileSync('mkfifo', ['-m', '600', fifo]);
    this.buffer = '';
    this.driver = this.o.sandbox.run({
      argv: ['/bin/sh', '-c', DRIVER],
      cwd: this.o.cwd,
      env: { ...this.env, __CB_AGENT: this.o.workspace.visible(this.o.workspace.agent), __CB_MARK: this.mark, __CB_SHELL: this.shellPath(), __CB_SCRIPT: this.o.persistent ? PERSISTENT : ISOLATED },
      binds: this.o.workspace.binds(),
      hide: this.o.hide,
      signal: this.o.signal,
      onOutput: (text) => this.receive(text),
    });
    const driver = this.driver;
    // Opening the FIFO for writing completes once the driver opened it for reading; if the
    // driver dies first, opening read-write instead keeps this from waiting forever.
    const opened = open(fifo, 'w');
    const ended = driver.then(() => undefined);
    const first = await Promise.race([opened.then((h) => h), ended]);
    if (!first) {
      // The driver never opened its end: open it here so the pending open (a pool thread) returns.
      closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
      void opened.then((h) => h.close()).catch(() => undefined);
      this.driver = undefined;
      throw new Error('the build shell could not be started');
    }
    this.ctl = first;
    void driver.then(() => this.driverEnded());
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

  private async send(command: string, succeeding: boolean, mode: 'run' | 'capture'): Promise<CommandResult> {
    if (this.o.signal.aborted) return { exitCode: null, interrupted: true };
    if (!this.driver) await this.start();
    writeFileSync(this.agent('cmd'), command);
    const n = ++this.seq;
    const done = new Promise<CommandResult>((resolve) => (this.pending = { n, resolve }));
    this.capturing = mode === 'capture';
    await this.ctl!.write(`${n} ${succeeding ? 1 : 0} ${mode}\n`);
    const r = await done;
    this.capturing = false;
    return { ...r, interrupted: r.interrupted || this.o.signal.aborted };
  }

  run(command: string, succeeding: boolean): Promise<CommandResult> {
    return this.send(command, succeeding, 'run');
  }

  /** Sets a variable for the commands that follow, over whatever the earlier ones left. */
  setVariable(name: string, value: string): void {
    this.env[name] = value;
    appendFileSync(this.agent('env.sh'), `\nexport ${name}=${shellQuote(value)}\n`);
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
    const driver = this.driver;
    if (!driver) return;
    await this.ctl?.write('exit\n').catch(() => undefined);
    await driver;
  }
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
