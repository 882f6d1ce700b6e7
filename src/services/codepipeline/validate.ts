import type { ActionDeclaration, ActionTypeId, PipelineDeclaration, StageDeclaration } from '../../aws/models/generated/codepipeline.js';
import { ServiceError } from '../../core/errors.js';
import { builtinType } from './action-types.js';

/** What a pipeline's actions may be: built-in types plus the account's custom ones. */
export interface TypeLookup {
  custom(id: ActionTypeId): { required: string[]; optional: string[]; inputs: [number, number]; outputs: [number, number] } | undefined;
  region: string;
}

const structure = (m: string) => new ServiceError('InvalidStructureException', m, { statusCode: 400 });
const actionError = (m: string) => new ServiceError('InvalidActionDeclarationException', m, { statusCode: 400 });
const stageError = (m: string) => new ServiceError('InvalidStageDeclarationException', m, { statusCode: 400 });
export const validation = (m: string) => new ServiceError('ValidationException', m, { statusCode: 400 });

/**
 * Checks a pipeline declaration the way CreatePipeline and UpdatePipeline do, throwing the
 * first problem with AWS's exception name: stage count and names, source actions only (and
 * only) in the first stage, action types and their configuration keys, artifact counts, unique
 * output artifacts, inputs produced by an earlier action, unique namespaces, V2-only features.
 */
export function validatePipeline(p: PipelineDeclaration, types: TypeLookup): void {
  if (p.artifactStore && p.artifactStores) throw structure('Pipeline cannot have both artifactStore and artifactStores defined.');
  if (!p.artifactStore && !p.artifactStores) throw structure('Pipeline must have either artifactStore or artifactStores defined.');
  if (p.stages.length < 2) throw structure(`Pipeline has only ${p.stages.length} stage(s). There should be a minimum of 2 stages in a pipeline`);
  checkV2(p);
  const stageNames = new Set<string>();
  for (const s of p.stages) {
    if (stageNames.has(s.name)) throw structure(`Pipeline has duplicate stage names: ${s.name}. Stage names must be unique within a pipeline.`);
    stageNames.add(s.name);
    if (!s.actions.length) throw stageError(`Stage ${s.name} should have at least one action.`);
  }
  p.stages.forEach((s, i) => checkStage(s, i, types));
  checkArtifacts(p.stages);
  checkNamespaces(p.stages);
  p.stages.forEach((s) => checkConditions(s, p.pipelineType === 'V2'));
}

/** The results each kind of stage condition may have. */
const CONDITION_RESULTS = { beforeEntry: ['FAIL', 'SKIP'], onSuccess: ['FAIL', 'ROLLBACK'], onFailure: ['ROLLBACK', 'RETRY'] } as const;

/** Stage conditions (V2): results allowed for their kind, at least one rule, VariableCheck's configuration. */
function checkConditions(s: StageDeclaration, v2: boolean): void {
  for (const kind of ['beforeEntry', 'onSuccess', 'onFailure'] as const) {
    const conditions = s[kind]?.conditions ?? [];
    if (conditions.length && !v2) throw validation('Stage conditions are only supported for V2 pipelines. Set pipelineType to V2 to use conditions.');
    for (const c of conditions) {
      const allowed: readonly string[] = CONDITION_RESULTS[kind];
      if (c.result && !allowed.includes(c.result)) throw validation(`Stage ${s.name}: a ${kind} condition's result must be ${allowed.join(' or ')}, not ${c.result}.`);
      if (!c.rules?.length) throw validation(`Stage ${s.name}: a ${kind} condition needs at least one rule.`);
      for (const r of c.rules) {
        if (r.ruleTypeId.provider !== 'VariableCheck') continue;
        const missing = ['Variable', 'Value', 'Operator'].filter((k) => r.configuration?.[k] === undefined);
        if (missing.length) throw validation(`Rule ${r.name} in stage ${s.name} is missing the required configuration ${missing.join(', ')}.`);
        if (!['EQ', 'NE', 'CONTAINS', 'MATCHES'].includes(r.configuration!.Operator)) throw validation(`Rule ${r.name} in stage ${s.name}: Operator must be EQ, NE, CONTAINS or MATCHES.`);
      }
    }
  }
}

function checkV2(p: PipelineDeclaration): void {
  const v2 = p.pipelineType === 'V2';
  if (!v2 && p.variables?.length) throw validation('Pipeline variables are only supported for V2 pipelines. Set pipelineType to V2 to use variables.');
  if (!v2 && p.triggers?.length) throw validation('Triggers are only supported for V2 pipelines. Set pipelineType to V2 to use triggers.');
  if (!v2 && p.executionMode && p.executionMode !== 'SUPERSEDED') throw validation(`Execution mode ${p.executionMode} is only supported for V2 pipelines.`);
  const names = new Set<string>();
  for (const v of p.variables ?? []) {
    if (names.has(v.name)) throw validation(`Pipeline variable names must be unique. Duplicate variable name: ${v.name}`);
    names.add(v.name);
  }
  const sources = new Set(p.stages[0].actions.map((a) => a.name));
  for (const t of p.triggers ?? []) {
    if (!sources.has(t.gitConfiguration.sourceActionName)) {
      throw validation(`The trigger's sourceActionName ${t.gitConfiguration.sourceActionName} does not match a source action in the pipeline.`);
    }
  }
  p.stages.forEach((s, i) => {
    if (s.onFailure?.result === 'ROLLBACK' && !v2) throw validation('Stage rollback on failure is only supported for V2 pipelines.');
    if (s.onFailure?.result === 'ROLLBACK' && i === 0) throw validation(`Stage ${s.name} cannot roll back: the first stage of a pipeline cannot be rolled back.`);
  });
}

