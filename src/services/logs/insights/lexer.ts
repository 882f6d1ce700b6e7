import { ServiceError } from '../../../core/errors.js';

export type TokenKind = 'ident' | 'number' | 'duration' | 'string' | 'regex' | 'op' | 'pipe' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** For strings and regexes: the body; for durations: milliseconds as text. */
  value: string;
  start: number;
  end: number;
}

const UNITS: Record<string, number> = {
  ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000, d: 86_400_000, w: 604_800_000,
  mo: 2_592_000_000, q: 7_776_000_000, y: 31_536_000_000,
};
const OPS = ['!=', '<=', '>=', '=~', '=', '<', '>', '+', '-', '*', '/', '%', '^', ',', '(', ')', '[', ']'];

/** A MalformedQueryException pointing at the offending characters, as Logs Insights reports it. */
export function malformed(query: string, start: number, end: number, why: string): ServiceError {
  const line = query.slice(0, start).split('\n').length;
  const col = start - query.lastIndexOf('\n', start - 1);
  const near = query.slice(start, Math.max(end, start + 1)) || 'end of query';
  return new ServiceError('MalformedQueryException', `unexpected symbol found ${near} at line ${line} and position ${col}: ${why}`, {
    fields: { queryCompileError: { location: { startCharOffset: start, endCharOffset: Math.max(end, start + 1) - 1 }, message: why } },
  });
}

/** Splits a Logs Insights query into tokens; a `/` starts a regex where an operand is expected. */
export function tokenize(query: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, value = query.slice(start, end)) =>
    out.push({ kind, text: query.slice(start, end), value, start, end });
  while (i < query.length) {
    const c = query[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < query.length && query[i] !== '\n') i++; continue; }
    const start = i;
    if (c === '|') { push('pipe', i, ++i); continue; }
    if (c === '"' || c === "'" || c === '`') {
      const { end, body } = quoted(query, i, c);
      push(c === '`' ? 'ident' : 'string', start, end, body);
      i = end;
      continue;
    }
    if (c === '/' && expectsOperand(out)) {
      const { end, body } = quoted(query, i, '/');
      push('regex', start, end, body);
      i = end;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(query[i + 1] ?? ''))) {
      const m = /^\d*\.?\d+(?:[eE][-+]?\d+)?/.exec(query.slice(i))!;
      i += m[0].length;
      const unit = /^[a-z]+/.exec(query.slice(i));
      if (unit && UNITS[unit[0]] !== undefined) {
        i += unit[0].length;
        push('duration', start, i, String(Number(m[0]) * UNITS[unit[0]]));
      } else push('number', start, i);
      continue;
    }
    if (/[A-Za-z_@$]/.test(c)) {
      const m = /^[A-Za-z_@$][\w.@$]*/.exec(query.slice(i))!;
      const text = m[0].replace(/\.+$/, '');
      i += text.length;
      push('ident', start, i);
      continue;
    }
    const op = OPS.find((o) => query.startsWith(o, i));
    if (!op) throw malformed(query, i, i + 1, `'${c}' is not part of the query language`);
    i += op.length;
    push('op', start, i);
  }
  out.push({ kind: 'eof', text: '', value: '', start: query.length, end: query.length });
  return out;
}

function quoted(query: string, start: number, q: string): { end: number; body: string } {
  let body = '';
  for (let i = start + 1; i < query.length; i++) {
    const c = query[i];
    if (c === '\\' && i + 1 < query.length) {
      // Regexes keep their escapes; strings unescape the quote and backslash.
      body += q === '/' ? c + query[i + 1] : query[i + 1] === q || query[i + 1] === '\\' ? query[i + 1] : c + query[i + 1];
      i++;
      continue;
    }
    if (c === q) return { end: i + 1, body };
    body += c;
  }
  throw malformed(query, start, query.length, `unterminated ${q === '/' ? 'regular expression' : 'string'}`);
}

function expectsOperand(out: Token[]): boolean {
  const prev = out[out.length - 1];
  if (!prev) return true;
  if (prev.kind === 'op') return prev.text !== ')' && prev.text !== ']';
  if (prev.kind === 'pipe') return true;
  if (prev.kind !== 'ident') return false;
  // `parse @message /regex/`: the regex follows the field being parsed.
  if (/^parse$/i.test(out[out.length - 2]?.text ?? '')) return true;
  return /^(like|parse|and|or|not|in)$/i.test(prev.text);
}
