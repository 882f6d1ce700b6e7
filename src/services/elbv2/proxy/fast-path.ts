import type { Socket } from 'node:net';
import type { Clock, Timer } from '../../../core/clock.js';
import { elbErrorBody, ELB_TEXT, type ForwardResult } from './forward.js';
import { ChunkedScanner, MAX_HEAD, parseRequestHead, parseResponseHead, responseFraming, type Framing, type RequestHead, type ResponseHead } from './http1.js';
import type { UpstreamPool } from './upstream-pool.js';

/** A request the router accepted for the fast path: where it goes and what to send. */
export interface FastPlan {
  host: string;
  port: number;
  /** The request head for the target, blank line included. */
  head: string;
  /** Set-Cookie values of the load balancer's own (stickiness). */
  cookies: string[];
  idleTimeoutMs: number;
  /** Registers an abort (a draining target's delay ran out); answers its unregistration. */
  onAbort(abort: () => void): () => void;
  /** The exchange ended: release the target and record the metrics. */
  done(result: ForwardResult): void;
}

export interface FastRouter {
  readonly clock: Clock;
  readonly upstreams: UpstreamPool;
  /** A plan for a body-less request that forwards to a target; undefined sends the connection to node:http. */
  plan(head: RequestHead, client: Socket): FastPlan | undefined;
  /** Gives the connection, with the bytes read but not handled, to the node:http server. */
  handOver(client: Socket, buffered: Buffer): void;
}

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);
const EMPTY = Buffer.alloc(0);
/** Body bytes up to this size are copied behind the head so a small response is one write. */
const SMALL = 16 * 1024;

/** Requests the fast path carries: HTTP/1.1 without a body, upgrade or expectation. */
function eligible(h: RequestHead): boolean {
  const x = h.headers;
  if (h.method === 'CONNECT' || x.host === undefined || x.upgrade !== undefined || x['transfer-encoding'] !== undefined || x.expect !== undefined) return false;
  return x['content-length'] === undefined || x['content-length'] === '0';
}

function wantsClose(h: { headers: Record<string, string> }): boolean {
  const c = h.headers.connection;
  return c !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(c);
}

/** The response head for the client: the target's, less hop-by-hop fields, plus the load balancer's cookies. */
function clientHead(r: ResponseHead, framing: Framing, cookies: string[], close: boolean): string {
  const named = r.headers.connection ? new Set(r.headers.connection.split(',').map((s) => s.trim().toLowerCase())) : undefined;
  let out = `HTTP/1.1 ${r.status} ${r.message}\r\n`;
  for (const line of r.lines) {
    const name = line.slice(0, line.indexOf(':')).toLowerCase();
    // A chunked body is relayed as it came, so its Transfer-Encoding stays.
    if ((HOP.has(name) && !(name === 'transfer-encoding' && framing.kind === 'chunked')) || named?.has(name)) continue;
    out += `${line}\r\n`;
  }
  for (const c of cookies) out += `set-cookie: ${c}\r\n`;
  return `${out}${close ? 'connection: close\r\n' : ''}\r\n`;
}

/**
 * One client connection on the listener's fast path: requests are parsed here and sent to
 * pooled raw connections to the targets, and responses are relayed without node:http's
 * per-request objects. Requests are handled one at a time in order (so pipelined requests
 * are answered in order). The first request the fast path does not carry (a body, an
 * upgrade, a redirect, no target...) sends the connection, unread bytes and all, to node:http.
 */
export class FastConnection {
  private buf: Buffer = EMPTY;
  private busy = false;
  private closeAfter = false;
  // The exchange in flight.
  private plan: FastPlan | undefined;
  private method = 'GET';
  private up: Socket | undefined;
  private upReused = false;
  private upBuf: Buffer = EMPTY;
  private response: ResponseHead | undefined;
  private framing: Framing | undefined;
  private scanner: ChunkedScanner | undefined;
  private started = 0;
  private targetSeconds = 0;
  private last = 0;
  private timer: Timer | undefined;
  private timerDue = 0;
  private unregister: (() => void) | undefined;
  private requestHead = '';
  /** The response head, until the first write to the client carries it. */
  private pendingHead: string | undefined;
  private readonly onData = (chunk: Buffer) => this.clientData(chunk);
  private readonly onClientGone = () => this.clientGone();
  private readonly onClientEnd = () => this.clientEnded();
  private readonly onUpData = (chunk: Buffer) => this.upData(chunk);
  private readonly onUpFail = () => this.upFailed();
  private readonly onUpEnd = () => this.upEnded();
  private readonly onAbort = () => this.abort();

