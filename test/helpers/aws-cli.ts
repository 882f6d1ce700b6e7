import { spawn } from 'node:child_process';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (the CLI's default output). */
  json<T = Record<string, unknown>>(): T;
}

/** Runs the real `aws` CLI with the given environment; never throws on a non-zero exit. */
export function aws(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('aws', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json<T>() {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`aws ${args.join(' ')} printed no JSON (exit ${code}): ${stdout}${stderr}`);
          }
        },
      }),
    );
  });
}

/** Binds `aws` to one environment: `const cli = awsCli(env); await cli('sts', 'get-caller-identity')`. */
export function awsCli(env: NodeJS.ProcessEnv) {
  return (...args: string[]) => aws(env, ...args);
}
