import { request } from 'node:http';
import type { Clock } from '../../../core/clock.js';
import { parseMatcher } from '../health-settings.js';
import type { HealthCheckSettings } from '../store.js';
import type { CheckResult } from './health-state.js';

/**
 * One health check: a GET of the check path on its own connection (closed afterwards, as
 * AWS does), judged by the matcher. The timeout is AWS time on the engine's clock.
 */
export function runHealthCheck(clock: Clock, hc: HealthCheckSettings, host: string, trafficPort: number): Promise<CheckResult> {
  const port = hc.port === 'traffic-port' ? trafficPort : Number(hc.port);
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: CheckResult) => {
      if (done) return;
      done = true;
      timer.cancel();
      req.destroy();
      resolve(r);
    };
    const req = request({ host, port, path: hc.protocol === 'HTTP' ? hc.path : '/', method: 'GET', agent: false, headers: { 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' } });
    const timer = clock.setTimer(hc.timeoutSeconds * 1000, () => finish({ ok: false, reason: 'Target.Timeout', description: 'Request timed out' }));
    if (hc.protocol === 'TCP') {
      // A TCP check passes once the connection opens.
      req.on('socket', (s) => s.on('connect', () => finish({ ok: true })));
    }
    req.on('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      const matches = parseMatcher(hc.matcher) ?? ((s: number) => s === 200);
      finish(matches(status) ? { ok: true } : { ok: false, reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${status}]` });
    });
    req.on('error', () => finish({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }));
    req.end();
  });
}