  constructor(
    private readonly client: Socket,
    private readonly router: FastRouter,
    keepAliveMs: number,
  ) {
    // An idle kept-alive connection closes; one waiting on a slow target is the idle timeout's business.
    client.setTimeout(keepAliveMs, () => {
      if (!this.busy) client.destroy();
    });
    client.on('data', this.onData);
    client.on('error', this.onClientGone);
    client.on('close', this.onClientGone);
    client.on('end', this.onClientEnd);
  }

  private clientData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.busy) this.next();
    else if (this.buf.length > MAX_HEAD) this.client.pause(); // pipelined requests waiting: stop reading
  }

  private next(): void {
    if (!this.buf.length || this.client.destroyed) return;
    const head = parseRequestHead(this.buf);
    if (head === 'incomplete') return;
    const plan = head !== 'unsupported' && eligible(head) ? this.router.plan(head, this.client) : undefined;
    if (!plan || head === 'unsupported') return this.handOver();
    this.buf = this.buf.length === head.length ? EMPTY : this.buf.subarray(head.length);
    this.closeAfter = wantsClose(head);
    this.start(plan, head.method);
  }

  private handOver(): void {
    const c = this.client;
    c.off('data', this.onData).off('error', this.onClientGone).off('close', this.onClientGone).off('end', this.onClientEnd);
    c.pause();
    this.stopTimer();
    const rest = this.buf;
    this.buf = EMPTY;
    this.router.handOver(c, rest);
  }

  private start(plan: FastPlan, method: string): void {
    this.busy = true;
    this.plan = plan;
    this.method = method;
    this.response = undefined;
    this.pendingHead = undefined;
    this.upBuf = EMPTY;
    this.started = performance.now();
    this.requestHead = plan.head;
    this.connect(plan);
    this.last = this.router.clock.now();
    // The running timer serves while it falls due within this request's window (the idle timeout may have been shortened).
    if (!this.timer || this.timerDue > this.last + plan.idleTimeoutMs) {
      this.stopTimer();
      this.arm(plan.idleTimeoutMs);
    }
    this.unregister = plan.onAbort(this.onAbort);
  }

  private connect(plan: FastPlan): void {
    const { socket, reused } = this.router.upstreams.acquire(plan.host, plan.port);
    this.up = socket;
    this.upReused = reused;
    socket.on('data', this.onUpData).on('error', this.onUpFail).on('close', this.onUpFail).on('end', this.onUpEnd);
    socket.resume();
    socket.write(this.requestHead, 'latin1');
  }

  /**
   * One idle timer per connection, not per request: activity (and each new request) moves a
   * timestamp, and the timer re-arms for the rest of the window; it lapses between requests.
   */
  private arm(ms: number): void {
    this.timerDue = this.router.clock.now() + ms;
    this.timer = this.router.clock.setTimer(ms, () => {
      this.timer = undefined;
      if (!this.plan) return;
      const quiet = this.router.clock.now() - this.last;
      if (quiet >= this.plan.idleTimeoutMs) this.expire();
      else this.arm(this.plan.idleTimeoutMs - quiet);
    });
  }

  private detachUp(): Socket | undefined {
    const up = this.up;
    this.up = undefined;
    up?.off('data', this.onUpData).off('error', this.onUpFail).off('close', this.onUpFail).off('end', this.onUpEnd);
    return up;
  }

  private upData(chunk: Buffer): void {
    this.last = this.router.clock.now();
    if (this.response) return this.body(chunk);
    this.upBuf = this.upBuf.length ? Buffer.concat([this.upBuf, chunk]) : chunk;
    for (;;) {
      const r = parseResponseHead(this.upBuf);
      if (r === 'incomplete') return;
      if (r === 'unsupported') return this.failBeforeHead(502);
      const rest = this.upBuf.subarray(r.length);
      if (r.status < 200 && r.status !== 101) {
        this.upBuf = rest; // interim (1xx) answers are not relayed, as on the node:http path
        continue;
      }
      const framing = r.status === 101 ? undefined : responseFraming(this.method, r);
      if (!framing) return this.failBeforeHead(502);
      this.response = r;
      this.framing = framing;
      this.scanner = framing.kind === 'chunked' ? new ChunkedScanner() : undefined;
      this.targetSeconds = (performance.now() - this.started) / 1000;
      this.upBuf = EMPTY;
      const close = this.closeAfter || framing.kind === 'close';
      this.closeAfter = close;
      this.pendingHead = clientHead(r, framing, this.plan!.cookies, close);
      this.body(rest);
      if (this.pendingHead) this.emit(EMPTY); // no body bytes yet: the head goes alone
      return;
    }
  }

  private body(chunk: Buffer): void {
    const f = this.framing!;
    let end = chunk.length;
    let complete = false;
    if (f.kind === 'none') {
      end = 0;
      complete = true;
    } else if (f.kind === 'length') {
      end = Math.min(chunk.length, f.remaining);
      f.remaining -= end;
      complete = f.remaining === 0;
    } else if (f.kind === 'chunked') {
      const at = this.scanner!.scan(chunk);
      if (at === -2) return this.cut({ targetStatus: this.response!.status, targetSeconds: this.targetSeconds });
      if (at >= 0) {
        end = at;
        complete = true;
      }
    }
    if ((end > 0 || this.pendingHead) && !this.emit(end === chunk.length ? chunk : chunk.subarray(0, end)) && !complete) {
      const up = this.up!;
      up.pause();
      this.client.once('drain', () => up.resume());
    }
    if (complete) this.finish(end === chunk.length || (f.kind === 'none' && chunk.length === 0));
  }

  /** Writes body bytes to the client, the response head first when it has not gone yet (one write for a small response). */
  private emit(bytes: Buffer): boolean {
    const head = this.pendingHead;
    if (!head) return this.client.write(bytes);
    this.pendingHead = undefined;
    if (bytes.length > SMALL) {
      this.client.write(head, 'latin1');
      return this.client.write(bytes);
    }
    const headLength = Buffer.byteLength(head, 'latin1');
    const out = Buffer.allocUnsafe(headLength + bytes.length);
    out.write(head, 0, 'latin1');
    bytes.copy(out, headLength);
    return this.client.write(out);
  }

  /** The response is complete: the target connection goes back to the pool when it can be reused. */
  private finish(clean: boolean): void {
    const r = this.response!;
    const up = this.detachUp();
    const reusable = clean && r.version === '1.1' && !wantsClose(r);
    if (up && reusable) this.router.upstreams.release(this.plan!.host, this.plan!.port, up);
    else up?.destroy();
    this.settle({ targetStatus: r.status, targetSeconds: this.targetSeconds });
  }

  private settle(result: ForwardResult): void {
    const plan = this.plan;
    if (!plan) return;
    this.plan = undefined;
    this.unregister?.();
    this.unregister = undefined;
    this.busy = false;
    plan.done(result);
    if (this.client.destroyed) return;
    if (this.closeAfter) return void this.client.end();
    if (this.client.isPaused()) this.client.resume();
    this.next();
  }

  private upFailed(): void {
    if (!this.plan) return;
    if (!this.response && !this.upBuf.length && this.upReused && (this.method === 'GET' || this.method === 'HEAD')) {
      // A kept-alive connection the target had already closed: one more try on a new one.
      this.detachUp()?.destroy();
      return this.connect(this.plan);
    }
    if (this.response) return this.cut({ targetStatus: this.response.status, targetSeconds: this.targetSeconds });
    this.failBeforeHead(502);
  }

  private upEnded(): void {
    if (this.plan && this.response && this.framing?.kind === 'close') return this.finish(false);
    this.upFailed();
  }

  private failBeforeHead(status: number): void {
    this.detachUp()?.destroy();
    const body = elbErrorBody(status);
    const close = this.closeAfter ? 'connection: close\r\n' : '';
    this.client.write(`HTTP/1.1 ${status} ${ELB_TEXT[status]}\r\nserver: awselb/2.0\r\ncontent-type: text/html\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${close}\r\n${body}`, 'latin1');
    this.settle({ elbStatus: status });
  }

  /** A failure after the response began: a status can no longer be sent, so the client connection is cut. */
  private cut(result: ForwardResult): void {
    this.detachUp()?.destroy();
    this.client.destroy();
    this.settle(result);
  }

  private expire(): void {
    if (this.response) return this.cut({ elbStatus: 504 });
    this.failBeforeHead(504);
  }

  private abort(): void {
    if (this.response) return this.cut({});
    this.failBeforeHead(502);
  }

  /** The client sent its last bytes: answer what it asked, then close. */
  private clientEnded(): void {
    this.closeAfter = true;
    if (!this.busy) this.client.end();
  }

  private stopTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private clientGone(): void {
    this.client.destroy();
    this.stopTimer();
    if (!this.plan) return;
    this.detachUp()?.destroy();
    this.settle({});
  }
}
