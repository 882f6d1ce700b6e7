import type { Socket } from 'node:net';
import type { Clock } from '../../../core/clock.js';
import type { RequestFacts } from '../conditions.js';
import type { FastExchange } from './fast-router.js';
import type { RequestScan } from './head-scan.js';
import { parseRequestHead } from './http1.js';
import type { MetricCounter, MetricsAggregator } from './metrics.js';
import { dimensionOf, selectRoute, type Route, type RouteTable } from './route-table.js';
import type { TargetPool, TargetRuntime } from './target-pool.js';

/** What a connection's exchange needs from its listener. */
export interface ExchangeHost {
  currentTable(): RouteTable | undefined;
  readonly clock: Clock;
  readonly metrics: MetricsAggregator;
  factsOf(method: string, url: string, headers: Record<string, string | undefined>, sourceIp: string | undefined): RequestFacts;
  destination(cookieHeader: string | undefined, table: RouteTable, route: Route): { pool: TargetPool; target: TargetRuntime; cookies: string[] } | undefined;
  traceId(now: number): string;
}

const NO_BYTES = Buffer.alloc(0);
const NONE: readonly string[] = [];

/**
 * A fast-path connection's routing, reused for each of its requests. What does not change
 * between requests on a connection (the Host and X-Forwarded-* lines, the idle timeout, the
 * metric counters) is kept until the route table or the Host changes.
 */
export class ListenerExchange implements FastExchange {
  host = '';
  port = 0;
  head: Buffer = NO_BYTES;
  cookies: readonly string[] = NONE;
  idleTimeoutMs = 60_000;
  private target: TargetRuntime | undefined;
  private pool: TargetPool | undefined;
  private abort: (() => void) | undefined;
  // Kept between requests.
  private table: RouteTable | undefined;
  private lbCounter: MetricCounter | undefined;
  private tgCounter: MetricCounter | undefined;
  private tgPool: TargetPool | undefined;
  private hostRaw = '';
  /** The Host, X-Forwarded-For (when the client sent none), -Proto and -Port lines. */
  private fixedLines: Buffer = NO_BYTES;

  constructor(private readonly listener: ExchangeHost) {}

  plan(buf: Buffer, scan: RequestScan, client: Socket): boolean {
    const table = this.listener.currentTable();
    if (!table) return false;
    let route = table.fallback;
    if (table.rules.length) {
      // Rules may read any field: the string parser gives them all.
      const h = parseRequestHead(buf);
      if (typeof h === 'string') return false;
      route = selectRoute(table, this.listener.factsOf(h.method, h.target, h.headers, client.remoteAddress));
    }
    if (route.action.Type !== 'forward') return false;
    const cookie = scan.cookieStart >= 0 ? buf.toString('latin1', scan.cookieStart, scan.cookieEnd) : undefined;
    const dest = this.listener.destination(cookie, table, route);
    if (!dest) return false;
    const { pool, target } = dest;
    target.inFlight++;
    this.target = target;
    this.pool = pool;
    this.host = target.address!;
    this.port = target.port;
    this.cookies = dest.cookies.length ? dest.cookies : NONE;
    if (table !== this.table) this.useTable(table);
    if (pool !== this.tgPool || this.tgCounter!.dead) {
      this.tgPool = pool;
      this.tgCounter = this.listener.metrics.counter(table.scope, dimensionOf(table.lb.arn), dimensionOf(pool.tg.arn));
    }
    if (this.lbCounter!.dead) this.lbCounter = this.listener.metrics.counter(table.scope, dimensionOf(table.lb.arn));
    this.head = this.buildHead(buf, scan, client, table);
    return true;
  }

  private useTable(table: RouteTable): void {
    this.table = table;
    this.hostRaw = '\n'; // no Host looks like this: the lines are built again
    this.idleTimeoutMs = Number(table.lb.attributes['idle_timeout.timeout_seconds'] ?? '60') * 1000;
    this.lbCounter = this.listener.metrics.counter(table.scope, dimensionOf(table.lb.arn));
    this.tgPool = undefined;
  }

  /**
   * The client's start line and kept lines, then the load balancer's: one buffer. No Connection
   * field: HTTP/1.1 keeps the connection by default, and the target has one field less to parse.
   */
  private buildHead(buf: Buffer, scan: RequestScan, client: Socket, table: RouteTable): Buffer {
    const hostRaw = buf.toString('latin1', scan.hostStart, scan.hostEnd);
    let fixed = this.fixedLines;
    if (scan.xffStart >= 0) fixed = Buffer.from(this.lines(table, hostRaw, client, buf.toString('latin1', scan.xffStart, scan.xffEnd)), 'latin1');
    else if (hostRaw !== this.hostRaw) {
      this.hostRaw = hostRaw;
      fixed = this.fixedLines = Buffer.from(this.lines(table, hostRaw, client, undefined), 'latin1');
    }
    const trace = scan.hasTrace ? '' : `x-amzn-trace-id: ${this.listener.traceId(this.listener.clock.now())}\r\n`;
    const out = Buffer.allocUnsafe(scan.fieldsStart + scan.keptBytes + fixed.length + trace.length + 2);
    let at = buf.copy(out, 0, 0, scan.fieldsStart);
    at = scan.copyKept(buf, out, at);
    at += fixed.copy(out, at);
    if (trace) at += out.write(trace, at, 'latin1');
    out[at] = 0x0d; // the blank line
    out[at + 1] = 0x0a;
    return out;
  }

  /** Host and X-Forwarded-* lines as the listener's attributes say. */
  private lines(table: RouteTable, hostRaw: string, client: Socket, existingXff: string | undefined): string {
    const attrs = table.lb.attributes;
    const port = table.listener.port;
    const host = attrs['routing.http.preserve_host_header.enabled'] === 'true' ? hostRaw : port === 80 ? hostRaw.replace(/:\d+$/, '') : `${hostRaw.replace(/:\d+$/, '')}:${port}`;
    const ip = client.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const entry = attrs['routing.http.xff_client_port.enabled'] === 'true' ? `${ip}:${client.remotePort}` : ip;
    const mode = attrs['routing.http.xff_header_processing.mode'];
    const xff = mode === 'remove' ? undefined : mode === 'preserve' ? existingXff : existingXff ? `${existingXff}, ${entry}` : entry;
    return `host: ${host}\r\n${xff === undefined ? '' : `x-forwarded-for: ${xff}\r\n`}x-forwarded-proto: http\r\nx-forwarded-port: ${port}\r\n`;
  }

  watch(abort: () => void): void {
    this.abort = abort;
    this.target!.aborts.add(abort);
  }

  done(targetStatus: number, elbStatus: number, targetSeconds: number): void {
    const target = this.target!;
    if (this.abort) target.aborts.delete(this.abort);
    this.abort = undefined;
    this.target = undefined;
    this.pool!.release(target);
    this.lbCounter!.count(targetStatus, elbStatus, targetSeconds);
    this.tgCounter!.count(targetStatus, elbStatus, targetSeconds);
  }
}
