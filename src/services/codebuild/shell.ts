import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { RunResult, Sandbox } from '../../runtime/sandbox.js';
import type { Workspace } from './workspace.js';

/**
 * The wrapper each command runs in. Version 0.2 keeps variables and the working directory
 * from command to command, as CodeBuild does: the previous command's exported state is
 * sourced, every assignment is exported (`set -a`), and on exit (even `exit 3`) the state
 * and the directory are saved for the next command. POSIX sh, so `/bin/sh` works too.
 */
const PERSISTENT = `__cb_cmd=$__CB_CMD; __cb_ok=$__CB_SUCCEEDING; __cb_agent=$__CB_AGENT; unset __CB_CMD __CB_SUCCEEDING __CB_AGENT
if [ -f "$__cb_agent/env.sh" ]; then . "$__cb_agent/env.sh" >/dev/null 2>&1; fi
if [ -f "$__cb_agent/cwd" ]; then cd "$(cat "$__cb_agent/cwd")" 2>/dev/null || true; fi
export CODEBUILD_BUILD_SUCCEEDING="$__cb_ok"
trap 'set -- "$?"; set +a; export -p > "$__cb_agent/env.sh.tmp" && mv "$__cb_agent/env.sh.tmp" "$__cb_agent/env.sh"; pwd > "$__cb_agent/cwd"; exit "$1"' EXIT
set -a
eval "$__cb_cmd"
`;

/** Version 0.1: each command in a fresh shell in the source directory. */
const ISOLATED = `__cb_cmd=$__CB_CMD; unset __CB_CMD __CB_SUCCEEDING __CB_AGENT
eval "$__cb_cmd"
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
  onOutput(text: string): void;
}

export interface CommandResult {
  exitCode: number | null;
  result: RunResult;
}

/** Runs a build's commands one by one in its sandbox. */
export class ShellSession {
  private env: Record<string, string> = {};

  constructor(private readonly o: ShellOptions) {}

  /** The variables every command starts with (the build's environment). */
  setBaseEnv(env: Record<string, string>): void {
    this.env = env;
  }

  /** Starts the saved state over with these variables (after source download). */
  setVariable(name: string, value: string): void {
    this.env[name] = value;
    const file = this.o.workspace.host(`${this.o.workspace.agent}/env.sh`);
    // A saved state would shadow the new value: set it there too.
    if (existsSync(file)) writeFileSync(file, `${readFileSync(file, 'utf8')}\nexport ${name}=${shellQuote(value)}\n`);
  }

  async run(command: string, succeeding: boolean, signal: AbortSignal): Promise<CommandResult> {
    const result = await this.o.sandbox.run({
      argv: [this.shellPath(), '-c', this.o.persistent ? PERSISTENT : ISOLATED],
      cwd: this.o.cwd,
      env: { ...this.env, CODEBUILD_BUILD_SUCCEEDING: succeeding ? '1' : '0', __CB_CMD: command, __CB_SUCCEEDING: succeeding ? '1' : '0', __CB_AGENT: this.o.workspace.visible(this.o.workspace.agent) },
      binds: this.o.workspace.binds(),
      hide: this.o.hide,
      signal,
      onOutput: (text) => this.o.onOutput(text),
    });
    return { exitCode: result.exitCode, result };
  }

  /** Runs `command` in the build's current state without changing it; its stdout, or undefined if it failed. */
  async capture(command: string, signal: AbortSignal): Promise<string | undefined> {
    let out = '';
    const script = this.o.persistent ? PERSISTENT.replace('eval "$__cb_cmd"', 'trap - EXIT; eval "$__cb_cmd"') : ISOLATED;
    const result = await this.o.sandbox.run({
      argv: [this.shellPath(), '-c', script],
      cwd: this.o.cwd,
      env: { ...this.env, __CB_CMD: command, __CB_SUCCEEDING: '1', __CB_AGENT: this.o.workspace.visible(this.o.workspace.agent) },
      binds: this.o.workspace.binds(),
      hide: this.o.hide,
      signal,
      onOutput: (text, stream) => {
        if (stream === 'stdout') out += text;
      },
    });
    return result.exitCode === 0 ? out : undefined;
  }

  /** A string with `$VAR` and `$(command)` expanded by the build's shell (artifact names, cache keys). */
  evaluate(expression: string, signal: AbortSignal): Promise<string | undefined> {
    return this.capture(`printf '%s' "${expression.replace(/(["\\])/g, '\\$1')}"`, signal);
  }

  /** The values the commands left in these variables (exported variables). */
  async readVariables(names: string[], signal: AbortSignal): Promise<Record<string, string>> {
    const valid = names.filter((n) => /^[A-Za-z_]\w*$/.test(n));
    if (valid.length === 0) return {};
    const text = await this.capture(`printf '%s\\0' ${valid.map((n) => `"\${${n}-}"`).join(' ')}`, signal);
    const values = (text ?? '').split('\0');
    return Object.fromEntries(valid.map((n, i) => [n, values[i] ?? '']));
  }

  private shellPath(): string {
    return this.o.shell === 'bash' || this.o.shell === '/bin/bash' ? 'bash' : '/bin/sh';
  }
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
