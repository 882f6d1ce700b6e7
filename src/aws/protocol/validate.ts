import type { ServiceModel } from '../models/service-model.js';
import type { Shape } from '../models/shapes.js';
import { isPlainObject, lowerFirst } from './values.js';

/**
 * Checks a decoded input against the model's constraints (required members, enums,
 * lengths, ranges, patterns) and returns AWS-style violation texts, e.g.
 * "Value null at 'roleName' failed to satisfy constraint: Member must not be null".
 */
export function validateInput(model: ServiceModel, shape: Shape, value: Record<string, unknown>): string[] {
  const problems: string[] = [];
  walk(model, shape, value, '', problems);
  return problems;
}

/** AWS's summary line: "2 validation errors detected: a; b". */
export function validationMessage(problems: string[]): string {
  const n = problems.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`;
}

const MAX_PROBLEMS = 10;

function walk(model: ServiceModel, shape: Shape, value: unknown, path: string, problems: string[]): void {
  if (problems.length >= MAX_PROBLEMS) return;
  switch (shape.type) {
    case 'structure': {
      if (!isPlainObject(value) || shape.document) return;
      for (const name of shape.required ?? []) {
        if (value[name] === undefined || value[name] === null) problems.push(violation(null, join(path, name), 'Member must not be null'));
      }
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const v = value[name];
        if (v !== undefined && v !== null) walk(model, model.resolve(ref), v, join(path, name), problems);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return;
      checkSize(shape, value.length, value, path, problems);
      const member = model.resolve(shape.member!);
      value.forEach((item, i) => walk(model, member, item, `${path}.${i + 1}.member`, problems));
      return;
    }
    case 'map': {
      if (!isPlainObject(value)) return;
      const entries = Object.entries(value);
      checkSize(shape, entries.length, value, path, problems);
      const keyShape = model.resolve(shape.key!);
      const valueShape = model.resolve(shape.value!);
      for (const [k, v] of entries) {
        walk(model, keyShape, k, `${path}.${k}.key`, problems);
        walk(model, valueShape, v, `${path}.${k}.value`, problems);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return;
      // AWS leaves the values of sensitive members (secrets, passwords) out of its messages.
      const shown = shape.sensitive ? HIDDEN : value;
      if (shape.enum && !shape.enum.includes(value)) {
        problems.push(violation(shown, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`));
      }
      checkSize(shape, value.length, shown, path, problems);
      const re = shape.pattern ? compilePattern(shape.pattern) : undefined;
      if (re && !re.test(value)) problems.push(violation(shown, path, `Member must satisfy regular expression pattern: ${shape.pattern}`));
      return;
    }
    case 'blob':
      if (value instanceof Uint8Array) checkSize(shape, value.byteLength, shape.sensitive ? HIDDEN : '(binary)', path, problems);
      return;
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      if (typeof value !== 'number') return;
      if (shape.min !== undefined && value < shape.min) problems.push(violation(value, path, `Member must have value greater than or equal to ${shape.min}`));
      if (shape.max !== undefined && value > shape.max) problems.push(violation(value, path, `Member must have value less than or equal to ${shape.max}`));
      return;
    }
    default:
      return;
  }
}

function checkSize(shape: Shape, size: number, value: unknown, path: string, problems: string[]): void {
  if (shape.min !== undefined && size < shape.min) problems.push(violation(value, path, `Member must have length greater than or equal to ${shape.min}`));
  if (shape.max !== undefined && size > shape.max) problems.push(violation(value, path, `Member must have length less than or equal to ${shape.max}`));
}

const HIDDEN = Symbol('sensitive');

function violation(value: unknown, path: string, constraint: string): string {
  if (value === HIDDEN) return `Value at '${path}' failed to satisfy constraint: ${constraint}`;
  return `Value ${show(value)} at '${path}' failed to satisfy constraint: ${constraint}`;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `'${value.length > 200 ? `${value.slice(0, 200)}...` : value}'`;
  if (Array.isArray(value)) return `'[${value.map((v) => (typeof v === 'object' ? '...' : String(v))).join(', ')}]'`;
  if (typeof value === 'object') return "'{...}'";
  return `'${String(value)}'`;
}

function join(path: string, name: string): string {
  const n = lowerFirst(name);
  return path ? `${path}.${n}` : n;
}

const patterns = new Map<string, RegExp | null>();

/**
 * Model patterns are Java regular expressions matched against the whole value. Most
 * translate directly; one JavaScript cannot compile is skipped rather than guessed at.
 */
export function compilePattern(pattern: string): RegExp | undefined {
  let re = patterns.get(pattern);
  if (re === undefined) {
    re = tryCompile(`^(?:${pattern})$`, 'u') ?? tryCompile(`^(?:${pattern})$`, '') ?? null;
    patterns.set(pattern, re);
  }
  return re ?? undefined;
}

function tryCompile(source: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(source, flags);
  } catch {
    return undefined;
  }
}
