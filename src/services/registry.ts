import { iam } from './iam/index.js';
import { s3 } from './s3/index.js';
import type { ServiceDefinition } from './service.js';
import { sts } from './sts/index.js';

/** Every service Slipway runs. */
export const SERVICES: readonly ServiceDefinition[] = [iam, s3, sts];
