import { join } from 'node:path';
import { SecretBox } from '../common/secret-box.js';
import { ChangeEvents } from './change-events.js';
import type { ServiceDefinition } from '../service.js';
import { labelAndTagOperations } from './labels-tags.js';
import { parameterOperations } from './parameters.js';
import { queryOperations } from './queries.js';
import { SecretReferences } from './secret-reference.js';
import { ParameterStore } from './store.js';

/** SSM Parameter Store: versioned, labelled, hierarchical parameters; SecureStrings encrypted at rest. */
export const ssm: ServiceDefinition = {
  name: 'ssm',
  create(deps) {
    const store = new ParameterStore(deps.db);
    const box = new SecretBox(join(deps.dataDir, 'parameter-store.key'));
    return {
      provider: {
        ...parameterOperations(store, box, deps.clock, new SecretReferences(deps.aws), new ChangeEvents(deps.aws, deps.log)),
        ...queryOperations(store, box),
        ...labelAndTagOperations(store),
      },
      reset: () => box.forget(),
    };
  },
};
