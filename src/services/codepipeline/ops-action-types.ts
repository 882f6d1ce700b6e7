import type { ActionConfigurationProperty, ActionTypeProperty } from '../../aws/models/generated/codepipeline.js';
import { builtinType, builtinView } from './action-types.js';
import { err, type Ops } from './common.js';
import { actionTypeKey } from './store.js';

function property(p: ActionConfigurationProperty): ActionTypeProperty {
  return { name: p.name, optional: !p.required, key: p.key, noEcho: p.secret, queryable: p.queryable, description: p.description };
}

/**
 * ListRuleTypes, and GetActionType. Its model admits only `AWS` and `ThirdParty` owners (custom types are read with
 * ListActionTypes); Slipway has no third-party types, so only AWS's own types are found.
 */
export function actionTypeOperations(): Ops {
  const prop = (name: string) => ({ name, required: true, key: true, secret: false });
  return {
    /** The rule types Slipway evaluates in stage conditions. */
    async ListRuleTypes() {
      return {
        ruleTypes: [{
          id: { category: 'Rule' as const, owner: 'AWS' as const, provider: 'VariableCheck', version: '1' },
          ruleConfigurationProperties: ['Variable', 'Value', 'Operator'].map(prop),
          inputArtifactDetails: { minimumCount: 0, maximumCount: 0 },
        }],
      };
    },

    async GetActionType(input) {
      const b = input.owner === 'AWS' ? builtinType({ ...input, owner: 'AWS' }) : undefined;
      if (!b) throw err('ActionTypeNotFoundException', `Action type ${actionTypeKey(input)} does not exist.`);
      const v = builtinView(b);
      return {
        actionType: {
          executor: { type: 'JobWorker', configuration: { jobWorkerExecutorConfiguration: {} } },
          id: { ...b.id },
          inputArtifactDetails: v.inputArtifactDetails,
          outputArtifactDetails: v.outputArtifactDetails,
          properties: (v.actionConfigurationProperties ?? []).map(property),
        },
      };
    },
  };
}