function checkStage(s: StageDeclaration, index: number, types: TypeLookup): void {
  const names = new Set<string>();
  for (const a of s.actions) {
    if (names.has(a.name)) throw structure(`Stage ${s.name} has duplicate action names: ${a.name}. Action names must be unique within a stage.`);
    names.add(a.name);
    const source = a.actionTypeId.category === 'Source';
    if (index === 0 && !source) throw structure(`Stage ${s.name} is the first stage of the pipeline and must contain only source actions, but action ${a.name} has category ${a.actionTypeId.category}.`);
    if (index > 0 && source) throw structure(`Action ${a.name} in stage ${s.name} is a source action. Source actions are allowed only in the first stage of a pipeline.`);
    checkAction(a, types);
  }
}

function checkAction(a: ActionDeclaration, types: TypeLookup): void {
  const id = a.actionTypeId;
  const known = (id.owner === 'AWS' ? builtinType(id) : undefined) ?? (id.owner === 'Custom' ? types.custom(id) : undefined);
  if (!known) {
    throw actionError(
      `ActionType (Category: '${id.category}', Provider: '${id.provider}', Owner: '${id.owner}', Version: '${id.version}') in action '${a.name}' is not available in region '${types.region.toUpperCase().replace(/-/g, '_')}'`,
    );
  }
  const config = a.configuration ?? {};
  for (const key of known.required) {
    if (config[key] === undefined || config[key] === '') throw actionError(`Action configuration for action '${a.name}' is missing required configuration '${key}'`);
  }
  for (const key of Object.keys(config)) {
    if (!known.required.includes(key) && !known.optional.includes(key)) throw actionError(`Action configuration for action '${a.name}' contains unknown configuration '${key}'`);
  }
  if (id.owner === 'AWS' && id.provider === 'S3' && id.category === 'Deploy') checkS3Deploy(a, config);
  if (id.provider === 'CodeCommit' && config.PollForSourceChanges !== undefined && !['true', 'false'].includes(config.PollForSourceChanges)) {
    throw actionError(`Action configuration for action '${a.name}' has an invalid value for 'PollForSourceChanges': it must be true or false`);
  }
  checkCount(a.name, 'input', a.inputArtifacts?.length ?? 0, known.inputs);
  checkCount(a.name, 'output', a.outputArtifacts?.length ?? 0, known.outputs);
}

function checkS3Deploy(a: ActionDeclaration, config: Record<string, string>): void {
  const extract = config.Extract?.toLowerCase();
  if (extract !== 'true' && extract !== 'false') throw actionError(`Action configuration for action '${a.name}' has an invalid value for 'Extract': it must be true or false`);
  if (extract === 'false' && !config.ObjectKey) throw actionError(`Action configuration for action '${a.name}' is missing required configuration 'ObjectKey'`);
}

function checkCount(action: string, kind: 'input' | 'output', n: number, [min, max]: [number, number]): void {
  if (n < min) throw actionError(`Action ${action} declares ${n} ${kind} artifacts which is less than the minimum count (${min})`);
  if (n > max) throw actionError(`Action ${action} declares ${n} ${kind} artifacts which exceeds the maximum count (${max})`);
}

/** Every output artifact name is unique; every input is the output of an action that ran before. */
function checkArtifacts(stages: StageDeclaration[]): void {
  const produced = new Map<string, { stage: number; runOrder: number }>();
  stages.forEach((s, si) =>
    s.actions.forEach((a) => {
      for (const o of a.outputArtifacts ?? []) {
        if (produced.has(o.name)) throw structure(`Output Artifact Bundle name must be unique within the pipeline. ${o.name} has been used more than once.`);
        produced.set(o.name, { stage: si, runOrder: a.runOrder ?? 1 });
      }
    }),
  );
  stages.forEach((s, si) =>
    s.actions.forEach((a) => {
      for (const i of a.inputArtifacts ?? []) {
        const from = produced.get(i.name);
        const before = from && (from.stage < si || (from.stage === si && from.runOrder < (a.runOrder ?? 1)));
        if (!before) throw structure(`Input Artifact Bundle ${i.name} in action '${a.name}' is not declared as an output artifact in any of the previous actions`);
      }
    }),
  );
}

function checkNamespaces(stages: StageDeclaration[]): void {
  const seen = new Set<string>();
  for (const a of stages.flatMap((s) => s.actions)) {
    if (!a.namespace) continue;
    if (seen.has(a.namespace)) throw structure(`Namespace ${a.namespace} is used by more than one action. Namespaces must be unique within a pipeline.`);
    seen.add(a.namespace);
  }
}
