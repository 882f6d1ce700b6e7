import { spawn, type SpawnOptions } from 'node:child_process';

/** A git command that exited non-zero; `stderr` says why. */
export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stderr: string,
    readonly stdout: Buffer,
  ) {
    super(`git ${args.join(' ')} failed (${code}): ${stderr.trim()}`);
  }
}

export interface GitOptions {
  input?: Buffer | string;
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (merge-tree's 1 means "conflicts"). */
  okCodes?: number[];
}

/**
 * The environment every git process runs with: no system or user configuration, no
 * prompts, C locale, so that behaviour depends only on the repository.
 */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs `git` in `cwd` (a bare repository) and collects its output. */
export function runGit(cwd: string, args: string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = { cwd, env: gitEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] };
    const child = spawn('git', args, spawnOptions);
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    // A process that exits without reading its input must not crash us with EPIPE.
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.input ?? '');
    child.once('close', (code) => {
      const stdout = Buffer.concat(out);
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) resolve({ code: code ?? 0, stdout, stderr: err });
      else reject(new GitError(args, code, err, stdout));
    });
  });
}

/** Runs git and returns stdout as text without the trailing newline. */
export async function git(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  const { stdout } = await runGit(cwd, args, options);
  return stdout.toString('utf8').replace(/\n$/, '');
}

/** Splits NUL-terminated output (`-z`) into its records. */
export function splitZ(out: Buffer | string): string[] {
  const text = typeof out === 'string' ? out : out.toString('utf8');
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export const ZERO_OID = '0000000000000000000000000000000000000000';
export const FULL_OID = /^[0-9a-f]{40}$/;
