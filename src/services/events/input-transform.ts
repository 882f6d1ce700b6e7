import type { InputTransformer, Target } from '../../aws/models/generated/events.js';
import { evaluateJsonPath, JsonPathError, parseJsonPath } from './json-path.js';

/** What a target's input is built from: the event and the rule that matched it. */
export interface InputContext {
  event: Record<string, unknown>;
  ruleArn: string;
  ruleName: string;
  /** When EventBridge received the event (ISO 8601). */
  ingestionTime: string;
}

const RESERVED = new Set(['aws.events.rule-arn', 'aws.events.rule-name', 'aws.events.event', 'aws.events.event.json', 'aws.events.event.ingestion-time']);

export class InputError extends Error {}

/** The text a target receives: the whole event, `Input`, the `InputPath` selection, or the transformer's output. */
export function targetInput(target: Pick<Target, 'Input' | 'InputPath' | 'InputTransformer'>, ctx: InputContext): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const value = evaluateJsonPath(ctx.event, target.InputPath);
    return value === undefined ? '' : JSON.stringify(value);
  }
  if (target.InputTransformer) return transform(target.InputTransformer, ctx);
  return JSON.stringify(ctx.event);
}

function variables(t: InputTransformer, ctx: InputContext): Map<string, unknown> {
  const vars = new Map<string, unknown>();
  for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) {
    // A path absent from the event still fills its placeholder (with null, or nothing inside a string).
    vars.set(name, evaluateJsonPath(ctx.event, path));
  }
  const { detail: _detail, ...withoutDetail } = ctx.event;
  vars.set('aws.events.rule-arn', ctx.ruleArn);
  vars.set('aws.events.rule-name', ctx.ruleName);
  vars.set('aws.events.event', withoutDetail);
  vars.set('aws.events.event.json', ctx.event);
  vars.set('aws.events.event.ingestion-time', ctx.ingestionTime);
  return vars;
}

/**
 * Fills `<name>` placeholders. Outside a JSON string a value goes in as JSON (strings quoted,
 * objects as JSON); inside a string, and in a template that is plain text, it goes in as
 * text, unescaped, as AWS does. A variable whose path is absent from the event becomes
 * `null` in JSON and nothing inside a string.
 */
export function transform(t: InputTransformer, ctx: InputContext): string {
  return fill(t.InputTemplate, variables(t, ctx));
}

function fill(template: string, vars: Map<string, unknown>): string {
  const json = /^\s*[{["]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '<') {
      const m = /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i));
      if (m && vars.has(m[1])) {
        out += render(vars.get(m[1]), json && !inString);
        i += m[0].length - 1;
        continue;
      }
    }
    if (json && c === '"' && !escaped(template, i)) inString = !inString;
    out += c;
  }
  return out;
}

function escaped(text: string, i: number): boolean {
  let n = 0;
  while (i - n - 1 >= 0 && text[i - n - 1] === '\\') n++;
  return n % 2 === 1;
}

function render(value: unknown, asJson: boolean): string {
  if (asJson) return value === undefined ? 'null' : JSON.stringify(value);
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Checks a transformer when targets are put: paths parse, names are not reserved, a JSON template stays JSON. */
export function checkTransformer(t: InputTransformer): void {
  const paths = t.InputPathsMap ?? {};
  if (Object.keys(paths).length > 100) throw new InputError('InputPathsMap can define at most 100 variables');
  for (const [name, path] of Object.entries(paths)) {
    if (RESERVED.has(name)) throw new InputError(`InputPathsMap variable ${name} is a reserved name`);
    try {
      parseJsonPath(path);
    } catch (e) {
      throw new InputError(`InputPathsMap variable ${name} has an invalid JSON path: ${(e as JsonPathError).message}`);
    }
  }
  if (!/^\s*[{[]/.test(t.InputTemplate)) return;
  const sample = new Map<string, unknown>([...RESERVED].map((n) => [n, 'x']));
  for (const name of Object.keys(paths)) sample.set(name, 'x');
  try {
    JSON.parse(fill(t.InputTemplate, sample));
  } catch {
    throw new InputError('InputTemplate is not valid JSON once its placeholders are filled');
  }
}
