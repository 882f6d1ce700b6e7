import { describe, expect, it } from 'vitest';
import { adjustedCapacity, matchStep, percentChange, stepsError, trackedCapacity } from '../../../src/services/autoscaling/policy-math.js';
import { chooseVictims, pickZone, zonesOf } from '../../../src/services/autoscaling/placement.js';
import { checkDesired, checkSizes, updatedDesired } from '../../../src/services/autoscaling/validation.js';

describe('percent changes (AWS rounding)', () => {
  it.each([
    // [current, percent, minMagnitude, change]
    [10, 127, undefined, 12], // 12.7 rounds down to 12
    [4, 10, undefined, 1], // 0.4 rounds up to 1
    [4, -10, undefined, -1], // -0.4 rounds to -1
    [30, -22.23, undefined, -6], // -6.67 rounds up to -6
    [10, 0, undefined, 0],
    [10, 10, 2, 2], // MinAdjustmentMagnitude raises a change of 1 to 2
    [10, -10, 3, -3],
  ])('%i by %d%% (magnitude %s) changes by %i', (current, percent, magnitude, change) => {
    expect(percentChange(current, percent, magnitude)).toBe(change);
  });
});

describe('adjusted capacity', () => {
  const bounds = { min: 1, max: 5 };
  it.each([
    ['ChangeInCapacity', 2, 3, 5],
    ['ChangeInCapacity', 2, -9, 1],
    ['ExactCapacity', 2, 4, 4],
    ['ExactCapacity', 2, 9, 5],
    ['PercentChangeInCapacity', 4, 50, 5],
    ['PercentChangeInCapacity', 4, -50, 2],
  ] as const)('%s from %i by %i gives %i', (type, current, adjustment, expected) => {
    expect(adjustedCapacity(current, type, adjustment, bounds)).toBe(expected);
  });
});

describe('step adjustments', () => {
  // AWS's documented example: threshold 50; 50–60 no change, 60–70 +10%, 70 and up +30%.
  // Below the threshold a lower bound is exclusive and an upper bound inclusive.
  const out = [
    { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 0 },
    { MetricIntervalLowerBound: 10, MetricIntervalUpperBound: 20, ScalingAdjustment: 10 },
    { MetricIntervalLowerBound: 20, ScalingAdjustment: 30 },
  ];
  const inward = [
    { MetricIntervalUpperBound: -10, ScalingAdjustment: -2 },
    { MetricIntervalLowerBound: -10, MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
  ];
  it.each([
    [out, 0, 0], [out, 9.9, 0], [out, 10, 10], [out, 19, 10], [out, 20, 30], [out, 500, 30],
    [inward, -10, -2], [inward, -9.9, -1], [inward, -0.5, -1], [inward, -10.1, -2], [inward, 0, undefined],
  ])('breach %#', (steps, breach, adjustment) => {
    expect(matchStep(steps, breach)?.ScalingAdjustment).toBe(adjustment);
  });
  it('refuses gaps, overlaps and two unbounded steps', () => {
    expect(stepsError(out)).toBeUndefined();
    expect(stepsError([{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 15, ScalingAdjustment: 2 }])).toMatch(/gaps/);
    expect(stepsError([{ ScalingAdjustment: 1 }, { ScalingAdjustment: 2 }])).toBeDefined();
  });
});

describe('target tracking', () => {
  it.each([
    [2, 75, 50, false, 3], [4, 25, 50, false, 2], [4, 25, 50, true, 4], [3, 50, 50, false, 3], [0, 90, 50, false, 0],
  ])('%i instances at %d against %d (no scale-in %s) → %i', (current, metric, target, disable, expected) => {
    expect(trackedCapacity(current, metric, target, disable)).toBe(expected);
  });
});

describe('sizes', () => {
  it('uses AWS messages', () => {
    expect(() => checkSizes(3, 2, 3)).toThrow('Max bound, 2, must be greater than or equal to min bound, 3');
    expect(() => checkSizes(1, 4, 5)).toThrow('Desired capacity:5 must be between the specified min size:1 and max size:4');
    expect(() => checkDesired(9, 1, 4)).toThrow('New SetDesiredCapacity value 9 is above max value 4 for the AutoScalingGroup.');
    expect(() => checkDesired(0, 1, 4)).toThrow('New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.');
  });
  it.each([[2, 3, 5, undefined, 3], [4, 1, 2, undefined, 2], [2, 1, 5, 4, 4], [2, 1, 5, undefined, 2]])('desired %i with bounds %i..%i (given %s) becomes %i', (current, min, max, given, expected) => {
    expect(updatedDesired(current, min, max, given)).toBe(expected);
  });
});

describe('placement', () => {
  it('maps the default subnets to their zones and balances launches', () => {
    const zones = zonesOf({ availabilityZones: [], vpcZoneIdentifier: 'subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60003' }, 'eu-west-1');
    expect(zones).toEqual([{ availabilityZone: 'eu-west-1a', subnetId: 'subnet-0a1b2c3d4e5f60001' }, { availabilityZone: 'eu-west-1c', subnetId: 'subnet-0a1b2c3d4e5f60003' }]);
    expect(pickZone(zones, [{ availabilityZone: 'eu-west-1a' }]).availabilityZone).toBe('eu-west-1c');
    expect(zonesOf({ availabilityZones: [] }, 'us-east-1')).toEqual([{ availabilityZone: 'us-east-1a' }]);
  });

  it('scales in from the fullest zone, pending before in service, old template versions first, then the oldest; protected instances stay', () => {
    const lt = { LaunchTemplateId: 'lt-1', Version: '2' };
    const m = (id: string, az: string, launchedAt: number, extra = {}) => ({ instanceId: id, availabilityZone: az, launchedAt, protectedFromScaleIn: false, launchTemplate: lt, lifecycleState: 'InService', ...extra });
    const g = { launchTemplate: lt, terminationPolicies: ['Default'] };
    const members = [m('a', 'z1', 1), m('b', 'z1', 2), m('c', 'z2', 3), m('d', 'z1', 4, { launchTemplate: { LaunchTemplateId: 'lt-1', Version: '1' } })];
    expect(chooseVictims(members, 1, g).map((v) => v.instanceId)).toEqual(['d']);
    expect(chooseVictims(members, 3, g).map((v) => v.instanceId)).toEqual(['d', 'a', 'b']);
    expect(chooseVictims([m('a', 'z1', 1, { protectedFromScaleIn: true }), m('b', 'z1', 2)], 2, g).map((v) => v.instanceId)).toEqual(['b']);
    expect(chooseVictims([m('a', 'z1', 1), m('b', 'z1', 2)], 1, { ...g, terminationPolicies: ['NewestInstance'] }).map((v) => v.instanceId)).toEqual(['b']);
    expect(chooseVictims([m('a', 'z1', 1), m('b', 'z1', 2, { lifecycleState: 'Pending' })], 1, g).map((v) => v.instanceId)).toEqual(['b']);
  });
});
