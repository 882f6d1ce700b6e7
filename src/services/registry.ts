import { iam } from './iam/index.js';
import type { ServiceDefinition } from './service.js';
import { sns } from './sns/index.js';
import { sqs } from './sqs/index.js';
import { sts } from './sts/index.js';

/** Every service Slipway runs. */
export const SERVICES: readonly ServiceDefinition[] = [iam, sns, sqs, sts];
