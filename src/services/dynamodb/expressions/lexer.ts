import { validation } from '../numbers.js';

export type TokenKind = 'word' | 'name-ref' | 'value-ref' | 'number' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const PATTERNS: [TokenKind, RegExp][] = [
  ['name-ref', /#[A-Za-z0-9_]+/y],
  ['value-ref', /:[A-Za-z0-9_]+/y],
  ['word', /[A-Za-z_][A-Za-z0-9_]*/y],
  ['number', /[0-9]+/y],
  ['op', /<>|<=|>=|[=<>(),.[\]+-]/y],
];

/** Splits an expression into tokens; an unknown character becomes a one-character token the parser rejects. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    let matched: Token | undefined;
    for (const [kind, re] of PATTERNS) {
      re.lastIndex = i;
      const m = re.exec(text);
      if (m) {
        matched = { kind, text: m[0], start: i, end: i + m[0].length };
        break;
      }
    }
    matched ??= { kind: 'op', text: text[i], start: i, end: i + 1 };
    if (!matched) break;
    tokens.push(matched);
    i = matched.end;
  }
  tokens.push({ kind: 'eof', text: '<EOF>', start: text.length, end: text.length });
  return tokens;
}

/** AWS's syntax error: the offending token, and the source from the token before it to the one after. */
export function syntaxError(label: string, source: string, tokens: Token[], at: number): Error {
  const tok = tokens[at];
  const from = at > 0 ? tokens[at - 1].start : tok.start;
  const next = tokens[Math.min(at + 1, tokens.length - 1)];
  const to = tok.kind === 'eof' ? source.length : next.end;
  return validation(`Invalid ${label}: Syntax error; token: "${tok.text}", near: "${source.slice(from, to)}"`);
}

