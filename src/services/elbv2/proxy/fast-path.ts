import type { Socket } from 'node:net';
import type { Timer } from '../../../core/clock.js';
import { byteClientHead, elbErrorResponse, elbLines, slowClientHead, wantsClose } from './client-head.js';
import { Framing, RequestScan, ResponseScan, Scan } from './head-scan.js';
import { ChunkedScanner, MAX_HEAD, parseResponseHead, responseFraming } from './http1.js';
import type { FastExchange, FastRouter } from './fast-router.js';

const EMPTY = Buffer.alloc(0);
/** Body bytes up to this size are copied behind the head so a small response is one write. */
const SMALL = 16 * 1024;

/**
 * One client connection on the listener's fast path. Heads are scanned as bytes (head-scan.ts),
 * the target's head is built by copying the client's kept lines, and responses are relayed as
 * they come (length, chunked or close-delimited). State lives in fields reused from request to
 * request, and the connection keeps its target connection between requests while the route
 * picks the same target, so a kept-alive exchange allocates little. Requests are answered in
 * order; the first one the fast path does not carry hands the connection, unread bytes and
 * all, to node:http.
 */
export class FastConnection {
  private buf: Buffer = EMPTY;
  private busy = false;
  private closeAfter = false;
  private readonly req = new RequestScan();
  private readonly res = new ResponseScan();
  private readonly ex: FastExchange;
  private readonly chunks = new ChunkedScanner();
  private method = 'GET';
  // The target connection, kept between requests to the same target.
  private up: Socket | undefined;
  private upHost = '';
  private upPort = 0;
  private upReused = false;
  private upBuf: Buffer = EMPTY;
  // The response in flight.
  private responding = false;
  private headPending = false;
  private headSrc: Buffer = EMPTY;
  private slowHead: Buffer | undefined;
  private status = 0;
  private reusable = false;
  private framing = Framing.None;
  private remaining = 0;
  private started = 0;
  private targetSeconds = NaN;
  private last = 0;
  private timer: Timer | undefined;
  private timerDue = 0;
  private readonly onData = (chunk: Buffer) => this.clientData(chunk);
  private readonly onClientGone = () => this.clientGone();
  private readonly onClientEnd = () => this.clientEnded();
  private readonly onUpData = (chunk: Buffer) => this.upData(chunk);
  private readonly onUpFail = () => this.upFailed();
  private readonly onUpEnd = () => this.upEnded();
  private readonly onDrain = () => this.up?.resume();
  private readonly onAbort = () => this.aborted();
  private readonly onTimer = () => this.timerFired();

  constructor(
    private readonly client: Socket,
    private readonly router: FastRouter,
    keepAliveMs: number,
  ) {
    this.ex = router.exchange();
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
    const r = this.req.scan(this.buf);
    if (r === Scan.Incomplete) return;
    if (r === Scan.Other || !this.ex.plan(this.buf, this.req, this.client)) return this.handOver();
    const length = this.req.length;
    this.buf = this.buf.length === length ? EMPTY : this.buf.subarray(length);
    this.closeAfter = this.req.close;
    this.method = this.req.method;
    this.start();
  }

  private handOver(): void {
    const c = this.client;
    c.off('data', this.onData).off('error', this.onClientGone).off('close', this.onClientGone).off('end', this.onClientEnd);
    c.pause();
    this.stopTimer();
    this.unpair(true);
    const rest = this.buf;
    this.buf = EMPTY;
    this.router.handOver(c, rest);
  }

  private start(): void {
    this.busy = true;
    this.responding = this.headPending = false;
    this.slowHead = undefined;
    this.upBuf = EMPTY;
    this.targetSeconds = NaN;
    this.started = performance.now();
    this.connect();
    this.last = this.router.clock.now();
    // The running timer serves while it falls due within this request's window (the idle timeout may have been shortened).
    const idle = this.ex.idleTimeoutMs;
    if (!this.timer || this.timerDue > this.last + idle) {
      this.stopTimer();
      this.arm(idle);
    }
    this.ex.watch(this.onAbort);
  }

