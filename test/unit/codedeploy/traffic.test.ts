import { describe, expect, it } from 'vitest';
import { watchedAlarms } from '../../../src/services/codedeploy/alarm-watch.js';
import { copyName } from '../../../src/services/codedeploy/asg.js';
import { targetGroupNames } from '../../../src/services/codedeploy/traffic.js';

describe('traffic settings', () => {
  it.each([
    [undefined, []],
    [{}, []],
    [{ targetGroupInfoList: [{ name: 'blue' }, { name: 'green' }] }, ['blue', 'green']],
    [{ targetGroupInfoList: [{ name: '' }, {}] }, []],
    [{ elbInfoList: [{ name: 'classic' }] }, []],
  ])('target group names of %j are %j', (info, names) => {
    expect(targetGroupNames(info)).toEqual(names);
  });

  it.each([
    [undefined, []],
    [{ enabled: false, alarms: [{ name: 'a' }] }, []],
    [{ enabled: true, alarms: [] }, []],
    [{ enabled: true, alarms: [{ name: 'a' }, { name: 'b' }] }, ['a', 'b']],
    [{ enabled: true, ignorePollAlarmFailure: true, alarms: [{ name: 'a' }, {}] }, ['a']],
  ])('alarms watched for %j: %j', (cfg, names) => {
    expect(watchedAlarms(cfg)).toEqual(names);
  });

  it("names the replacement Auto Scaling group as AWS does", () => {
    expect(copyName('production', 'd-ABCDEF123')).toBe('CodeDeploy_production_d-ABCDEF123');
  });
});
