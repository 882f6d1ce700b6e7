import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunResult } from './sandbox.js';

/**
 * A small long-lived helper that starts processes for Slipway. Spawning from Node forks the
 * whole (large) Node process on the event loop, one spawn at a time; deployments run dozens of
 * hooks at once, so they ask this helper instead, which forks cheaply and reports output and
 * exit as JSON lines. Each command gets its own session, so a kill ends its process group;
 * the helper exits when Slipway closes its input.
 */
const SOURCE = String.raw`
import json, os, signal, subprocess, sys, threading
lock = threading.Lock()
procs = {}
def emit(o):
    s = json.dumps(o)
    with lock:
        sys.stdout.write(s + "\n")
        sys.stdout.flush()
def pump(i, stream, name):
    fd = stream.fileno()
    while True:
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        emit({"id": i, "stream": name, "data": b.decode("utf-8", "replace")})
def wait(i, p, readers):
    code = p.wait()
    for r in readers:
        r.join(0.05)
    procs.pop(i, None)
    emit({"id": i, "exit": code})
for line in sys.stdin:
    req = json.loads(line)
    if "kill" in req:
        p = procs.get(req["kill"])
        if p is not None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
        continue
    i = req["id"]
    try:
        p = subprocess.Popen(req["argv"], env=req["env"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        emit({"id": i, "exit": 127, "stream": "stderr", "data": str(e)})
        continue
    procs[i] = p
    rs = [threading.Thread(target=pump, args=(i, p.stdout, "stdout"), daemon=True), threading.Thread(target=pump, args=(i, p.stderr, "stderr"), daemon=True)]
    for r in rs:
        r.start()
    threading.Thread(target=wait, args=(i, p, rs), daemon=True).start()
`;

interface Pending {
  resolve: (r: RunResult) => void;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  aborted: boolean;
}

interface Message {
  id: number;
  stream?: 'stdout' | 'stderr';
  data?: string;
  exit?: number;
}

export interface SpawnSpec {
  env: Record<string, string>;
  signal?: AbortSignal;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

let available: boolean | undefined;

export class Spawner {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;

  /** Whether python3 is there to run the helper; without it callers spawn directly. */
  static available(): boolean {
    available ??= spawnSync('python3', ['-c', 'import subprocess'], { timeout: 5000 }).status === 0;
    return available;
  }

  run(cmd: string, args: string[], spec: SpawnSpec): Promise<RunResult> {
    const child = this.ensure();
    const id = ++this.seq;
    return new Promise((resolve) => {
      const entry: Pending = { resolve, onOutput: spec.onOutput, aborted: false };
      this.pending.set(id, entry);
      const onAbort = () => {
        entry.aborted = true;
        child.stdin?.write(JSON.stringify({ kill: id }) + '\n');
      };
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      entry.resolve = (r) => (spec.signal?.removeEventListener('abort', onAbort), resolve(r));
      child.stdin?.write(JSON.stringify({ id, argv: [cmd, ...args], env: spec.env }) + '\n');
      if (spec.signal?.aborted) onAbort();
    });
  }

  stop(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn('python3', ['-u', '-c', SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => this.receive(JSON.parse(line) as Message));
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.resolve({ exitCode: null, signal: 'SIGKILL', timedOut: false, aborted: p.aborted });
      }
    });
    return child;
  }

  private receive(m: Message): void {
    const p = this.pending.get(m.id);
    if (!p) return; // output of a background process whose command already exited
    if (m.data !== undefined && m.stream) p.onOutput?.(m.data, m.stream);
    if (m.exit === undefined) return;
    this.pending.delete(m.id);
    const signal = m.exit < 0 ? (signalName(-m.exit) as NodeJS.Signals) : null;
    p.resolve({ exitCode: m.exit < 0 ? null : m.exit, signal, timedOut: false, aborted: p.aborted });
  }
}

function signalName(n: number): string {
  return n === 9 ? 'SIGKILL' : n === 15 ? 'SIGTERM' : n === 2 ? 'SIGINT' : `SIG${n}`;
}
