import type { CreateTargetGroupInput, ModifyTargetGroupInput } from '../../aws/models/generated/elbv2.js';
import { validation } from './common.js';
import type { HealthCheckSettings, TargetGroupRecord } from './store.js';

/** AWS's health check defaults for a target group of this protocol. */
export function defaultHealthCheck(protocol: TargetGroupRecord['protocol']): HealthCheckSettings {
  if (protocol === 'TCP') {
    return { protocol: 'TCP', port: 'traffic-port', path: '', enabled: true, intervalSeconds: 30, timeoutSeconds: 10, healthyThreshold: 5, unhealthyThreshold: 2, matcher: '' };
  }
  return { protocol: 'HTTP', port: 'traffic-port', path: '/', enabled: true, intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 2, matcher: '200' };
}

/** Parses a matcher ("200", "200,202", "200-299") into a test of a status code; undefined when malformed. */
export function parseMatcher(text: string): ((status: number) => boolean) | undefined {
  const parts = text.split(',').map((p) => p.trim());
  const tests: ((s: number) => boolean)[] = [];
  const inRange = (n: number) => Number.isInteger(n) && n >= 200 && n <= 499;
  for (const part of parts) {
    const range = /^(\d{3})-(\d{3})$/.exec(part);
    if (range) {
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      if (!inRange(lo) || !inRange(hi) || lo > hi) return undefined;
      tests.push((s) => s >= lo && s <= hi);
    } else if (/^\d{3}$/.test(part) && inRange(Number(part))) {
      const code = Number(part);
      tests.push((s) => s === code);
    } else {
      return undefined;
    }
  }
  return (s) => tests.some((t) => t(s));
}

type HealthInput = Pick<
  CreateTargetGroupInput & ModifyTargetGroupInput,
  | 'HealthCheckProtocol' | 'HealthCheckPort' | 'HealthCheckPath' | 'HealthCheckEnabled' | 'HealthCheckIntervalSeconds' | 'HealthCheckTimeoutSeconds'
  | 'HealthyThresholdCount' | 'UnhealthyThresholdCount' | 'Matcher'
>;

/** Applies health check settings from a request over `base`, with AWS's checks. */
export function healthCheckFrom(base: HealthCheckSettings, input: HealthInput): HealthCheckSettings {
  const hc: HealthCheckSettings = {
    protocol: input.HealthCheckProtocol === undefined ? base.protocol : (input.HealthCheckProtocol as HealthCheckSettings['protocol']),
    port: input.HealthCheckPort ?? base.port,
    path: input.HealthCheckPath ?? base.path,
    enabled: input.HealthCheckEnabled ?? base.enabled,
    intervalSeconds: input.HealthCheckIntervalSeconds ?? base.intervalSeconds,
    timeoutSeconds: input.HealthCheckTimeoutSeconds ?? base.timeoutSeconds,
    healthyThreshold: input.HealthyThresholdCount ?? base.healthyThreshold,
    unhealthyThreshold: input.UnhealthyThresholdCount ?? base.unhealthyThreshold,
    matcher: input.Matcher?.HttpCode ?? base.matcher,
  };
  if (!['HTTP', 'TCP'].includes(hc.protocol)) throw validation(`Health check protocol '${hc.protocol}' is not supported; Slipway checks targets over HTTP (or TCP for network load balancers)`);
  if (input.Matcher?.GrpcCode !== undefined) throw validation('A gRPC matcher is only valid for target groups with protocol version GRPC');
  if (hc.port !== 'traffic-port' && !(/^\d+$/.test(hc.port) && Number(hc.port) >= 1 && Number(hc.port) <= 65535)) {
    throw validation(`Health check port '${hc.port}' must be 'traffic-port' or a port between 1 and 65535`);
  }
  if (hc.protocol === 'HTTP') {
    if (!hc.path.startsWith('/')) throw validation(`Health check path '${hc.path}' must begin with a '/' character`);
    if (!parseMatcher(hc.matcher)) throw validation(`Health check matcher HTTP code '${hc.matcher}' must be a code from 200 to 499, a comma-separated list of codes or a range such as '200-299'`);
  }
  if (hc.timeoutSeconds >= hc.intervalSeconds) {
    throw validation(`Health check interval '${hc.intervalSeconds}' must be greater than the timeout '${hc.timeoutSeconds}'`);
  }
  return hc;
}
