import { ServiceError } from '../../core/errors.js';

export function validationError(message: string): ServiceError {
  return new ServiceError('ValidationError', message, { statusCode: 400 });
}

/** Min, max and desired capacity as CreateAutoScalingGroup and UpdateAutoScalingGroup check them. */
export function checkSizes(min: number, max: number, desired: number): void {
  if (max < min) throw validationError(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max) throw validationError(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
}

/** SetDesiredCapacity's own wording. */
export function checkDesired(desired: number, min: number, max: number): void {
  if (desired > max) throw validationError(`New SetDesiredCapacity value ${desired} is above max value ${max} for the AutoScalingGroup.`);
  if (desired < min) throw validationError(`New SetDesiredCapacity value ${desired} is below min value ${min} for the AutoScalingGroup.`);
}

/**
 * The desired capacity after an update: given explicitly, or the current one moved inside
 * new bounds (a larger MinSize raises it, a smaller MaxSize lowers it), as AWS does.
 */
export function updatedDesired(current: number, min: number, max: number, explicit: number | undefined): number {
  if (explicit !== undefined) return explicit;
  return Math.min(max, Math.max(min, current));
}

const HEALTH_CHECK_TYPES = ['EC2', 'ELB', 'EBS', 'VPC_LATTICE'];

export function checkHealthCheckType(type: string | undefined): void {
  if (type === undefined) return;
  for (const part of type.split(',')) {
    if (!HEALTH_CHECK_TYPES.includes(part.trim())) throw validationError(`Invalid health check type: ${type}. Valid values are EC2, ELB, EBS and VPC_LATTICE.`);
  }
}

export const PROCESSES = ['Launch', 'Terminate', 'AddToLoadBalancer', 'AlarmNotification', 'AZRebalance', 'HealthCheck', 'InstanceRefresh', 'ReplaceUnhealthy', 'ScheduledActions'];