  /** Sends the head on the kept target connection when it goes to the same target, else on a pooled or new one. */
  private connect(): void {
    const { host, port } = this.ex;
    if (this.up && (this.upHost !== host || this.upPort !== port || this.up.destroyed)) this.unpair(true);
    if (!this.up) {
      const socket = this.router.upstreams.acquire(host, port);
      this.upReused = !socket.connecting;
      this.up = socket;
      this.upHost = host;
      this.upPort = port;
      socket.on('data', this.onUpData).on('error', this.onUpFail).on('close', this.onUpFail).on('end', this.onUpEnd);
      if (socket.isPaused()) socket.resume();
    } else this.upReused = true;
    this.up.write(this.ex.head);
  }

  /** Lets go of the target connection: back to the pool when it is idle and sound (`keep`), else closed. */
  private unpair(keep: boolean): void {
    const up = this.up;
    if (!up) return;
    this.up = undefined;
    up.off('data', this.onUpData).off('error', this.onUpFail).off('close', this.onUpFail).off('end', this.onUpEnd);
    if (keep) this.router.upstreams.release(this.upHost, this.upPort, up);
    else up.destroy();
  }

  /**
   * One idle timer per connection, not per request: activity (and each new request) moves a
   * timestamp, and the timer re-arms for the rest of the window; it lapses between requests.
   */
  private arm(ms: number): void {
    this.timerDue = this.router.clock.now() + ms;
    this.timer = this.router.clock.setTimer(ms, this.onTimer);
  }

  private timerFired(): void {
    this.timer = undefined;
    if (!this.busy) return;
    const quiet = this.router.clock.now() - this.last;
    if (quiet >= this.ex.idleTimeoutMs) this.expire();
    else this.arm(this.ex.idleTimeoutMs - quiet);
  }

  private upData(chunk: Buffer): void {
    if (!this.busy) return this.unpair(false); // bytes nobody asked for: the connection cannot be trusted
    this.last = this.router.clock.now();
    if (this.responding) return this.body(chunk);
    this.upBuf = this.upBuf.length ? Buffer.concat([this.upBuf, chunk]) : chunk;
    for (;;) {
      const s = this.res;
      const r = s.scan(this.upBuf, this.method);
      if (r === Scan.Incomplete) return;
      if (r === Scan.Other) return this.slowResponse();
      if (s.status < 200 && s.status !== 101) {
        this.upBuf = this.upBuf.subarray(s.length); // interim (1xx) answers are not relayed, as on the node:http path
        continue;
      }
      if (s.status === 101) return this.failBeforeHead(502); // no upgrade was asked for
      this.respond(s.status, s.framing, s.remaining, s.http11 && !s.close);
      this.headSrc = this.upBuf;
      return this.afterHead(s.length);
    }
  }

  /** A response head the byte scanner leaves: the string parser reads it (or it is a 502). */
  private slowResponse(): void {
    const r = parseResponseHead(this.upBuf);
    if (r === 'incomplete') return;
    const framing = r === 'unsupported' || r.status === 101 ? undefined : responseFraming(this.method, r);
    if (r === 'unsupported' || !framing) return this.failBeforeHead(502);
    if (r.status < 200) {
      this.upBuf = this.upBuf.subarray(r.length);
      return this.upBuf.length ? this.upData(EMPTY) : undefined;
    }
    const kind = { none: Framing.None, length: Framing.Length, chunked: Framing.Chunked, close: Framing.Close }[framing.kind];
    this.respond(r.status, kind, framing.kind === 'length' ? framing.remaining : 0, r.version === '1.1' && !wantsClose(r));
    this.slowHead = slowClientHead(r, kind === Framing.Chunked, this.extraLines());
    this.afterHead(r.length);
  }

  private respond(status: number, framing: Framing, remaining: number, reusable: boolean): void {
    this.responding = this.headPending = true;
    this.status = status;
    this.framing = framing;
    this.remaining = remaining;
    this.reusable = reusable;
    this.closeAfter ||= framing === Framing.Close;
    if (framing === Framing.Chunked) this.chunks.reset();
    this.targetSeconds = (performance.now() - this.started) / 1000;
  }

