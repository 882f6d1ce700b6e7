import { iam } from './iam/index.js';
import { logs } from './logs/index.js';
import type { ServiceDefinition } from './service.js';
import { sts } from './sts/index.js';

/** Every service Slipway runs. */
export const SERVICES: readonly ServiceDefinition[] = [iam, logs, sts];
