import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { request } from 'node:http';
import { delimiter, join } from 'node:path';
import type { RunResult, RunSpec, Sandbox } from './sandbox.js';

/** Where the Docker engine listens: `DOCKER_HOST` (unix:// or tcp://), else the usual socket. */
export interface DockerEndpoint {
  socketPath?: string;
  host?: string;
  port?: number;
  /** As a user would write it, for log lines. */
  label: string;
}

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint | undefined {
  const configured = env.DOCKER_HOST;
  if (configured?.startsWith('unix://')) return { socketPath: configured.slice(7), label: configured };
  if (configured?.startsWith('tcp://')) {
    const url = new URL(configured.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375), label: configured };
  }
  if (configured) return undefined;
  return existsSync('/var/run/docker.sock') ? { socketPath: '/var/run/docker.sock', label: 'unix:///var/run/docker.sock' } : undefined;
}

/** A local image as the engine describes it. */
export interface DockerImage {
  id: string;
  /** The image's PATH (Docker's default when the image sets none). */
  path: string;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Looks an image up in the engine (one HTTP call on the socket, no CLI process). Undefined when
 * the engine does not answer or does not have the image: the caller then runs builds locally.
 */
export function inspectImage(endpoint: DockerEndpoint, name: string, timeoutMs = 2000): Promise<DockerImage | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath: endpoint.socketPath, host: endpoint.host, port: endpoint.port, path: `/images/${encodeURIComponent(name)}/json`, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined);
        try {
          const info = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Id?: string; Config?: { Env?: string[] | null } };
          const path = info.Config?.Env?.find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
          resolve({ id: info.Id ?? name, path });
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

let cli: string | null | undefined;

/** The `docker` command's full path, or null when it is not installed (the backend needs it). */
export function dockerCli(): string | null {
  if (cli !== undefined) return cli;
  cli = null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, 'docker'), constants.X_OK);
      return (cli = join(dir, 'docker'));
    } catch {
      // not in this directory
    }
  }
  return cli;
}

export interface ContainerOptions {
  image: string;
  imageId: string;
  /** PATH inside the image. */
  path: string;
  /** The container's name, so it can be found and removed. */
  name: string;
  privileged: boolean;
  endpoint: DockerEndpoint;
}

/**
 * Runs each `run()` in a fresh container of one image: binds become volumes, the process runs
 * as root with host networking (so the build reaches Slipway at the same URL), and a stop or
 * timeout removes the container, which ends everything inside it.
 */
export class DockerSandbox implements Sandbox {
  readonly kind = 'docker';
  readonly mapsPaths = true;

  constructor(readonly o: ContainerOptions) {}

  describe(): string {
    const flags = ['host networking', 'running as root', ...(this.o.privileged ? ['privileged (privilegedMode)'] : [])].join(', ');
    return `Running in container ${this.o.name} of the local Docker image ${this.o.image} (${this.o.imageId.slice(0, 19)}) on the engine at ${this.o.endpoint.label}, with the workspace mounted at /codebuild, ${flags}.`;
  }

  run(spec: RunSpec): Promise<RunResult> {
    const args = ['run', '--rm', '--name', this.o.name, '--network', 'host', '--user', '0:0', '--workdir', spec.cwd];
    if (this.o.privileged) args.push('--privileged');
    for (const b of spec.binds ?? []) args.push('--volume', `${b.source}:${b.target}${b.readOnly ? ':ro' : ''}`);
    // Values travel in the CLI's environment, not its arguments (`-e NAME` takes them from there).
    for (const k of Object.keys(spec.env)) args.push('--env', k);
    args.push(this.o.imageId, ...spec.argv);
    return this.supervise(args, spec);
  }

  /** Removes the container (stop, timeout, or the build's teardown); resolves once it is gone. */
  remove(): Promise<void> {
    return removeContainer(this.o.name);
  }

  private supervise(args: string[], spec: RunSpec): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = spawn(dockerCli() ?? 'docker', args, { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let timedOut = false;
      let aborted = false;
      let exited = false;
      let removal: Promise<void> | undefined;
      // A removal that comes before the engine created the container finds nothing: repeat it
      // until `docker run` has returned.
      const removeUntilGone = async () => {
        for (let i = 0; i < 100 && !exited; i++) {
          await this.remove();
          if (!exited) await new Promise((r) => setTimeout(r, 100));
        }
      };
      const kill = () => (removal ??= removeUntilGone());
      const timer = spec.timeoutMs ? setTimeout(() => ((timedOut = true), void kill()), spec.timeoutMs) : undefined;
      const onAbort = () => ((aborted = true), void kill());
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      if (spec.signal?.aborted) onAbort();
      child.stdout.setEncoding('utf8').on('data', (t: string) => spec.onOutput?.(t, 'stdout'));
      child.stderr.setEncoding('utf8').on('data', (t: string) => spec.onOutput?.(t, 'stderr'));
      const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
        exited = true;
        if (timer) clearTimeout(timer);
        spec.signal?.removeEventListener('abort', onAbort);
        void (removal ?? Promise.resolve()).then(() => resolve({ exitCode, signal, timedOut, aborted }));
      };
      child.once('error', () => finish(127, null));
      child.once('close', finish);
    });
  }
}

/**
 * Removes a container by name if the engine has one: a build's container left running by a
 * Slipway that crashed (its `docker run` client died with it, the container did not).
 */
export function removeContainer(name: string): Promise<void> {
  const cmd = dockerCli();
  if (!cmd || !dockerEndpoint()) return Promise.resolve();
  return new Promise((resolve) => {
    const rm = spawn(cmd, ['rm', '--force', name], { stdio: 'ignore' });
    rm.once('error', () => resolve());
    rm.once('close', () => resolve());
  });
}
