import type { ServiceDefinition } from '../service.js';
import { createStsProvider } from './provider.js';

export const sts: ServiceDefinition = {
  name: 'sts',
  create: (deps) => ({ provider: createStsProvider(deps) }),
};
