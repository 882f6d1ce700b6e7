import { describe, expect, it } from 'vitest';
import { predefined } from '../../../src/services/codedeploy/configs.js';
import { checkTrafficRouting, shiftPlan } from '../../../src/services/codedeploy/lambda-shift.js';

const MIN = 60_000;

describe('Lambda traffic shifting plans', () => {
  const table: [string, { percent: number; waitMs: number }[]][] = [
    ['CodeDeployDefault.LambdaCanary10Percent5Minutes', [{ percent: 10, waitMs: 5 * MIN }, { percent: 100, waitMs: 0 }]],
    ['CodeDeployDefault.LambdaCanary10Percent30Minutes', [{ percent: 10, waitMs: 30 * MIN }, { percent: 100, waitMs: 0 }]],
    ['CodeDeployDefault.LambdaAllAtOnce', [{ percent: 100, waitMs: 0 }]],
  ];
  it.each(table)('%s', (name, steps) => {
    expect(shiftPlan(predefined(name)!.trafficRoutingConfig)).toEqual(steps);
  });

  it('linear 10% every minute: ten steps, 10 to 100', () => {
    const plan = shiftPlan(predefined('CodeDeployDefault.LambdaLinear10PercentEvery1Minute')!.trafficRoutingConfig);
    expect(plan.map((s) => s.percent)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(plan.slice(0, -1).every((s) => s.waitMs === MIN)).toBe(true);
  });

  it('linear steps that do not divide 100 end at 100', () => {
    expect(shiftPlan({ type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 30, linearInterval: 2 } }).map((s) => s.percent)).toEqual([30, 60, 90, 100]);
  });

  const invalid: [string, object, RegExp][] = [
    ['no type', {}, /needs a type/],
    ['canary without settings', { type: 'TimeBasedCanary' }, /canary percentage must be a whole number from 1 to 99, got nothing/],
    ['canary 0%', { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 0, canaryInterval: 5 } }, /got 0/],
    ['canary 100%', { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 100, canaryInterval: 5 } }, /got 100/],
    ['canary 0 minutes', { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 0 } }, /canary interval must be a whole number of minutes/],
    ['linear with canary settings', { type: 'TimeBasedLinear', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 1 } }, /cannot have timeBasedCanary/],
    ['linear 2.5%', { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 2.5, linearInterval: 1 } }, /linear percentage/],
    ['all at once with settings', { type: 'AllAtOnce', timeBasedLinear: { linearPercentage: 10, linearInterval: 1 } }, /takes no canary or linear settings/],
  ];
  it.each(invalid)('refuses %s', (_, cfg, message) => {
    expect(() => checkTrafficRouting(cfg)).toThrow(message);
  });
});
