import type { Socket } from 'node:net';
import type { Clock } from '../../../core/clock.js';
import type { RequestScan } from './head-scan.js';
import type { UpstreamPool } from './upstream-pool.js';

/**
 * One connection's routing for the fast path, reused for each of its requests: `plan` fills
 * it in (or answers false to send the connection to node:http), `done` settles the exchange.
 */
export interface FastExchange {
  host: string;
  port: number;
  /** The request head for the target, blank line included. */
  head: Buffer;
  /** Set-Cookie values of the load balancer's own (stickiness); usually none. */
  cookies: readonly string[];
  idleTimeoutMs: number;
  plan(buf: Buffer, scan: RequestScan, client: Socket): boolean;
  /** Registers the abort of a draining target's delay running out, until `done`. */
  watch(abort: () => void): void;
  /** The exchange ended: the target is released and the metrics counted (-1 / NaN: no such figure). */
  done(targetStatus: number, elbStatus: number, targetSeconds: number): void;
}

export interface FastRouter {
  readonly clock: Clock;
  readonly upstreams: UpstreamPool;
  exchange(): FastExchange;
  /** Gives the connection, with the bytes read but not handled, to the node:http server. */
  handOver(client: Socket, buffered: Buffer): void;
}
