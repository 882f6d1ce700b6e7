import type { ServiceDefinition } from '../service.js';
import { groupOperations } from './groups.js';
import { instanceProfileOperations } from './instance-profiles.js';
import { policyOperations } from './policies.js';
import { roleOperations } from './roles.js';
import { IamStore } from './store.js';
import { userOperations } from './users.js';

/** IAM: roles, users, groups, managed and inline policies, instance profiles and access keys, stored. */
export const iam: ServiceDefinition = {
  name: 'iam',
  create(deps) {
    const store = new IamStore(deps.db);
    return {
      provider: {
        ...roleOperations(store, deps.clock),
        ...policyOperations(store, deps.clock),
        ...instanceProfileOperations(store, deps.clock),
        ...userOperations(store, deps.credentials, deps.clock),
        ...groupOperations(store, deps.clock),
      },
    };
  },
};
