import { codecommit } from './codecommit/index.js';
import { iam } from './iam/index.js';
import type { ServiceDefinition } from './service.js';
import { sts } from './sts/index.js';

/** Every service Slipway runs. */
export const SERVICES: readonly ServiceDefinition[] = [codecommit, iam, sts];
