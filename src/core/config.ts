import type { LogLevel } from './logger.js';

/** Slipway's settings, from flags, then environment variables, then these defaults. */
export interface SlipwayConfig {
  host: string;
  port: number;
  dataDir: string;
  /** AWS waits run this many times faster (60 turns a 5-minute canary into 5 seconds). */
  timeScale: number;
  defaultRegion: string;
  logLevel: LogLevel;
  /** The largest non-streaming request body accepted. */
  maxBodyBytes: number;
  /**
   * How load balancer listeners bind: `requested` binds the port the listener asks for;
   * `ephemeral` binds an OS-chosen port (the API still shows the requested one), so several
   * Slipways (tests) can run listeners on "port 80" at once.
   */
  elbPorts: 'requested' | 'ephemeral';
}

export const DEFAULTS: SlipwayConfig = {
  host: '127.0.0.1',
  port: 4566,
  dataDir: './.slipway',
  timeScale: 1,
  defaultRegion: 'us-east-1',
  logLevel: 'info',
  maxBodyBytes: 256 * 1024 * 1024,
  elbPorts: 'requested',
};
