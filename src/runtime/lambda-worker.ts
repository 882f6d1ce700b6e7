import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** How to start one execution environment. */
export interface EnvironmentSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Names the environment's log stream, as AWS's per-environment stream ids do. */
  environmentId: string;
}

export interface InvocationInput {
  requestId: string;
  payload: Buffer;
  invokedArn: string;
  /** Wall-clock epoch ms the function sees as its deadline (getRemainingTimeInMillis). */
  deadlineMs: number;
  clientContext?: string;
}

export type OutcomeStatus = 'ok' | 'error' | 'init-error' | 'timeout' | 'crash';

export interface InvocationOutcome {
  status: OutcomeStatus;
  payload: Buffer;
  /** What the function wrote to stdout and stderr during this invocation (and its init). */
  output: string;
  durationMs: number;
  initDurationMs?: number;
  /** The environment's peak resident memory so far (VmHWM), when the system reports it. */
  maxMemoryMb?: number;
  environmentId: string;
}

const MAX_OUTPUT = 1 << 20;
const PREFIX = '/2018-06-01/runtime';

interface Current {
  input: InvocationInput;
  delivered: boolean;
  finished: boolean;
  started: number;
  resolve(o: InvocationOutcome): void;
}

/**
 * One execution environment: a child process running a runtime client, and the Lambda
 * Runtime API it talks to (a small HTTP server of its own on 127.0.0.1, so the process
 * needs no identity of its own to be told apart). It runs one invocation at a time.
 */
export class LambdaWorker {
  private server: Server | undefined;
  private child: ChildProcess | undefined;
  private current: Current | undefined;
  private waiting: ServerResponse | undefined;
  private output = '';
  private spawnedAt = 0;
  private initMs: number | undefined;
  dead = false;
  /** When the environment last finished an invocation (Slipway's clock), for reclaiming idle ones. */
  lastUsed = 0;
  /** Set when the function changed under a running invocation: the environment ends after it. */
  retired = false;

  constructor(
    private readonly spec: EnvironmentSpec,
    private readonly onExit: (w: LambdaWorker) => void,
  ) {}

  get busy(): boolean {
    return this.current !== undefined;
  }

  get environmentId(): string {
    return this.spec.environmentId;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.route(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    this.spawnedAt = performance.now();
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...this.spec.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    const take = (chunk: Buffer) => {
      if (this.output.length < MAX_OUTPUT) this.output += chunk.toString('utf8');
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.on('error', (e) => {
      take(Buffer.from(`${e.message}\n`));
      this.exited(null);
    });
    child.on('exit', (code) => this.exited(code));
  }

  /** Runs one invocation; the caller enforces the timeout with `timeout()`. */
  run(input: InvocationInput): Promise<InvocationOutcome> {
    if (this.current || this.dead) throw new Error('execution environment is not free');
    return new Promise((resolve) => {
      this.current = { input, delivered: false, finished: false, started: performance.now(), resolve };
      if (this.waiting) this.deliver(this.waiting);
    });
  }

  /** Ends the running invocation as timed out; the environment is discarded as AWS does. */
  timeout(): void {
    this.finish('timeout', Buffer.alloc(0));
    this.kill();
  }

  kill(): void {
    this.dead = true;
    if (this.child?.pid && this.child.exitCode === null) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        this.child.kill('SIGKILL');
      }
    }
    this.waiting?.destroy();
    this.waiting = undefined;
    this.server?.close();
    this.server?.closeAllConnections();
  }

  private exited(code: number | null): void {
    if (this.current && !this.current.finished) {
      const message = { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${this.current.input.requestId} Error: Runtime exited with error: ${code === null ? 'signal: killed' : `exit status ${code}`}` };
      this.finish('crash', Buffer.from(JSON.stringify(message)));
    }
    if (!this.dead) this.kill();
    this.onExit(this);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      this.initMs ??= performance.now() - this.spawnedAt;
      if (this.current && !this.current.delivered) return this.deliver(res);
      this.waiting = res;
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method === 'POST' && m && this.current?.input.requestId === decodeURIComponent(m[1]!) && !this.current.finished) {
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      return this.finish(m[2] === 'response' ? 'ok' : 'error', body);
    }
    if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      return this.finish('init-error', body);
    }
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errorMessage: `Unknown request ${req.method} ${path}`, errorType: 'InvalidRequestID' }));
  }

  private deliver(res: ServerResponse): void {
    const cur = this.current!;
    cur.delivered = true;
    // Duration counts from the hand-over, as AWS's does: start-up is reported as Init Duration.
    cur.started = performance.now();
    this.waiting = undefined;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': cur.input.requestId,
      'lambda-runtime-deadline-ms': String(cur.input.deadlineMs),
      'lambda-runtime-invoked-function-arn': cur.input.invokedArn,
    };
    if (cur.input.clientContext) headers['lambda-runtime-client-context'] = cur.input.clientContext;
    res.writeHead(200, headers).end(cur.input.payload);
  }

  private finish(status: OutcomeStatus, payload: Buffer): void {
    const cur = this.current;
    if (!cur || cur.finished) return;
    cur.finished = true;
    const durationMs = performance.now() - cur.started;
    const initDurationMs = this.initMs;
    this.initMs = 0;
    const maxMemoryMb = peakMemoryMb(this.child?.pid);
    // Output written just before the response may still be in the pipe: let it arrive first.
    setImmediate(() => {
      this.current = undefined;
      const output = this.output;
      this.output = '';
      cur.resolve({ status, payload, output, durationMs, initDurationMs: initDurationMs || undefined, maxMemoryMb, environmentId: this.spec.environmentId });
    });
  }
}

/** The peak resident memory (VmHWM) of the environment's processes, the sandbox wrapper's children included. */
function peakMemoryMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  let peak = 0;
  const visit = (p: string, depth: number) => {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1];
      peak = Math.max(peak, Number(kb ?? 0));
      if (depth < 3) for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' ').filter(Boolean)) visit(child, depth + 1);
    } catch {
      // The process ended or /proc is not there: report what was found.
    }
  };
  visit(String(pid), 0);
  return peak ? Math.ceil(peak / 1024) : undefined;
}
