import { ServiceError } from '../../core/errors.js';

/** What a field is compared with in JSON and space-delimited patterns. */
export type PatternValue =
  | { kind: 'number'; value: number; text: string }
  | { kind: 'string'; text: string; wildcard: RegExp | undefined }
  | { kind: 'regex'; re: RegExp };

export type Op = '=' | '!=' | '<' | '>' | '<=' | '>=';

export function patternError(pattern: string, at: number, what: string): ServiceError {
  return new ServiceError('InvalidParameterException', `Invalid filter pattern '${pattern}': ${what} at position ${at + 1}.`);
}

/** `%regex%` as AWS allows it: no groups, anchors and classes otherwise as in JavaScript. */
export function compileRegex(source: string, pattern: string, at: number): RegExp {
  if (/[()]/.test(source)) throw patternError(pattern, at, 'the () operator is not supported in a regular expression');
  try {
    return new RegExp(source);
  } catch {
    throw patternError(pattern, at, `'%${source}%' is not a valid regular expression`);
  }
}

/** A literal that may hold `*` wildcards (`123.123.*`, `4*`). */
export function literal(text: string, quoted: boolean): PatternValue {
  if (!quoted && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return { kind: 'number', value: Number(text), text };
  if (!text.includes('*')) return { kind: 'string', text, wildcard: undefined };
  const re = new RegExp('^' + text.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
  return { kind: 'string', text, wildcard: re };
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

/** Compares one field value (a string from a delimited log, or a JSON scalar) with a pattern value. */
export function compare(field: unknown, op: Op, value: PatternValue): boolean {
  if (field === undefined || (typeof field === 'object' && field !== null)) return false;
  if (value.kind === 'regex') {
    const hit = field !== null && value.re.test(String(field));
    return op === '!=' ? !hit : op === '=' && hit;
  }
  if (value.kind === 'number') {
    const n = numeric(field);
    if (n === undefined) return op === '!=' && field !== null;
    switch (op) {
      case '=': return n === value.value;
      case '!=': return n !== value.value;
      case '<': return n < value.value;
      case '>': return n > value.value;
      case '<=': return n <= value.value;
      case '>=': return n >= value.value;
    }
  }
  if (field === null) return false;
  const text = String(field);
  const equal = value.wildcard ? value.wildcard.test(text) : text === value.text;
  if (op === '=') return equal;
  if (op === '!=') return !equal;
  return false;
}
