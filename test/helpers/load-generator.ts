import { Agent, request } from 'node:http';

export interface LoadSample {
  /** Real time (ms, performance.now()) the answer arrived. */
  at: number;
  /** Wall-clock time (Date.now()) of the same moment, to compare with times the API reports. */
  wall: number;
  /** The first word after "version" in the body, or the status when it is not a 2xx. */
  answer: string;
  status: number;
}

export interface LoadReport {
  sent: number;
  /** Requests that got no HTTP answer at all (refused, reset, timed out). */
  failed: number;
  /** Answers by version ("v1") or by status for non-2xx answers ("500"). */
  byAnswer: Record<string, number>;
  samples: LoadSample[];
}

/**
 * A steady-rate HTTP load generator over keep-alive connections: `rate` requests per second
 * to `url`, each answer recorded with its arrival time. Bounded: it stops after `maxSeconds`
 * real seconds even if never told to.
 */
export class LoadGenerator {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });
  private readonly samples: LoadSample[] = [];
  private failed = 0;
  private sent = 0;
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly url: string,
    private readonly rate = 200,
    private readonly maxSeconds = 120,
  ) {}

  start(): this {
    const started = performance.now();
    const interval = 1000 / this.rate;
    let due = started;
    const tick = () => {
      const now = performance.now();
      if (now - started > this.maxSeconds * 1000) return;
      while (due <= now) {
        this.fire();
        due += interval;
      }
      this.timer = setTimeout(tick, Math.max(1, due - performance.now()));
    };
    tick();
    return this;
  }

  private fire(): void {
    this.sent++;
    const p = new Promise<void>((resolve) => {
      const req = request(this.url, { agent: this.agent, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const answer = status >= 200 && status < 300 ? (/version (\S+)/.exec(body)?.[1] ?? body.trim()) : String(status);
          this.samples.push({ at: performance.now(), wall: Date.now(), answer, status });
          resolve();
        });
        res.on('error', () => {
          this.failed++;
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        this.failed++;
        resolve();
      });
      req.end();
    });
    this.inFlight.add(p);
    void p.then(() => this.inFlight.delete(p));
  }

  /** Answers from `since` (real ms) on. */
  report(since = 0): LoadReport {
    const samples = this.samples.filter((s) => s.at >= since);
    const byAnswer: Record<string, number> = {};
    for (const s of samples) byAnswer[s.answer] = (byAnswer[s.answer] ?? 0) + 1;
    return { sent: this.sent, failed: this.failed, byAnswer, samples };
  }

  /** Stops sending, waits for the requests in flight, and reports. */
  async stop(): Promise<LoadReport> {
    clearTimeout(this.timer);
    await Promise.all([...this.inFlight]);
    this.agent.destroy();
    return this.report();
  }
}
