import { createServer, type Agent, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { randomBytes } from 'node:crypto';
import type { Action } from '../../../aws/models/generated/elbv2.js';
import type { Clock } from '../../../core/clock.js';
import { errorMessage } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { Scope } from '../../../core/scope.js';
import type { RequestFacts } from '../conditions.js';
import { ListenerExchange } from './fast-exchange.js';
import { FastConnection } from './fast-path.js';
import type { FastRouter } from './fast-router.js';
import { forward, forwardHeaders, forwardUpgrade, sendElbError, type ForwardResult } from './forward.js';
import type { MetricsAggregator } from './metrics.js';
import { redirectLocation } from './redirect.js';
import { dimensionOf, selectRoute, type Route, type RouteTable } from './route-table.js';
import { SniTable, type PemPair } from './certificates.js';
import type { TargetPool, TargetRuntime } from './target-pool.js';
import type { UpstreamPool } from './upstream-pool.js';

/** What a listener's server needs from the engine. */
export interface ProxyHost {
  table(listenerArn: string): RouteTable | undefined;
  pool(scope: Scope, tgArn: string): TargetPool | undefined;
  readonly agent: Agent;
  readonly upstreams: UpstreamPool;
  readonly clock: Clock;
  readonly metrics: MetricsAggregator;
  readonly log: Logger;
}

interface Destination {
  pool: TargetPool;
  target: TargetRuntime;
  cookies: string[];
}

function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

// Trace ids: a random per-process prefix and a counter make them unique without a random draw per request.
const tracePrefix = randomBytes(6).toString('hex');
let traceCounter = 0;
// The time part changes once a second: kept with the prefix rather than formatted per request.
let traceSecond = -1;
let traceHead = '';
function traceId(now: number): string {
  traceCounter = (traceCounter + 1) % 0x1000000000000;
  const second = Math.floor(now / 1000);
  if (second !== traceSecond) {
    traceSecond = second;
    traceHead = `Root=1-${second.toString(16).padStart(8, '0')}-${tracePrefix}`;
  }
  return `${traceHead}${traceCounter.toString(16).padStart(12, '0')}`;
}

/**
 * One listener: a server that routes each request by the listener's rules. A plain HTTP
 * listener accepts connections on the fast path (fast-path.ts), which hands a connection
 * to the node:http server at the first request it does not carry; HTTPS listeners use
 * node:https throughout.
 */
export class ListenerServer implements FastRouter {
  /** The listening server. */
  readonly server: Server;
  /** The node:http (or node:https) server that handles what the fast path does not. */
  private readonly http: Server;
  private readonly sockets = new Set<Socket | Duplex>();

  private readonly proto: 'http' | 'https';
  /** An HTTPS listener's further certificates, by SNI name; replaced in place when they change. */
  sni = new SniTable();

  constructor(
    readonly listenerArn: string,
    private readonly host: ProxyHost,
    tls?: PemPair,
  ) {
    // A failure inside the proxy answers 500 (an ELB error), never a hang.
    const onRequest = (req: IncomingMessage, res: ServerResponse) =>
      void this.handle(req, res).catch((e: unknown) => {
        host.log.error('load balancer request failed', { listener: listenerArn, error: errorMessage(e) });
        sendElbError(res, 500);
      });
    const options = { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 };
    this.proto = tls ? 'https' : 'http';
    const sniCallback = (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => cb(null, this.sni.match(name));
    this.http = tls ? createTlsServer({ ...options, cert: tls.cert, key: tls.key, SNICallback: sniCallback }, onRequest) : createServer(options, onRequest);
    this.server = tls
      ? this.http
      : createNetServer({ allowHalfOpen: true, noDelay: true }, (s) => {
          this.track(s);
          new FastConnection(s, this, options.keepAliveTimeout);
        });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head).catch((e: unknown) => {
        host.log.error('load balancer upgrade failed', { listener: listenerArn, error: errorMessage(e) });
        socket.destroy();
      }),
    );
    if (tls) this.http.on('connection', (s: Socket) => this.track(s));
  }

  get clock(): Clock {
    return this.host.clock;
  }

  get upstreams(): UpstreamPool {
    return this.host.upstreams;
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  handOver(client: Socket, buffered: Buffer): void {
    client.setTimeout(0);
    if (buffered.length) client.unshift(buffered);
    this.http.emit('connection', client);
    client.resume();
  }

  /** A connection's routing for the fast path. */
  exchange(): ListenerExchange {
    return new ListenerExchange(this);
  }

  currentTable(): RouteTable | undefined {
    return this.host.table(this.listenerArn);
  }

  get metrics(): MetricsAggregator {
    return this.host.metrics;
  }

  traceId(now: number): string {
    return traceId(now);
  }

  listen(port: number, bindHost: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, bindHost, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    return closed;
  }

  private facts(req: IncomingMessage): RequestFacts {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return this.factsOf(req.method ?? 'GET', req.url ?? '/', headers, req.socket.remoteAddress);
  }

  factsOf(method: string, url: string, headers: Record<string, string | undefined>, sourceIp: string | undefined): RequestFacts {
    const q = url.indexOf('?');
    const query: [string, string][] = q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
    return { method, path: q < 0 ? url : url.slice(0, q), host: (headers.host ?? '').replace(/:\d+$/, '').toLowerCase(), headers, query, sourceIp: sourceIp ?? '' };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const table = this.host.table(this.listenerArn);
    if (!table) return sendElbError(res, 503);
    const facts = table.rules.length || table.fallback.action.Type === 'redirect' ? this.facts(req) : undefined;
    const route = facts ? selectRoute(table, facts) : table.fallback;
    const lb = dimensionOf(table.lb.arn);
    const record = (r: ForwardResult, tg?: string) => this.host.metrics.record({ scope: table.scope, lb, tg, ...r });
    const action = route.action;
    if (action.Type === 'fixed-response') {
      const f = action.FixedResponseConfig!;
      const body = f.MessageBody ?? '';
      res.writeHead(Number(f.StatusCode), { server: 'awselb/2.0', 'content-type': f.ContentType ?? 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      req.resume();
      return record({ elbStatus: Number(f.StatusCode) });
    }
    if (action.Type === 'redirect') {
      const r = action.RedirectConfig!;
      const status = r.StatusCode === 'HTTP_301' ? 301 : 302;
      const query = facts!.query.length ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
      const location = redirectLocation(r, { protocol: this.proto, host: facts!.host, port: table.listener.port, path: facts!.path, query });
      res.writeHead(status, { server: 'awselb/2.0', location, 'content-length': 0 });
      res.end();
      req.resume();
      return record({ elbStatus: status });
    }
    const dest = this.destination(req.headers.cookie, table, route);
    if (!dest) {
      sendElbError(res, 503);
      req.resume();
      return record({ elbStatus: 503 }, this.firstGroup(action));
    }
    for (const c of dest.cookies) res.appendHeader('set-cookie', c);
    const result = await this.send(req, res, table, dest);
    record(result, dimensionOf(dest.pool.tg.arn));
  }

  private firstGroup(action: Action): string | undefined {
    const arn = action.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
    return arn ? dimensionOf(arn) : undefined;
  }

  /** The target group (by weight, or the sticky one) and the target (round robin, or the sticky one). */
  destination(cookieHeader: string | undefined, table: RouteTable, route: Route): Destination | undefined {
    const fc = route.action.ForwardConfig!;
    const cookies: string[] = [];
    let order: string[];
    const only = fc.TargetGroups?.length === 1 && !fc.TargetGroupStickinessConfig?.Enabled ? fc.TargetGroups[0] : undefined;
    if (only) {
      // One group (the common case): no weighing to do.
      if ((only.Weight ?? 1) <= 0) return undefined;
      order = [only.TargetGroupArn!];
    } else {
      const groups = (fc.TargetGroups ?? []).map((g) => ({ key: g.TargetGroupArn!, weight: g.Weight ?? 1 }));
      const stickyGroup = fc.TargetGroupStickinessConfig?.Enabled ? cookie(cookieHeader, 'AWSALBTG') : undefined;
      const first = stickyGroup && groups.some((g) => g.key === stickyGroup && g.weight > 0) ? stickyGroup : route.picker.pick(groups);
      if (!first) return undefined;
      // A group with no target able to take the request (its targets still in their first health
      // check, say) passes it to the other weighted groups rather than failing it.
      order = [first, ...groups.filter((g) => g.key !== first && g.weight > 0).sort((a, b) => b.weight - a.weight).map((g) => g.key)];
    }
    for (const tgArn of order) {
      const pool = this.host.pool(table.scope, tgArn);
      if (!pool) continue;
      const stickyTargets = pool.tg.attributes['stickiness.enabled'] === 'true';
      const target = pool.choose(stickyTargets ? cookie(cookieHeader, 'AWSALB') : undefined);
      if (!target) continue;
      if (fc.TargetGroupStickinessConfig?.Enabled) cookies.push(`AWSALBTG=${encodeURIComponent(tgArn)}; Max-Age=${fc.TargetGroupStickinessConfig.DurationSeconds}; Path=/`);
      if (stickyTargets) cookies.push(`AWSALB=${encodeURIComponent(target.key)}; Max-Age=${pool.tg.attributes['stickiness.lb_cookie.duration_seconds']}; Path=/`);
      return { pool, target, cookies };
    }
    return undefined;
  }

  private headersFor(reqHeaders: IncomingHttpHeaders, socket: { remoteAddress?: string; remotePort?: number }, table: RouteTable, keepUpgrade: boolean) {
    const attrs = table.lb.attributes;
    const client = socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const clientEntry = attrs['routing.http.xff_client_port.enabled'] === 'true' ? `${client}:${socket.remotePort}` : client;
    const existing = reqHeaders['x-forwarded-for'];
    const mode = attrs['routing.http.xff_header_processing.mode'];
    const xff = mode === 'remove' ? undefined : mode === 'preserve' ? (existing as string | undefined) : existing ? `${existing}, ${clientEntry}` : clientEntry;
    const port = table.listener.port;
    const hostName = (reqHeaders.host ?? '').replace(/:\d+$/, '');
    const defaultPort = this.proto === 'https' ? 443 : 80;
    const host = attrs['routing.http.preserve_host_header.enabled'] === 'true' ? reqHeaders.host : port === defaultPort ? hostName : `${hostName}:${port}`;
    return forwardHeaders(
      reqHeaders,
      {
        host,
        'x-forwarded-for': xff,
        'x-forwarded-proto': this.proto,
        'x-forwarded-port': String(port),
        'x-amzn-trace-id': (reqHeaders['x-amzn-trace-id'] as string | undefined) ?? traceId(this.host.clock.now()),
      },
      keepUpgrade,
    );
  }

  private async send(req: IncomingMessage, res: ServerResponse, table: RouteTable, dest: Destination): Promise<ForwardResult> {
    const { pool, target } = dest;
    target.inFlight++;
    try {
      return await forward(req, res, {
        host: target.address!,
        port: target.port,
        headers: this.headersFor(req.headers, req.socket, table, false),
        agent: this.host.agent,
        clock: this.host.clock,
        idleTimeoutMs: Number(table.lb.attributes['idle_timeout.timeout_seconds'] ?? '60') * 1000,
        onAbort: (abort) => {
          target.aborts.add(abort);
          return () => target.aborts.delete(abort);
        },
      });
    } finally {
      pool.release(target);
    }
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const table = this.host.table(this.listenerArn);
    const route = table && selectRoute(table, this.facts(req));
    const dest = table && route?.action.Type === 'forward' ? this.destination(req.headers.cookie, table, route) : undefined;
    if (!table || !dest) {
      socket.end('HTTP/1.1 503 Service Temporarily Unavailable\r\nserver: awselb/2.0\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    dest.target.inFlight++;
    try {
      const result = await forwardUpgrade(req, socket, head, {
        host: dest.target.address!,
        port: dest.target.port,
        headers: this.headersFor(req.headers, req.socket, table, true),
        onAbort: (abort) => {
          dest.target.aborts.add(abort);
          return () => dest.target.aborts.delete(abort);
        },
      });
      this.host.metrics.record({ scope: table.scope, lb: dimensionOf(table.lb.arn), tg: dimensionOf(dest.pool.tg.arn), ...result });
    } finally {
      dest.pool.release(dest.target);
    }
  }
}
