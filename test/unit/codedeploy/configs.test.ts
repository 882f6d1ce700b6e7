import { describe, expect, it } from 'vitest';
import { planBatches, predefined, verdict } from '../../../src/services/codedeploy/configs.js';
import { AppSpecError, parseAppSpec } from '../../../src/services/codedeploy/appspec.js';
import { globMatch } from '../../../src/services/codedeploy/install.js';
import { selected } from '../../../src/services/codedeploy/targets.js';

const cfg = (name: string) => predefined(name)!;

describe('minimum healthy hosts arithmetic', () => {
  it.each([
    ['CodeDeployDefault.AllAtOnce', 9, 9, 1],
    ['CodeDeployDefault.HalfAtATime', 9, 4, 5], // AWS's documented example
    ['CodeDeployDefault.HalfAtATime', 4, 2, 2],
    ['CodeDeployDefault.HalfAtATime', 1, 1, 1],
    ['CodeDeployDefault.OneAtATime', 3, 1, 3],
    ['CodeDeployDefault.OneAtATime', 200, 2, 198],
  ])('%s on %i instances: batches of %i, %i must succeed', (name, fleet, batch, required) => {
    const plan = planBatches(cfg(name), fleet);
    expect([plan.batchSize, plan.requiredSuccesses]).toEqual([batch, required]);
  });

  it('custom HOST_COUNT and FLEET_PERCENT', () => {
    expect(planBatches({ minimumHealthyHosts: { type: 'HOST_COUNT', value: 3 } }, 4)).toMatchObject({ batchSize: 1, requiredSuccesses: 3 });
    expect(planBatches({ minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 25 } }, 8)).toMatchObject({ batchSize: 6, requiredSuccesses: 2 });
  });

  it.each([
    // plan, fleet, succeeded, failed, last failed, outcome
    ['CodeDeployDefault.AllAtOnce', 3, 1, 2, true, 'succeeded'], // fails only if all fail
    ['CodeDeployDefault.AllAtOnce', 3, 0, 3, true, 'failed'],
    ['CodeDeployDefault.HalfAtATime', 9, 4, 1, false, 'continue'],
    ['CodeDeployDefault.HalfAtATime', 9, 3, 5, false, 'failed'],
    ['CodeDeployDefault.OneAtATime', 3, 0, 1, false, 'failed'],
    ['CodeDeployDefault.OneAtATime', 3, 2, 1, true, 'succeeded'], // the last instance's failure is forgiven
    ['CodeDeployDefault.OneAtATime', 3, 3, 0, false, 'succeeded'],
  ] as const)('%s %i instances, %i succeeded %i failed -> %s', (name, fleet, ok, bad, lastFailed, outcome) => {
    expect(verdict(planBatches(cfg(name), fleet), fleet, ok, bad, lastFailed)).toBe(outcome);
  });
});

describe('appspec', () => {
  it('parses the seed appspec (capitalised sections, Resources ignored)', () => {
    const spec = parseAppSpec(`version: 0.0
os: linux
Resources:
  - TargetService:
      Type: AWS::EC2::Instance
Files:
  - source: /
    destination: /var/www/html
Permissions:
  - object: /var/www/html
    pattern: "**"
    owner: www-data
    group: www-data
    mode: 755
Hooks:
  ApplicationStop:
    - location: scripts/stop-server.sh
      timeout: 300
`);
    expect(spec.files).toEqual([{ source: '/', destination: '/var/www/html' }]);
    expect(spec.permissions[0]).toMatchObject({ owner: 'www-data', mode: 0o755, pattern: '**', type: ['file', 'directory'] });
    expect(spec.hooks.ApplicationStop).toEqual([{ location: 'scripts/stop-server.sh', timeout: 300, runas: undefined }]);
  });

  it.each([
    ['version: 0.0\nfiles: [x\n', /not valid YAML/],
    ['version: 1\n', /version must be 0.0/],
    ['version: 0.0\nfiles:\n  - source: a\n    destination: relative\n', /absolute path/],
    ['version: 0.0\npermissions:\n  - object: /x\n    mode: "0999"\n', /mode "0999" is not valid/],
    ['version: 0.0\nhooks:\n  Install:\n    - location: x.sh\n', /reserved/],
    ['version: 0.0\nhooks:\n  AfterAllowTestTraffic:\n    - location: x.sh\n', /not a lifecycle event/],
    ['version: 0.0\nhooks:\n  BeforeInstall:\n    - location: x.sh\n      timeout: 4000\n', /between 1 and 3600/],
    ['version: 0.0\nfile_exists_behavior: MERGE\n', /DISALLOW, OVERWRITE or RETAIN/],
  ])('refuses %j', (text, message) => {
    expect(() => parseAppSpec(text)).toThrow(AppSpecError);
    expect(() => parseAppSpec(text)).toThrow(message);
  });

  it('takes the last of a repeated key, as the agent does', () => {
    const spec = parseAppSpec('version: 0.0\nhooks:\n  ApplicationStart:\n    - location: start.sh\n      timeout: 300\n      timeout: 60\n');
    expect(spec.hooks.ApplicationStart?.[0].timeout).toBe(60);
  });

  it('accepts quoted and four-digit modes', () => {
    expect(parseAppSpec('version: 0.0\npermissions:\n  - object: /x\n    mode: "0644"\n').permissions[0].mode).toBe(0o644);
    expect(parseAppSpec('version: 0.0\npermissions:\n  - object: /x\n    mode: 4755\n').permissions[0].mode).toBe(0o4755);
  });
});

describe('permission patterns and tag filters', () => {
  it.each([
    ['**', 'a/b/c.txt', true],
    ['*.sh', 'scripts/start.sh', true],
    ['*.sh', 'scripts/start.js', false],
    ['scripts/*', 'scripts/start.sh', true],
    ['scripts/*', 'other/start.sh', false],
    ['**/*.conf', 'etc/app/x.conf', true],
  ])('%s matches %s: %s', (pattern, path, result) => {
    expect(globMatch(pattern, path)).toBe(result);
  });

  it('tag filters OR, tag sets AND across groups', () => {
    const item = { tags: [{ Key: 'Name', Value: 'WebServer' }, { Key: 'env', Value: 'prod' }] };
    expect(selected(item, [{ Key: 'Name', Value: 'Other', Type: 'KEY_AND_VALUE' }, { Key: 'env', Type: 'KEY_ONLY' }], undefined)).toBe(true);
    expect(selected(item, [{ Value: 'prod', Type: 'VALUE_ONLY' }], undefined)).toBe(true);
    expect(selected(item, [{ Key: 'Name', Value: 'Other', Type: 'KEY_AND_VALUE' }], undefined)).toBe(false);
    expect(selected(item, undefined, [[{ Key: 'Name', Value: 'WebServer', Type: 'KEY_AND_VALUE' }], [{ Key: 'env', Value: 'dev', Type: 'KEY_AND_VALUE' }]])).toBe(false);
    expect(selected(item, undefined, [[{ Key: 'Name', Value: 'WebServer', Type: 'KEY_AND_VALUE' }], [{ Key: 'env', Value: 'prod', Type: 'KEY_AND_VALUE' }]])).toBe(true);
  });
});
