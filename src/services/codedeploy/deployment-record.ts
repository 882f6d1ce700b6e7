import { randomInt } from 'node:crypto';
import { planBatches } from './configs.js';
import type { DeploymentRecord } from './store.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Deployment ids look like AWS's: d- and nine capitals or digits. */
export function newDeploymentId(): string {
  let id = 'd-';
  for (let i = 0; i < 9; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/** The record once instances are chosen: InProgress, with the batch plan fixed. */
export function startRecord(dep: DeploymentRecord, fleet: number, now: number): DeploymentRecord {
  const plan = planBatches({ deploymentConfigName: dep.deploymentConfigName, minimumHealthyHosts: dep.minimumHealthyHosts }, fleet);
  return { ...dep, status: 'InProgress', startTime: now, batchSize: plan.batchSize, requiredSuccesses: plan.requiredSuccesses, lastInstanceForgiven: plan.lastInstanceForgiven };
}
