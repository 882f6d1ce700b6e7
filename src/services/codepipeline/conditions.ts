import type { Condition, RuleDeclaration, RuleExecutionDetail, RuleTypeId, StageConditionState, StageDeclaration } from '../../aws/models/generated/codepipeline.js';
import { uuid } from '../../core/ids.js';
import type { ExecutionRecord, StageRun } from './store.js';
import { resolveText, type Namespaces } from './variables.js';

export type ConditionKind = 'beforeEntry' | 'onSuccess' | 'onFailure';

interface RuleOutcome {
  name: string;
  status: 'Succeeded' | 'Failed';
  summary: string;
}

/** One rule's evaluation, as ListRuleExecutions reports it. */
export interface RuleRecord extends RuleOutcome {
  id: string;
  ruleTypeId: RuleTypeId;
  configuration: Record<string, string>;
  resolvedConfiguration: Record<string, string>;
}

/** How a stage's conditions of one kind were evaluated (for GetPipelineState). */
export interface ConditionsRecord {
  status: 'Succeeded' | 'Failed' | 'Errored';
  summary: string;
  time: number;
  conditions: { status: 'Succeeded' | 'Failed' | 'Errored'; summary: string; rules: RuleRecord[] }[];
}

/** The regular expression of a MATCHES check; undefined when it does not compile. */
function regex(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

/** AWS's VariableCheck rule: `Variable` (a `#{...}` reference) compared with `Value` by `Operator`. */
export function variableCheck(config: Record<string, string>, ns: Namespaces): RuleOutcome & { errored?: boolean } {
  const name = '';
  const { value, missing } = resolveText(config.Variable ?? '', ns);
  if (missing.length) return { name, status: 'Failed', errored: true, summary: `The variable ${missing.join(', ')} could not be resolved.` };
  const wanted = config.Value ?? '';
  const checks: Record<string, () => boolean | undefined> = {
    EQ: () => value === wanted,
    NE: () => value !== wanted,
    CONTAINS: () => value.includes(wanted),
    MATCHES: () => regex(wanted)?.test(value),
  };
  const result = checks[config.Operator ?? '']?.();
  if (result === undefined) {
    const why = checks[config.Operator ?? ''] ? `the pattern ${wanted} is not a valid regular expression` : `the operator ${config.Operator ?? '(none)'} is not EQ, NE, CONTAINS or MATCHES`;
    return { name, status: 'Failed', errored: true, summary: `The rule could not be evaluated: ${why}.` };
  }
  return { name, status: result ? 'Succeeded' : 'Failed', summary: `${value} ${config.Operator} ${wanted}: ${result ? 'true' : 'false'}` };
}

function evaluateRule(r: RuleDeclaration, ns: Namespaces): RuleRecord & { errored?: boolean } {
  const configuration = r.configuration ?? {};
  const resolvedConfiguration = Object.fromEntries(Object.entries(configuration).map(([k, v]) => [k, resolveText(v, ns).value]));
  const base = { id: uuid(), name: r.name, ruleTypeId: r.ruleTypeId, configuration, resolvedConfiguration };
  if (r.ruleTypeId.provider === 'VariableCheck') return { ...variableCheck(configuration, ns), ...base };
  return { ...base, status: 'Failed', errored: true, summary: `Slipway does not evaluate ${r.ruleTypeId.provider} rules yet.` };
}

/**
 * Evaluates a stage's conditions: a condition is met when all its rules succeed. Returns the
 * first condition that is not met (beforeEntry, onSuccess: its result applies) or, for
 * onFailure, the first that is met (its result applies), with the record of every check.
 */
export function evaluateConditions(kind: ConditionKind, conditions: Condition[], ns: Namespaces, now: number): { applies?: Condition; record: ConditionsRecord } {
  const record: ConditionsRecord = { status: 'Succeeded', summary: '', time: now, conditions: [] };
  let applies: Condition | undefined;
  for (const c of conditions) {
    const rules = (c.rules ?? []).map((r) => evaluateRule(r, ns));
    const met = rules.every((r) => r.status === 'Succeeded');
    const errored = rules.some((r) => r.errored);
    const failedRule = rules.find((r) => r.status !== 'Succeeded');
    record.conditions.push({ status: met ? 'Succeeded' : errored ? 'Errored' : 'Failed', summary: failedRule ? `Rule ${failedRule.name}: ${failedRule.summary}` : 'All rules succeeded.', rules: rules.map(({ errored: _e, ...r }) => r) });
    if (!applies && (kind === 'onFailure' ? met : !met)) applies = c;
  }
  const notMet = record.conditions.find((c) => c.status !== 'Succeeded');
  if (notMet) Object.assign(record, { status: notMet.status, summary: notMet.summary });
  return { applies, record };
}

/**
 * Evaluates a stage's conditions of one kind, if it has any, and records the evaluation on the
 * stage run; returns the condition whose result applies and the evaluation's summary.
 */
export function checkStage(kind: ConditionKind, stage: StageDeclaration, run: StageRun, ns: Namespaces, now: number): { applies?: Condition; summary: string } | undefined {
  const conditions = stage[kind]?.conditions;
  if (!conditions?.length) return undefined;
  const { applies, record } = evaluateConditions(kind, conditions, ns, now);
  (run.conditions ??= {})[kind] = record;
  return { applies, summary: record.summary };
}

/** GetPipelineState's view of an evaluation. */
export function conditionStateView(r: ConditionsRecord | undefined): StageConditionState | undefined {
  if (!r) return undefined;
  const at = new Date(r.time);
  return {
    latestExecution: { status: r.status, summary: r.summary },
    conditionStates: r.conditions.map((c) => ({
      latestExecution: { status: c.status, summary: c.summary, lastStatusChange: at },
      ruleStates: c.rules.map((x) => ({ ruleName: x.name, latestExecution: { ruleExecutionId: x.id, status: x.status, summary: x.summary, lastStatusChange: at } })),
    })),
  };
}

/** ListRuleExecutions' entries for an execution: the rules of each stage's latest evaluations, with a sort key (newest first). */
export function ruleExecutionViews(e: ExecutionRecord): { sort: string; view: RuleExecutionDetail }[] {
  return Object.entries(e.stages).flatMap(([stageName, run]) =>
    Object.values(run.conditions ?? {}).flatMap((record) =>
      record.conditions.flatMap((c) =>
        c.rules.map((r) => ({
          sort: `${String(1e12 - e.seq).padStart(13, '0')}/${String(1e15 - record.time).padStart(16, '0')}/${r.id}`,
          view: {
            pipelineExecutionId: e.id, ruleExecutionId: r.id, pipelineVersion: e.pipelineVersion, stageName, ruleName: r.name,
            startTime: new Date(record.time), lastUpdateTime: new Date(record.time), status: r.status,
            input: { ruleTypeId: r.ruleTypeId, configuration: r.configuration, resolvedConfiguration: r.resolvedConfiguration },
            output: { executionResult: { externalExecutionSummary: r.summary, errorDetails: r.status === 'Failed' ? { code: 'RuleFailed', message: r.summary } : undefined } },
          },
        })),
      ),
    ),
  );
}
