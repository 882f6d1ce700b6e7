import type { RequestContext } from '../../aws/gateway/context.js';
import type { LambdaOperations } from '../../aws/models/generated/lambda.js';
import type { ServiceDefinition } from '../service.js';
import { codeRoute } from './code-route.js';
import { LambdaEngine } from './engine.js';
import { functionsApi } from './functions-api.js';
import { invokeApi } from './invoke-api.js';
import type { LambdaContext } from './resolve.js';
import { permissionsApi } from './permissions-api.js';
import { settingsApi } from './settings-api.js';
import { LambdaStore } from './store.js';
import { versionsApi } from './versions-api.js';

/** AWS Lambda: functions, versions and weighted aliases that execute for real. */
export const lambda: ServiceDefinition = {
  name: 'lambda',
  create(deps) {
    const store = new LambdaStore(deps.db);
    const engine = new LambdaEngine(deps, store);
    const c: LambdaContext = { deps, store, engine };
    const provider: Partial<LambdaOperations<RequestContext>> = { ...functionsApi(c), ...versionsApi(c), ...invokeApi(c), ...permissionsApi(c), ...settingsApi(c) };
    return {
      provider,
      routes: [codeRoute(deps)],
      start: () => engine.start(),
      stop: () => engine.stop(),
      reset: () => engine.reset(),
    };
  },
};