  private afterHead(length: number): void {
    const rest = this.upBuf.length === length ? EMPTY : this.upBuf.subarray(length);
    this.upBuf = EMPTY;
    this.body(rest);
    if (this.headPending && this.busy) this.emit(EMPTY); // no body bytes yet: the head goes alone
  }

  /** Cookie and connection lines of the load balancer's own, after the target's fields. */
  private extraLines(): string {
    return this.ex.cookies.length || this.closeAfter ? elbLines(this.ex.cookies, this.closeAfter) : '';
  }

  private body(chunk: Buffer): void {
    let end = chunk.length;
    let complete = false;
    const f = this.framing;
    if (f === Framing.None) {
      end = 0;
      complete = true;
    } else if (f === Framing.Length) {
      if (end > this.remaining) end = this.remaining;
      this.remaining -= end;
      complete = this.remaining === 0;
    } else if (f === Framing.Chunked) {
      const at = this.chunks.scan(chunk);
      if (at === -2) return this.cut(this.status, -1, this.targetSeconds);
      if (at >= 0) {
        end = at;
        complete = true;
      }
    }
    if ((end > 0 || this.headPending) && !this.emit(end === chunk.length ? chunk : chunk.subarray(0, end)) && !complete) {
      this.up!.pause();
      this.client.once('drain', this.onDrain);
    }
    if (complete) this.finish(end === chunk.length);
  }

  /** Writes body bytes to the client, the response head first when it has not gone yet (one write for a small response). */
  private emit(bytes: Buffer): boolean {
    if (!this.headPending) return this.client.write(bytes);
    this.headPending = false;
    if (bytes.length > SMALL) {
      this.client.write(this.slowHead ?? this.clientHead(EMPTY));
      return this.client.write(bytes);
    }
    const head = this.slowHead;
    if (head === undefined) return this.client.write(this.clientHead(bytes));
    const out = Buffer.allocUnsafe(head.length + bytes.length);
    head.copy(out, 0);
    bytes.copy(out, head.length);
    return this.client.write(out);
  }

  private clientHead(body: Buffer): Buffer {
    return byteClientHead(this.res, this.headSrc, this.extraLines(), body);
  }

  /** The response is complete: the target connection stays for the next request when it can be reused. */
  private finish(clean: boolean): void {
    if (!clean || !this.reusable) this.unpair(false);
    this.settle(this.status, -1, this.targetSeconds);
  }

  private settle(targetStatus: number, elbStatus: number, targetSeconds = NaN): void {
    if (!this.busy) return;
    this.busy = false;
    this.headSrc = EMPTY;
    this.ex.done(targetStatus, elbStatus, targetSeconds);
    if (this.client.destroyed) return;
    if (this.closeAfter) return void this.client.end();
    if (this.client.isPaused()) this.client.resume();
    this.next();
  }

  private upFailed(): void {
    if (!this.busy) return this.unpair(false);
    if (!this.responding && !this.upBuf.length && this.upReused && (this.method === 'GET' || this.method === 'HEAD')) {
      // A kept-alive connection the target had already closed: one more try on a new one.
      this.unpair(false);
      return this.connect();
    }
    if (this.responding) return this.cut(this.status, -1, this.targetSeconds);
    this.failBeforeHead(502);
  }

  private upEnded(): void {
    if (this.busy && this.responding && this.framing === Framing.Close) return this.finish(false);
    this.upFailed();
  }

  private failBeforeHead(status: number): void {
    this.unpair(false);
    this.client.write(elbErrorResponse(status, this.closeAfter), 'latin1');
    this.settle(-1, status);
  }

  /** A failure after the response began: a status can no longer be sent, so the client connection is cut. */
  private cut(targetStatus: number, elbStatus: number, targetSeconds = NaN): void {
    this.unpair(false);
    this.client.destroy();
    this.settle(targetStatus, elbStatus, targetSeconds);
  }

  private expire(): void {
    if (this.responding) return this.cut(-1, 504);
    this.failBeforeHead(504);
  }

  private aborted(): void {
    if (!this.busy) return;
    if (this.responding) return this.cut(-1, -1);
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
    if (this.busy) {
      this.unpair(false);
      this.settle(-1, -1);
    } else this.unpair(true);
  }
}
