import { request, type Agent, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock, Timer } from '../../../core/clock.js';

/** Hop-by-hop headers a proxy must not pass on (RFC 9110 7.6.1). */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

const NONE: ReadonlySet<string> = new Set();

export function forwardHeaders(headers: IncomingHttpHeaders, extra: Record<string, string | undefined>, keepUpgrade = false): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = headers.connection ? new Set(headers.connection.split(',').map((s) => s.trim().toLowerCase())) : NONE;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || (HOP.has(k) && !(keepUpgrade && (k === 'upgrade' || k === 'connection'))) || (named.has(k) && !keepUpgrade)) continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

export const ELB_TEXT: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out', 500: 'Internal Server Error' };

/** The page an ALB answers its own errors with. */
export function elbErrorBody(status: number): string {
  const title = `${status} ${ELB_TEXT[status] ?? ''}`.trim();
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

export function sendElbError(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = elbErrorBody(status);
  res.writeHead(status, { server: 'awselb/2.0', 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const asList = (v: string | number | readonly string[]): string[] => (Array.isArray(v) ? [...(v as readonly string[])] : [String(v)]);

export interface ForwardResult {
  /** The target's status, when it answered. */
  targetStatus?: number;
  /** The load balancer's own status (502, 504) when the target did not. */
  elbStatus?: number;
  targetSeconds?: number;
}

export interface ForwardOptions {
  host: string;
  port: number;
  headers: OutgoingHttpHeaders;
  agent: Agent;
  clock: Clock;
  /** AWS milliseconds without a byte from the target before the request fails with 504. */
  idleTimeoutMs: number;
  /** Registers an abort, used when a draining target's deregistration delay runs out. */
  onAbort(abort: () => void): () => void;
}

/**
 * Streams a request to a target and its response back. A target that refuses or resets
 * gets 502, one that stays silent past the idle timeout 504; a failure after the response
 * started cuts the client connection, since a status can no longer be sent.
 */
export function forward(req: IncomingMessage, res: ServerResponse, o: ForwardOptions): Promise<ForwardResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let timer: Timer | undefined;
    let settled = false;
    const settle = (r: ForwardResult) => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      unregister();
      resolve(r);
    };
    const fail = (status: number) => {
      upstream.destroy();
      sendElbError(res, status);
      settle({ elbStatus: status });
    };
    // One timer per request: activity only moves a timestamp, and the timer re-arms for the
    // rest of the window when it fires early (a timer per chunk would cost more than the copy).
    let last = o.clock.now();
    const expire = () => (res.headersSent ? (upstream.destroy(), res.destroy(), settle({ elbStatus: 504 })) : fail(504));
    const arm = (ms: number) => {
      timer = o.clock.setTimer(ms, () => {
        const quiet = o.clock.now() - last;
        if (quiet >= o.idleTimeoutMs) expire();
        else arm(o.idleTimeoutMs - quiet);
      });
    };
    const idle = () => {
      last = o.clock.now();
      if (!timer) arm(o.idleTimeoutMs);
    };
    const upstream = request({ host: o.host, port: o.port, method: req.method, path: req.url, headers: o.headers, agent: o.agent });
    const unregister = o.onAbort(() => (res.headersSent ? (upstream.destroy(), res.destroy(), settle({})) : fail(502)));
    idle();
    upstream.on('response', (up) => {
      const targetSeconds = (performance.now() - started) / 1000;
      const headers = forwardHeaders(up.headers, {});
      // Stickiness cookies set by the load balancer go out alongside the target's own.
      const ours = res.getHeader('set-cookie');
      if (ours !== undefined && headers['set-cookie'] !== undefined) headers['set-cookie'] = [...asList(ours), ...asList(headers['set-cookie'])];
      res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
      idle();
      up.on('data', (chunk: Buffer) => {
        idle();
        if (!res.write(chunk)) {
          up.pause();
          res.once('drain', () => up.resume());
        }
      });
      up.on('end', () => {
        res.end();
        settle({ targetStatus: up.statusCode, targetSeconds });
      });
      up.on('error', () => (res.destroy(), settle({ targetStatus: up.statusCode, targetSeconds })));
      up.on('aborted', () => (res.destroy(), settle({ targetStatus: up.statusCode, targetSeconds })));
    });
    upstream.on('error', () => (res.headersSent ? (res.destroy(), settle({})) : fail(502)));
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        settle({});
      }
    });
    req.pipe(upstream);
  });
}

/** Passes a WebSocket (or any Upgrade) through: the target's 101 and then bytes both ways. */
export function forwardUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, o: Omit<ForwardOptions, 'agent' | 'idleTimeoutMs' | 'clock'>): Promise<ForwardResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: ForwardResult) => {
      if (!settled) {
        settled = true;
        unregister();
        resolve(r);
      }
    };
    const upstream = request({ host: o.host, port: o.port, method: req.method, path: req.url, headers: o.headers, agent: false });
    const unregister = o.onAbort(() => (upstream.destroy(), client.destroy()));
    upstream.on('upgrade', (up, socket, upHead) => {
      const lines = [`HTTP/1.1 ${up.statusCode ?? 101} ${up.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < up.rawHeaders.length; i += 2) lines.push(`${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}`);
      client.write(lines.join('\r\n') + '\r\n\r\n');
      if (upHead.length) client.write(upHead);
      if (head.length) socket.write(head);
      socket.pipe(client).pipe(socket);
      const end = () => (socket.destroy(), client.destroy(), settle({ targetStatus: up.statusCode ?? 101 }));
      socket.on('close', end).on('error', end);
      client.on('close', end).on('error', end);
    });
    upstream.on('response', (up) => {
      // The target refused the upgrade: relay its answer as a plain response.
      const lines = [`HTTP/1.1 ${up.statusCode} ${up.statusMessage ?? ''}`];
      for (let i = 0; i < up.rawHeaders.length; i += 2) lines.push(`${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}`);
      client.write(lines.join('\r\n') + '\r\n\r\n');
      up.pipe(client);
      up.on('end', () => settle({ targetStatus: up.statusCode }));
    });
    upstream.on('error', () => {
      if (client.writable) client.end(`HTTP/1.1 502 Bad Gateway\r\nserver: awselb/2.0\r\ncontent-type: text/html\r\ncontent-length: ${Buffer.byteLength(elbErrorBody(502))}\r\nconnection: close\r\n\r\n${elbErrorBody(502)}`);
      settle({ elbStatus: 502 });
    });
    client.on('error', () => upstream.destroy());
    upstream.end();
  });
}
