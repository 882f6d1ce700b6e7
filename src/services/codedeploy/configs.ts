import type { DeploymentConfigInfo, MinimumHealthyHosts, TrafficRoutingConfig } from '../../aws/models/generated/codedeploy.js';

type Platform = 'Server' | 'Lambda' | 'ECS';

function traffic(kind: 'canary' | 'linear' | 'all', percent = 10, minutes = 0): TrafficRoutingConfig {
  if (kind === 'all') return { type: 'AllAtOnce' };
  return kind === 'canary'
    ? { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: percent, canaryInterval: minutes } }
    : { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: percent, linearInterval: minutes } };
}

/** AWS's predefined configurations, as `get-deployment-config` describes them. */
const PREDEFINED: [string, Platform, MinimumHealthyHosts | undefined, TrafficRoutingConfig | undefined][] = [
  ['CodeDeployDefault.OneAtATime', 'Server', { type: 'FLEET_PERCENT', value: 99 }, undefined],
  ['CodeDeployDefault.HalfAtATime', 'Server', { type: 'FLEET_PERCENT', value: 50 }, undefined],
  ['CodeDeployDefault.AllAtOnce', 'Server', { type: 'HOST_COUNT', value: 0 }, undefined],
  ['CodeDeployDefault.ECSAllAtOnce', 'ECS', undefined, traffic('all')],
  ['CodeDeployDefault.ECSLinear10PercentEvery1Minutes', 'ECS', undefined, traffic('linear', 10, 1)],
  ['CodeDeployDefault.ECSLinear10PercentEvery3Minutes', 'ECS', undefined, traffic('linear', 10, 3)],
  ['CodeDeployDefault.ECSCanary10Percent5Minutes', 'ECS', undefined, traffic('canary', 10, 5)],
  ['CodeDeployDefault.ECSCanary10Percent15Minutes', 'ECS', undefined, traffic('canary', 10, 15)],
  ['CodeDeployDefault.LambdaAllAtOnce', 'Lambda', undefined, traffic('all')],
  ['CodeDeployDefault.LambdaCanary10Percent5Minutes', 'Lambda', undefined, traffic('canary', 10, 5)],
  ['CodeDeployDefault.LambdaCanary10Percent10Minutes', 'Lambda', undefined, traffic('canary', 10, 10)],
  ['CodeDeployDefault.LambdaCanary10Percent15Minutes', 'Lambda', undefined, traffic('canary', 10, 15)],
  ['CodeDeployDefault.LambdaCanary10Percent30Minutes', 'Lambda', undefined, traffic('canary', 10, 30)],
  ['CodeDeployDefault.LambdaLinear10PercentEvery1Minute', 'Lambda', undefined, traffic('linear', 10, 1)],
  ['CodeDeployDefault.LambdaLinear10PercentEvery2Minutes', 'Lambda', undefined, traffic('linear', 10, 2)],
  ['CodeDeployDefault.LambdaLinear10PercentEvery3Minutes', 'Lambda', undefined, traffic('linear', 10, 3)],
  ['CodeDeployDefault.LambdaLinear10PercentEvery10Minutes', 'Lambda', undefined, traffic('linear', 10, 10)],
];

export const PREDEFINED_CONFIGS: DeploymentConfigInfo[] = PREDEFINED.map(([name, platform, hosts, routing], i) => ({
  deploymentConfigId: `00000000-0000-0000-0000-${String(i + 1).padStart(12, '0')}`,
  deploymentConfigName: name,
  computePlatform: platform,
  minimumHealthyHosts: hosts,
  trafficRoutingConfig: routing,
  createTime: new Date(Date.UTC(2014, 10, 12)),
}));

export function predefined(name: string): DeploymentConfigInfo | undefined {
  return PREDEFINED_CONFIGS.find((c) => c.deploymentConfigName === name);
}

/** How many instances must stay healthy (and so succeed) out of `fleet`. */
export function minimumHealthy(hosts: MinimumHealthyHosts, fleet: number): number {
  const value = hosts.value ?? 0;
  return hosts.type === 'FLEET_PERCENT' ? Math.ceil((fleet * value) / 100) : value;
}

/** The in-place plan for a fleet: instances per batch and how many must succeed. */
export interface BatchPlan {
  batchSize: number;
  requiredSuccesses: number;
  /** OneAtATime forgives a failure on the last instance (AWS's documented exception). */
  lastInstanceForgiven: boolean;
}

/**
 * AWS's minimum-healthy-hosts arithmetic: up to fleet - minimum instances are taken offline
 * at a time (at least one); the deployment needs the minimum to succeed, and at least one
 * (AllAtOnce fails only when every instance fails). HalfAtATime on 9: batches of 4, 5 needed.
 */
export function planBatches(config: DeploymentConfigInfo, fleet: number): BatchPlan {
  const min = Math.min(fleet, minimumHealthy(config.minimumHealthyHosts ?? { type: 'HOST_COUNT', value: 0 }, fleet));
  return {
    batchSize: Math.max(1, fleet - min),
    requiredSuccesses: Math.max(1, min),
    lastInstanceForgiven: config.deploymentConfigName === 'CodeDeployDefault.OneAtATime',
  };
}

/** The outcome so far: failed as soon as the required successes can no longer be reached. */
export function verdict(plan: BatchPlan, fleet: number, succeeded: number, failed: number, lastFailed: boolean): 'continue' | 'succeeded' | 'failed' {
  const done = succeeded + failed === fleet;
  const forgiven = done && plan.lastInstanceForgiven && lastFailed && failed === 1 && fleet > 1 ? 1 : 0;
  if (fleet - failed + forgiven < plan.requiredSuccesses) return 'failed';
  if (!done) return 'continue';
  return succeeded + forgiven >= plan.requiredSuccesses ? 'succeeded' : 'failed';
}
