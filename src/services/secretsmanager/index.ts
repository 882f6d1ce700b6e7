import { join } from 'node:path';
import { SecretBox } from '../common/secret-box.js';
import type { ServiceDefinition } from '../service.js';
import { SecretDeletion } from './deletion.js';
import { secretOperations } from './secrets.js';
import { SecretStore } from './store.js';
import { valueOperations } from './values.js';

/** Secrets Manager: versioned, staged secrets encrypted at rest, with recovery-window deletion. */
export const secretsmanager: ServiceDefinition = {
  name: 'secretsmanager',
  create(deps) {
    const store = new SecretStore(deps.db);
    const box = new SecretBox(join(deps.dataDir, 'secrets.key'));
    const deletion = new SecretDeletion(store, deps.jobs);
    return {
      provider: {
        ...secretOperations(store, box, deps.clock, deletion),
        ...valueOperations(store, box, deps.clock),
      },
      reset: () => box.forget(),
    };
  },
};
