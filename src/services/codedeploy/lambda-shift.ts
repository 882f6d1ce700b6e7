import type { TrafficRoutingConfig } from '../../aws/models/generated/codedeploy.js';
import { ServiceError } from '../../core/errors.js';

const MINUTE = 60_000;

/** One traffic shift: the target version's share (percent), then the wait (AWS ms) before the next. */
export interface ShiftStep {
  percent: number;
  waitMs: number;
}

const invalid = (message: string) => new ServiceError('InvalidTrafficRoutingConfigurationException', message, { statusCode: 400 });

function checkPart(percent: number | undefined, interval: number | undefined, what: string): void {
  if (!Number.isInteger(percent) || percent! < 1 || percent! > 99) throw invalid(`The ${what} percentage must be a whole number from 1 to 99, got ${percent ?? 'nothing'}.`);
  if (!Number.isInteger(interval) || interval! < 1 || interval! > 2880) throw invalid(`The ${what} interval must be a whole number of minutes from 1 to 2880, got ${interval ?? 'nothing'}.`);
}

/** CreateDeploymentConfig's check of a traffic routing configuration. */
export function checkTrafficRouting(cfg: TrafficRoutingConfig | undefined): TrafficRoutingConfig {
  if (!cfg?.type) throw invalid('A traffic routing configuration needs a type: TimeBasedCanary, TimeBasedLinear or AllAtOnce.');
  if (cfg.type === 'TimeBasedCanary') {
    if (cfg.timeBasedLinear) throw invalid('A TimeBasedCanary configuration cannot have timeBasedLinear settings.');
    checkPart(cfg.timeBasedCanary?.canaryPercentage, cfg.timeBasedCanary?.canaryInterval, 'canary');
    return { type: cfg.type, timeBasedCanary: cfg.timeBasedCanary };
  }
  if (cfg.type === 'TimeBasedLinear') {
    if (cfg.timeBasedCanary) throw invalid('A TimeBasedLinear configuration cannot have timeBasedCanary settings.');
    checkPart(cfg.timeBasedLinear?.linearPercentage, cfg.timeBasedLinear?.linearInterval, 'linear');
    return { type: cfg.type, timeBasedLinear: cfg.timeBasedLinear };
  }
  if (cfg.timeBasedCanary || cfg.timeBasedLinear) throw invalid('An AllAtOnce configuration takes no canary or linear settings.');
  return { type: 'AllAtOnce' };
}

/**
 * The shifts a configuration makes: canary = its percentage, the interval, then 100;
 * linear = +percentage every interval until 100; all at once = 100.
 */
export function shiftPlan(cfg: TrafficRoutingConfig | undefined): ShiftStep[] {
  if (cfg?.type === 'TimeBasedCanary') {
    const c = cfg.timeBasedCanary!;
    return [{ percent: c.canaryPercentage!, waitMs: c.canaryInterval! * MINUTE }, { percent: 100, waitMs: 0 }];
  }
  if (cfg?.type === 'TimeBasedLinear') {
    const l = cfg.timeBasedLinear!;
    const steps: ShiftStep[] = [];
    for (let p = l.linearPercentage!; p < 100; p += l.linearPercentage!) steps.push({ percent: p, waitMs: l.linearInterval! * MINUTE });
    return [...steps, { percent: 100, waitMs: 0 }];
  }
  return [{ percent: 100, waitMs: 0 }];
}
